package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.internal.AdminRouter;
import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.testing.JvmOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The manifests agree with the node: paths, ports, the stop budget, the JVM options. */
class ConsistencyTest {

    private static JsonNode deployment() throws Exception {
        return Repo.manifest("k8s/base/deployment.yaml", "Deployment", "gonode").doc();
    }

    private static JsonNode container() throws Exception {
        JsonNode containers = deployment().path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    /** The node's configuration as the pod gets it: the ConfigMap's file plus the container's env. */
    private static NodeConfig podConfig() throws Exception {
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : container().path("env")) {
            if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
            } else if (e.path("valueFrom").has("secretKeyRef")) {
                env.put(e.path("name").asText(), "a-secret-token");
            }
        }
        return ConfigLoader.load(Optional.of(Repo.file("k8s/base/gonode.yaml")), env);
    }

    private static int containerPort(String name) throws Exception {
        for (JsonNode p : container().path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("the container has no port named " + name);
    }

    @Test
    void theConfigMapFileLoadsAndItsPortsAreTheContainerPorts() throws Exception {
        NodeConfig config = podConfig();
        assertEquals(config.server().port(), containerPort("http"));
        assertEquals(config.admin().port(), containerPort("admin"));
        assertEquals("0.0.0.0", config.admin().host(), "the kubelet and Prometheus reach the admin port on the pod IP");
        assertTrue(config.admin().hasToken(), "bound beyond loopback, the admin port needs a token");
        // the ConfigMap is mounted where --config points
        JsonNode args = container().path("args");
        assertEquals("--config", args.get(0).asText());
        String mountPath = null;
        for (JsonNode m : container().path("volumeMounts")) {
            if (m.path("name").asText().equals("config")) {
                mountPath = m.path("mountPath").asText();
            }
        }
        assertEquals(mountPath + "/gonode.yaml", args.get(1).asText());
    }

    @Test
    void probesUseAdminEndpointsOnTheAdminPort() throws Exception {
        Map<String, String> expected = Map.of("startupProbe", "/healthz", "readinessProbe", "/readyz", "livenessProbe", "/healthz");
        for (var e : expected.entrySet()) {
            JsonNode get = container().path(e.getKey()).path("httpGet");
            assertEquals(e.getValue(), get.path("path").asText(), e.getKey());
            assertTrue(AdminRouter.ENDPOINTS.contains("GET " + get.path("path").asText()),
                    e.getKey() + " path " + get.path("path") + " is not an admin endpoint: " + AdminRouter.ENDPOINTS);
            assertEquals("admin", get.path("port").asText(), e.getKey() + " probes the admin port");
        }
        JsonNode monitorEndpoint = Repo.manifest("k8s/base/servicemonitor.yaml", "ServiceMonitor", "gonode").doc()
                .path("spec").path("endpoints").get(0);
        assertTrue(AdminRouter.ENDPOINTS.contains("GET " + monitorEndpoint.path("path").asText()));
    }

    @Test
    void gracePeriodCoversPreStopPlusDrainPlusMargin() throws Exception {
        long grace = deployment().path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong();
        long preStop = container().path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(-1);
        assertTrue(preStop > 0, "a preStop sleep");
        long drain = podConfig().drain().timeout().toSeconds();
        assertTrue(grace > preStop + drain + 5, "terminationGracePeriodSeconds " + grace + " must exceed preStop "
                + preStop + " s + drain.timeout " + drain + " s + a 5 s margin");
        // the documented exec fallback sleeps as long
        String text = Files.readString(Repo.file("k8s/base/deployment.yaml"));
        assertTrue(text.contains("command: [\"sleep\", \"" + preStop + "\"]"), "the exec fallback comment matches the sleep");
        assertEquals(0, deployment().path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt(-1));
    }

    @Test
    void servicesAndServiceMonitorMatchContainerPorts() throws Exception {
        JsonNode publicService = Repo.manifest("k8s/base/service.yaml", "Service", "gonode").doc();
        JsonNode ports = publicService.path("spec").path("ports");
        assertEquals(1, ports.size(), "the public Service carries the job API only");
        assertEquals("http", ports.get(0).path("targetPort").asText());
        containerPort("http");

        JsonNode metrics = Repo.manifest("k8s/base/servicemonitor.yaml", "Service", "gonode-metrics").doc();
        assertEquals("None", metrics.path("spec").path("clusterIP").asText(), "the admin Service is headless");
        JsonNode adminPort = metrics.path("spec").path("ports").get(0);
        assertEquals("admin", adminPort.path("targetPort").asText());
        assertEquals(containerPort("admin"), adminPort.path("port").asInt());

        JsonNode monitor = Repo.manifest("k8s/base/servicemonitor.yaml", "ServiceMonitor", "gonode").doc();
        assertEquals(adminPort.path("name").asText(), monitor.path("spec").path("endpoints").get(0).path("port").asText());
        JsonNode selector = monitor.path("spec").path("selector").path("matchLabels");
        selector.fields().forEachRemaining(f -> assertEquals(f.getValue().asText(),
                metrics.path("metadata").path("labels").path(f.getKey()).asText(), "the ServiceMonitor selects gonode-metrics"));
        JsonNode authorization = monitor.path("spec").path("endpoints").get(0).path("authorization");
        assertTrue(monitor.path("spec").path("endpoints").get(0).path("bearerTokenSecret").isMissingNode(),
                "bearerTokenSecret is deprecated: the ServiceMonitor uses authorization");
        assertEquals("Bearer", authorization.path("type").asText());
        JsonNode token = authorization.path("credentials");
        JsonNode envToken = null;
        for (JsonNode e : container().path("env")) {
            if (e.path("name").asText().equals("GONODE_ADMIN_TOKEN")) {
                envToken = e.path("valueFrom").path("secretKeyRef");
            }
        }
        assertNotNull(envToken);
        assertEquals(envToken.path("name").asText(), token.path("name").asText());
        assertEquals(envToken.path("key").asText(), token.path("key").asText());

        JsonNode policy = Repo.manifest("k8s/base/networkpolicy.yaml", "NetworkPolicy", "gonode").doc();
        boolean adminFromMonitoring = false;
        for (JsonNode rule : policy.path("spec").path("ingress")) {
            for (JsonNode p : rule.path("ports")) {
                if (p.path("port").asInt() == containerPort("admin")) {
                    adminFromMonitoring = rule.path("from").size() == 1 && "monitoring".equals(rule.path("from").get(0)
                            .path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText());
                }
            }
        }
        assertTrue(adminFromMonitoring, "the admin port admits only the monitoring namespace");
    }

    @Test
    void theAutoscalerOwnsTheReplicaCount() throws Exception {
        List<Repo.Manifest> autoscalers = Repo.manifests().stream()
                .filter(m -> m.kind().equals("HorizontalPodAutoscaler") && m.file().startsWith("k8s/base/")).toList();
        assertFalse(autoscalers.isEmpty());
        for (Repo.Manifest hpa : autoscalers) {
            JsonNode target = hpa.doc().path("spec").path("scaleTargetRef");
            Repo.Manifest scaled = Repo.manifests().stream()
                    .filter(m -> m.kind().equals(target.path("kind").asText()) && m.name().equals(target.path("name").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError(hpa + " scales " + target + ", which is not in k8s/"));
            assertTrue(scaled.doc().path("spec").path("replicas").isMissingNode(), scaled + " sets spec.replicas, but " + hpa
                    + " owns the count: each `kubectl apply` would reset the fleet to it");
        }
        for (var overlay : Repo.files("k8s/overlays", "kustomization.yaml")) {
            assertFalse(Files.readString(overlay).contains("/spec/replicas"), overlay + " patches spec.replicas, which the HPA owns");
        }
    }

    @Test
    void podsSpreadOverNodesAndZones() throws Exception {
        JsonNode pod = deployment().path("spec").path("template");
        Map<String, JsonNode> byKey = new HashMap<>();
        pod.path("spec").path("topologySpreadConstraints").forEach(c -> byKey.put(c.path("topologyKey").asText(), c));
        assertEquals(java.util.Set.of("kubernetes.io/hostname", "topology.kubernetes.io/zone"), byKey.keySet());
        // A zone is a preference: clusters without zone labels (kind, minikube) must still schedule.
        assertEquals("ScheduleAnyway", byKey.get("topology.kubernetes.io/zone").path("whenUnsatisfiable").asText());
        for (JsonNode c : byKey.values()) {
            assertEquals(1, c.path("maxSkew").asInt(), c.toString());
            c.path("labelSelector").path("matchLabels").fields().forEachRemaining(f -> assertEquals(f.getValue().asText(),
                    pod.path("metadata").path("labels").path(f.getKey()).asText(), "the constraint selects the Deployment's own pods: " + c));
            assertTrue(c.path("labelSelector").path("matchLabels").size() > 0, c.toString());
        }
    }

    @Test
    void thePrometheusRuleHoldsExactlyTheAlertRules() throws Exception {
        JsonNode rule = Repo.manifest("k8s/base/prometheusrule.yaml", "PrometheusRule", "gonode").doc();
        JsonNode alerts = Repo.yaml("deploy/prometheus/alerts.yml");
        assertEquals(alerts.path("groups"), rule.path("spec").path("groups"),
                "k8s/base/prometheusrule.yaml's spec.groups differ from deploy/prometheus/alerts.yml's groups; regenerate it"
                        + " with the command at its top");
        JsonNode monitor = Repo.manifest("k8s/base/servicemonitor.yaml", "ServiceMonitor", "gonode").doc();
        assertEquals(monitor.path("metadata").path("labels").path("release"), rule.path("metadata").path("labels").path("release"),
                "the Prometheus that selects the ServiceMonitor selects the rules too");
    }

    @Test
    void gomaxprocsHeapAndHardening() throws Exception {
        Map<String, JsonNode> env = new HashMap<>();
        container().path("env").forEach(e -> env.put(e.path("name").asText(), e));
        JsonNode cpu = env.get("GOMAXPROCS").path("valueFrom").path("resourceFieldRef");
        assertEquals("limits.cpu", cpu.path("resource").asText());
        assertEquals("1", cpu.path("divisor").asText());
        String javaOpts = env.get("GONODE_JAVA_OPTS").path("value").asText();
        assertTrue(javaOpts.matches(".*-XX:MaxRAMPercentage=\\d+.*"), javaOpts);
        assertTrue(container().path("resources").path("limits").has("memory"));
        assertTrue(container().path("resources").path("requests").has("cpu"));
        JsonNode sc = container().path("securityContext");
        assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
        assertEquals(false, sc.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("ALL", sc.path("capabilities").path("drop").get(0).asText());
        JsonNode pod = deployment().path("spec").path("template").path("spec");
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        // java.io.tmpdir and the JFR repository are on emptyDirs
        Map<String, String> mounts = new HashMap<>();
        container().path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
        Map<String, JsonNode> volumes = new HashMap<>();
        pod.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        Matcher repo = Pattern.compile("repository=(\\S+)").matcher(javaOpts);
        assertTrue(repo.find(), javaOpts);
        for (String path : List.of("/tmp", repo.group(1))) {
            assertTrue(mounts.containsKey(path), path + " is mounted");
            assertTrue(volumes.get(mounts.get(path)).has("emptyDir"), path + " is an emptyDir");
        }
    }

    @Test
    void theImageLauncherRunsTheNodeJarWhoseManifestCarriesTheRuntimeJvmOptions() throws Exception {
        String launcher = Files.readString(Repo.file("deploy/docker/gonode"));
        assertTrue(launcher.contains("-jar /opt/gonode/lib/gonode-node.jar"), "the launcher runs the node jar with java -jar");
        Path jar = Repo.file("node/target/gonode-node.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is built (./mvnw -pl node -am package) before this test");
        Attributes manifest;
        try (JarFile j = new JarFile(jar.toFile())) {
            manifest = j.getManifest().getMainAttributes();
        }
        List<String> options = JvmOptions.runtime();
        for (int i = 0; i + 1 < options.size(); i += 2) {
            String attribute = switch (options.get(i)) {
                case "--add-opens" -> "Add-Opens";
                case "--add-exports" -> "Add-Exports";
                default -> throw new AssertionError("an option the manifest cannot carry: " + options.get(i));
            };
            String target = options.get(i + 1).replace("=ALL-UNNAMED", "");
            assertTrue(List.of(String.valueOf(manifest.getValue(attribute)).split("\\s+")).contains(target),
                    "the node jar's " + attribute + " (" + manifest.getValue(attribute) + ") lacks " + target);
        }
        assertTrue(launcher.contains("${GONODE_JAVA_OPTS:-}"));
        assertTrue(launcher.contains("exec java"), "exec, so SIGTERM reaches the JVM");
    }

    @Test
    void theJvmAcceptsTheJavaOptionsOfTheDeploymentAndTheImage() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> optionSets = new java.util.ArrayList<>();
        for (JsonNode e : container().path("env")) {
            if (e.path("name").asText().equals("GONODE_JAVA_OPTS")) {
                optionSets.add(e.path("value").asText());
            }
        }
        Matcher image = Pattern.compile("GONODE_JAVA_OPTS=\"([^\"]*)\"").matcher(Files.readString(Repo.file("deploy/Dockerfile")));
        assertTrue(image.find(), "the image sets default GONODE_JAVA_OPTS");
        optionSets.add(image.group(1));
        for (String options : optionSets) {
            List<String> command = new java.util.ArrayList<>(List.of(java));
            command.addAll(List.of(options.trim().split("\\s+")));
            command.add("-version");
            Repo.Result r = Repo.run(command, Repo.root());
            assertEquals(0, r.status(), "java " + options + " -version:\n" + r.output());
        }
    }
}
