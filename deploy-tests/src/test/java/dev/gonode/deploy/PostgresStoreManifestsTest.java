package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.internal.ConfigLoader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The overlays as kustomize renders them put the fleet on PostgreSQL the way the node reads it:
 * every GONODE_* variable is one the node knows, the password travels only in a Secret, the dev
 * nodes reach the dev database with its credentials, and the database has a connection for every
 * pod the autoscaler and a rollout can run.
 */
class PostgresStoreManifestsTest {

    /** The contract's default of jobs.postgres.pool-size. */
    static final int DEFAULT_POOL_SIZE = 10;
    /** PostgreSQL's superuser_reserved_connections default: connections ordinary roles never get. */
    static final int RESERVED_CONNECTIONS = 3;

    static JsonNode object(List<JsonNode> docs, String kind, String namePrefix) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)
                        && d.path("metadata").path("name").asText().startsWith(namePrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + namePrefix + "* rendered"));
    }

    static JsonNode container(JsonNode workload, String name) {
        for (JsonNode c : workload.path("spec").path("template").path("spec").path("containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no container " + name);
    }

    static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> out = new HashMap<>();
        container.path("env").forEach(e -> out.put(e.path("name").asText(), e));
        return out;
    }

    /** The file a Secret key is mounted as in {@code container}: mountPath/key. */
    static String mountedFile(JsonNode workload, JsonNode container, String secretName, String key) {
        String volume = null;
        for (JsonNode v : workload.path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("secret").path("secretName").asText().equals(secretName)) {
                volume = v.path("name").asText();
            }
        }
        assertNotNull(volume, "no volume of the Secret " + secretName);
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                assertTrue(m.path("readOnly").asBoolean(), "the Secret is mounted read-only");
                return m.path("mountPath").asText() + "/" + key;
            }
        }
        throw new AssertionError(container.path("name").asText() + " does not mount " + secretName);
    }

    @Test
    void everyGonodeVariableTheOverlaysSetIsOneTheNodeReads() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            JsonNode deployment = object(Repo.kustomize(overlay), "Deployment", "gonode");
            Map<String, String> values = new HashMap<>();
            env(container(deployment, "gonode")).forEach((name, e) -> values.put(name,
                    e.has("value") ? e.path("value").asText() : "from-" + e.path("valueFrom").fieldNames().next()));
            List<String> warnings = new ArrayList<>();
            ConfigLoader.load(Optional.of(Repo.file("k8s/base/gonode.yaml")), values, warnings::add);
            assertTrue(warnings.isEmpty(), overlay + " sets variables the node ignores: " + warnings);
        }
    }

    @Test
    void thePasswordIsOnlyInSecretsAndReachesTheNodeAsAFile() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            List<JsonNode> docs = Repo.kustomize(overlay);
            JsonNode deployment = object(docs, "Deployment", "gonode");
            JsonNode gonode = container(deployment, "gonode");
            Map<String, JsonNode> env = env(gonode);
            assertFalse(env.containsKey("GONODE_POSTGRES_PASSWORD"), overlay + ": the password is a mounted file, not a variable");
            JsonNode user = env.get("GONODE_JOBS_POSTGRES_USER").path("valueFrom").path("secretKeyRef");
            String secretName = user.path("name").asText();
            assertEquals("username", user.path("key").asText());
            assertEquals(mountedFile(deployment, gonode, secretName, "password"),
                    env.get("GONODE_JOBS_POSTGRES_PASSWORD_FILE").path("value").asText(), overlay);
            assertEquals("postgres", env.get("GONODE_JOBS_STORE").path("value").asText(), overlay);
            String url = env.get("GONODE_JOBS_POSTGRES_URL").path("value").asText();
            assertTrue(url.startsWith("jdbc:postgresql://") && !url.contains("@") && !url.toLowerCase().contains("password"),
                    overlay + ": a URL without credentials: " + url);
            for (JsonNode e : env.values()) {
                assertFalse(e.path("name").asText().contains("PASSWORD") && e.has("value")
                        && !e.path("name").asText().endsWith("_FILE"), overlay + ": a password as a literal: " + e);
            }
            List<String> secrets = new ArrayList<>();
            for (JsonNode d : docs) {
                if (d.path("kind").asText().equals("Secret") && d.path("data").has("password")) {
                    secrets.add(new String(Base64.getDecoder().decode(d.path("data").path("password").asText()), StandardCharsets.UTF_8));
                }
            }
            if (overlay.equals("prod")) {
                assertTrue(secrets.isEmpty(), "prod expects the Secret made outside git");
                continue;
            }
            assertEquals(1, secrets.size(), "dev generates the database Secret");
            String password = secrets.get(0);
            assertTrue(password.length() >= 16, "a password, not a placeholder");
            for (JsonNode d : docs) {
                if (!d.path("kind").asText().equals("Secret")) {
                    assertFalse(Repo.JSON.writeValueAsString(d).contains(password),
                            "dev: the password appears in " + d.path("kind").asText() + "/" + d.path("metadata").path("name").asText());
                }
            }
        }
        assertFalse(Files.readString(Repo.file("k8s/base/gonode.yaml")).toLowerCase().contains("password"),
                "the node's ConfigMap never carries a password");
    }

    @Test
    void theDevNodesReachTheDevDatabaseWithItsCredentials() throws Exception {
        List<JsonNode> docs = Repo.kustomize("dev");
        JsonNode deployment = object(docs, "Deployment", "gonode");
        JsonNode gonode = container(deployment, "gonode");
        JsonNode database = object(docs, "StatefulSet", "gonode-postgres");
        JsonNode postgres = container(database, "postgres");
        Map<String, JsonNode> nodeEnv = env(gonode);
        Map<String, JsonNode> dbEnv = env(postgres);

        URI url = URI.create(nodeEnv.get("GONODE_JOBS_POSTGRES_URL").path("value").asText().substring("jdbc:".length()));
        JsonNode service = object(docs, "Service", url.getHost());
        assertEquals(database.path("spec").path("serviceName").asText(), url.getHost(), "the URL names the StatefulSet's Service");
        int containerPort = -1;
        for (JsonNode p : postgres.path("ports")) {
            containerPort = p.path("containerPort").asInt();
        }
        assertEquals(5432, containerPort);
        JsonNode servicePort = service.path("spec").path("ports").get(0);
        assertEquals(url.getPort(), servicePort.path("port").asInt(), "the URL's port is the Service's");
        assertEquals(postgres.path("ports").get(0).path("name").asText(), servicePort.path("targetPort").asText());
        service.path("spec").path("selector").fields().forEachRemaining(f -> assertEquals(f.getValue().asText(),
                database.path("spec").path("template").path("metadata").path("labels").path(f.getKey()).asText(),
                "the Service selects the database pod"));
        assertEquals("/" + dbEnv.get("POSTGRES_DB").path("value").asText(), url.getPath(), "the database the image creates");

        JsonNode nodeUser = nodeEnv.get("GONODE_JOBS_POSTGRES_USER").path("valueFrom").path("secretKeyRef");
        assertEquals(nodeUser, dbEnv.get("POSTGRES_USER").path("valueFrom").path("secretKeyRef"), "one role on both sides");
        String secret = nodeUser.path("name").asText();
        assertEquals(mountedFile(database, postgres, secret, "password"), dbEnv.get("POSTGRES_PASSWORD_FILE").path("value").asText(),
                "the database takes its password from the same Secret, as a file");
        JsonNode generated = object(docs, "Secret", secret);
        assertTrue(generated.path("data").has("username") && generated.path("data").has("password"));

        JsonNode claims = database.path("spec").path("volumeClaimTemplates");
        assertEquals(1, claims.size(), "the data lives on a PersistentVolumeClaim");
        String dataMount = null;
        for (JsonNode m : postgres.path("volumeMounts")) {
            if (m.path("name").asText().equals(claims.get(0).path("metadata").path("name").asText())) {
                dataMount = m.path("mountPath").asText();
            }
        }
        assertNotNull(dataMount, "the claim is mounted");
        assertTrue(dbEnv.get("PGDATA").path("value").asText().startsWith(dataMount + "/"), "PGDATA is on the claim");

        JsonNode policy = object(docs, "NetworkPolicy", "gonode-postgres");
        JsonNode rule = policy.path("spec").path("ingress").get(0);
        assertEquals(1, policy.path("spec").path("ingress").size());
        deployment.path("spec").path("template").path("metadata").path("labels");
        rule.path("from").get(0).path("podSelector").path("matchLabels").fields().forEachRemaining(f -> assertEquals(
                f.getValue().asText(), deployment.path("spec").path("template").path("metadata").path("labels").path(f.getKey()).asText(),
                "only the gonode pods reach the database"));
        assertEquals(containerPort, rule.path("ports").get(0).path("port").asInt());
    }

    /** Pods at the most: the autoscaler's maximum plus the rollout's surge. */
    static int mostPods(List<JsonNode> docs) {
        JsonNode hpa = object(docs, "HorizontalPodAutoscaler", "gonode");
        JsonNode deployment = object(docs, "Deployment", "gonode");
        return hpa.path("spec").path("maxReplicas").asInt()
                + deployment.path("spec").path("strategy").path("rollingUpdate").path("maxSurge").asInt();
    }

    static int connectionsPerPod(List<JsonNode> docs) {
        JsonNode pool = env(container(object(docs, "Deployment", "gonode"), "gonode")).get("GONODE_JOBS_POSTGRES_POOL_SIZE");
        return (pool == null ? DEFAULT_POOL_SIZE : Integer.parseInt(pool.path("value").asText())) + 1; // + LISTEN
    }

    @Test
    void theDatabaseHasAConnectionForEveryPodTheFleetCanRun() throws Exception {
        List<JsonNode> dev = Repo.kustomize("dev");
        JsonNode args = container(object(dev, "StatefulSet", "gonode-postgres"), "postgres").path("args");
        int maxConnections = -1;
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).asText().equals("-c") && args.get(i + 1).asText().startsWith("max_connections=")) {
                maxConnections = Integer.parseInt(args.get(i + 1).asText().substring("max_connections=".length()));
            }
        }
        assertTrue(maxConnections > 0, "the dev database sets max_connections: " + args);
        int need = mostPods(dev) * connectionsPerPod(dev);
        assertTrue(need <= maxConnections - RESERVED_CONNECTIONS, "dev: " + mostPods(dev) + " pods x " + connectionsPerPod(dev)
                + " connections = " + need + " exceed max_connections " + maxConnections + " less " + RESERVED_CONNECTIONS + " reserved");

        // prod's database is not ours: the overlay states the sum its operator must provide.
        List<JsonNode> prod = Repo.kustomize("prod");
        String text = Files.readString(Repo.file("k8s/overlays/prod/kustomization.yaml"));
        String stated = "(" + (mostPods(prod) - 1) + " pods + 1 surging) x (pool " + (connectionsPerPod(prod) - 1)
                + " + 1 LISTEN) = " + mostPods(prod) * connectionsPerPod(prod);
        assertTrue(text.contains(stated), "k8s/overlays/prod/kustomization.yaml states \"" + stated + "\"");
        String guide = Files.readString(Repo.file("deploy/OPERATOR-GUIDE.md"));
        assertTrue(guide.contains(String.valueOf(mostPods(prod) * connectionsPerPod(prod))), "the operator guide gives prod's sum");
    }

    @Test
    void eachPodRecordsItsOwnNameOnTheJobsItClaims() throws Exception {
        JsonNode base = Repo.manifest("k8s/base/deployment.yaml", "Deployment", "gonode").doc();
        JsonNode name = env(container(base, "gonode")).get("GONODE_NODE_NAME");
        assertNotNull(name, "GONODE_NODE_NAME is set");
        assertEquals("metadata.name", name.path("valueFrom").path("fieldRef").path("fieldPath").asText(), "the downward API's pod name");
    }
}
