package dev.gonode.deploy;

import dev.gonode.testing.ExternalTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/Dockerfile: the linter, and what the image must be (docker build is impossible here: no engine). */
class DockerfileTest {

    private static List<String> instructions() throws Exception {
        return Dockerfile.instructions().stream().map(Dockerfile.Instruction::toString).toList();
    }

    @Test
    void dockerfilelintPasses() throws Exception {
        Path lint = ExternalTools.require("dockerfilelint", "npm install -g dockerfilelint");
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

    /** The JVM options of deploy/docker/gonode: the words between {@code exec java} and {@code -jar}. */
    static List<String> launcherJvmOptions() throws Exception {
        String launcher = Files.readString(Repo.file("deploy/docker/gonode"));
        Matcher m = Pattern.compile("(?s)\\nexec java (.*?) -jar ").matcher(launcher.replace("\\\n", " "));
        assertTrue(m.find(), "deploy/docker/gonode runs `exec java ... -jar`");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** Runs out of heap on a thread other than main, then returns from main. */
    static final class OutOfMemoryOnAThread {
        public static void main(String[] args) throws Exception {
            Thread t = new Thread(() -> {
                List<long[]> hoard = new java.util.ArrayList<>();
                while (true) {
                    hoard.add(new long[1 << 20]);
                }
            }, "allocator");
            t.start();
            t.join();
            System.out.println("main returned after the OutOfMemoryError");
        }
    }

    @Test
    void anOutOfMemoryErrorEndsTheImagesJvmWithAFailureEvenWhenTheOperatorsOptionsSayOtherwise() throws Exception {
        List<String> options = launcherJvmOptions();
        int operator = options.indexOf("${GONODE_JAVA_OPTS:-}");
        assertTrue(operator >= 0, "the launcher passes the operator's GONODE_JAVA_OPTS: " + options);
        assertTrue(options.indexOf("-XX:+ExitOnOutOfMemoryError") > operator,
                "-XX:+ExitOnOutOfMemoryError comes after GONODE_JAVA_OPTS, so no operator option turns it off: " + options);
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(OutOfMemoryOnAThread.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        for (boolean operatorTurnsItOff : List.of(false, true)) {
            List<String> command = new java.util.ArrayList<>(List.of(java));
            for (String option : options) {
                if (option.equals("${GONODE_JAVA_OPTS:-}")) {
                    command.add("-Xmx64m");
                    if (operatorTurnsItOff) {
                        command.add("-XX:-ExitOnOutOfMemoryError");
                    }
                } else {
                    command.add(option);
                }
            }
            command.addAll(List.of("-cp", classes, OutOfMemoryOnAThread.class.getName()));
            Repo.Result r = Repo.run(command, Repo.root());
            assertEquals(3, r.status(), "the JVM exits 3 on an OutOfMemoryError: " + command + "\n" + r.output());
            assertTrue(r.output().contains("Terminating due to java.lang.OutOfMemoryError"), r.output());
        }
        // Without the option the same program ends "successfully": what the option prevents.
        Repo.Result silent = Repo.run(List.of(java, "-Xmx64m", "-cp", classes, OutOfMemoryOnAThread.class.getName()), Repo.root());
        assertEquals(0, silent.status(), silent.output());
        assertTrue(silent.output().contains("main returned after the OutOfMemoryError"), silent.output());
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
