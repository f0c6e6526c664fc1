package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/Dockerfile: the linter, and what the image must be (docker build is impossible here: no engine). */
class DockerfileTest {

    private static List<String> instructions() throws Exception {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(Repo.file("deploy/Dockerfile"))) {
            String t = line.strip();
            if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
            } else {
                current.append(t);
                out.add(current.toString());
                current.setLength(0);
            }
        }
        return out;
    }

    @Test
    void dockerfilelintPasses() throws Exception {
        Path lint = Repo.tool("dockerfilelint", "npm install -g dockerfilelint; .ci/run installs it");
        Repo.Result r = Repo.run(List.of(lint.toString(), "deploy/Dockerfile"), Repo.root());
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("Issues: None found"), r.output());
    }

    @Test
    void multiStageTemurin25NonRootWithTheLaunchers() throws Exception {
        List<String> ins = instructions();
        List<String> froms = ins.stream().filter(i -> i.startsWith("FROM ")).toList();
        assertEquals(List.of("FROM eclipse-temurin:25-jdk AS build", "FROM eclipse-temurin:25-jre"), froms);
        String last = ins.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        Matcher uid = Pattern.compile("USER (\\d+)").matcher(last);
        assertTrue(uid.find() && Integer.parseInt(uid.group(1)) != 0, "the image runs as a numeric non-root user: " + last);
        JsonNode pod = Repo.manifest("k8s/base/deployment.yaml", "Deployment", "gonode").doc()
                .path("spec").path("template").path("spec");
        assertEquals(Integer.parseInt(uid.group(1)), pod.path("securityContext").path("runAsUser").asInt(),
                "the Deployment runs as the image's user");
        String all = String.join("\n", ins);
        assertTrue(all.contains("-pl node,admin-cli -am -DskipTests package"), "the build stage builds the node and the CLI");
        assertTrue(all.contains("ENV PATH=\"/opt/gonode/bin:${PATH}\""), "gonode-admin is on PATH");
        assertTrue(all.contains("COPY deploy/docker/gonode deploy/docker/gonode-admin /opt/gonode/bin/"));
        assertTrue(all.contains("ENTRYPOINT [\"/opt/gonode/bin/gonode\"]"), "exec-form entrypoint, so SIGTERM reaches the JVM");
        for (String launcher : List.of("deploy/docker/gonode", "deploy/docker/gonode-admin")) {
            assertTrue(Files.isExecutable(Repo.file(launcher)), launcher + " is executable");
            assertTrue(Files.readString(Repo.file(launcher)).startsWith("#!/bin/sh"), launcher);
        }
        // Every COPY source of the runtime stage and of the build stage exists in the repository.
        for (String i : ins) {
            if (i.startsWith("COPY ") && !i.contains("--from=")) {
                String[] parts = i.substring(5).trim().split("\\s+");
                for (int k = 0; k < parts.length - 1; k++) {
                    String src = parts[k];
                    // deploy-tests/pom.xml is this module: always there
                    assertTrue(Files.exists(Repo.file(src)), "COPY source " + src + " does not exist: " + i);
                }
            }
        }
    }

    @Test
    void composeRunsTheNodeWithPrometheusAndGrafana() throws Exception {
        JsonNode compose = Repo.yaml("deploy/docker-compose.yml");
        JsonNode services = compose.path("services");
        assertTrue(services.has("gonode") && services.has("prometheus") && services.has("grafana"));
        assertEquals("deploy/Dockerfile", services.path("gonode").path("build").path("dockerfile").asText());
        assertTrue(services.path("gonode").path("read_only").asBoolean());
        String grafanaVolumes = services.path("grafana").path("volumes").toString();
        assertTrue(grafanaVolumes.contains("./grafana/provisioning") && grafanaVolumes.contains("./grafana/dashboards"));
        for (JsonNode v : services.path("prometheus").path("volumes")) {
            String src = v.asText().split(":")[0];
            assertTrue(Files.exists(Repo.file("deploy").resolve(src)), "mounted file " + src + " exists");
        }
        String target = Repo.yaml("deploy/prometheus/prometheus.yml").path("scrape_configs").get(0)
                .path("static_configs").get(0).path("targets").get(0).asText();
        assertEquals("gonode:9090", target, "Prometheus scrapes the node's admin port by its compose name");
    }
}
