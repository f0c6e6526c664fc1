package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may use the admin port: the token, and the refusal to serve debug data wide open. */
class AdminAccessTest {

    @Test
    void withATokenEveryAdminEndpointButTheProbesNeedsIt() throws Exception {
        NodeConfig config = TestNodes.config().withAdmin(new NodeConfig.Admin("127.0.0.1", 0, "t0ken"));
        try (Node node = Node.start(config)) {
            AdminClient admin = new AdminClient("127.0.0.1", node.adminPort());
            assertEquals(200, admin.get("/healthz").status());
            assertEquals(200, admin.get("/readyz").status());

            AdminClient.Reply missing = admin.get("/debug/sched");
            assertEquals(401, missing.status(), missing.body());
            assertEquals("unauthorized", missing.json().path("error").path("code").asText());
            assertTrue(missing.header("WWW-Authenticate").startsWith("Bearer"));

            AdminClient.Reply wrong = admin.send("GET", "/debug/sched", null, Map.of("Authorization", "Bearer nope"));
            assertEquals(401, wrong.status());
            AdminClient.Reply right = admin.send("GET", "/debug/sched", null, Map.of("Authorization", "Bearer t0ken"));
            assertEquals(200, right.status(), right.body());
            AdminClient.Reply drain = admin.send("POST", "/admin/drain", null, Map.of());
            assertEquals(401, drain.status(), "drain needs the token too");
        }
    }

    @Test
    void boundBeyondLoopbackWithoutATokenDebugEndpointsAre403ButProbesWork() throws Exception {
        NodeConfig config = TestNodes.config().withAdmin(new NodeConfig.Admin("0.0.0.0", 0, ""));
        try (Node node = Node.start(config)) {
            AdminClient admin = new AdminClient("127.0.0.1", node.adminPort());
            assertEquals(200, admin.get("/healthz").status());
            assertEquals(200, admin.get("/readyz").status());
            AdminClient.Reply sched = admin.get("/debug/sched");
            assertEquals(403, sched.status(), sched.body());
            assertTrue(sched.json().path("error").path("message").asText().contains("GONODE_ADMIN_TOKEN"), sched.body());
            assertEquals(403, admin.send("PUT", "/admin/gomaxprocs", "{\"gomaxprocs\":1}", Map.of()).status());
        }
    }

    @Test
    void gomaxprocsCanBeReadAndSetAndBadValuesAreRefused() throws Exception {
        try (Node node = Node.start(TestNodes.config())) {
            AdminClient admin = new AdminClient("127.0.0.1", node.adminPort());
            int before = admin.get("/admin/gomaxprocs").json().get("gomaxprocs").asInt();
            try {
                AdminClient.Reply set = admin.send("PUT", "/admin/gomaxprocs", "{\"gomaxprocs\":3}",
                        Map.of("Content-Type", "application/json"));
                assertEquals(200, set.status(), set.body());
                assertEquals(before, set.json().get("previous").asInt());
                assertEquals(3, admin.get("/admin/gomaxprocs").json().get("gomaxprocs").asInt());
                assertEquals(400, admin.send("PUT", "/admin/gomaxprocs", "{\"gomaxprocs\":0}", Map.of()).status());
                assertEquals(400, admin.send("PUT", "/admin/gomaxprocs", "{\"n\":2}", Map.of()).status());
                assertEquals(400, admin.send("PUT", "/admin/gomaxprocs", "two", Map.of()).status());
            } finally {
                admin.send("PUT", "/admin/gomaxprocs", "{\"gomaxprocs\":" + before + "}", Map.of());
            }
        }
    }

    @Test
    void postDrainTurnsReadinessOffAndRefusesJobs() throws Exception {
        try (Node node = Node.start(TestNodes.config())) {
            AdminClient admin = new AdminClient("127.0.0.1", node.adminPort());
            AdminClient api = new AdminClient("127.0.0.1", node.serverPort());
            assertEquals(200, api.postJson("/v1/jobs/echo", "{}").status());
            AdminClient.Reply drained = admin.send("POST", "/admin/drain?wait=true", null, Map.of());
            assertEquals(200, drained.status(), drained.body());
            assertEquals("drained", drained.json().get("status").asText());
            assertEquals(503, admin.get("/readyz").status());
            AdminClient.Reply refused = api.postJson("/v1/jobs/echo", "{}");
            assertEquals(503, refused.status());
            assertEquals("close", refused.header("Connection"));
            assertEquals(200, admin.get("/healthz").status(), "a drained node is still alive");
        }
    }
}
