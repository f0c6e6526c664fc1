package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may cancel a job on the public port: with {@code admin.token} set, only a caller that has it. */
class JobCancelAccessTest {

    @Test
    void withAnAdminTokenCancellingNeedsItAndReadingDoesNot() throws Exception {
        NodeConfig config = TestNodes.config().withAdmin(new NodeConfig.Admin("127.0.0.1", 0, "t0ken"));
        try (Node node = Node.start(config)) {
            AdminClient api = new AdminClient("127.0.0.1", node.serverPort());
            String id = api.postJson("/v1/jobs/echo?delay=1h", "{}").json().path("id").asText();

            AdminClient.Reply missing = api.send("DELETE", "/v1/jobs/" + id);
            assertEquals(401, missing.status(), missing.body());
            assertEquals("unauthorized", missing.json().path("error").path("code").asText());
            assertTrue(missing.header("WWW-Authenticate").startsWith("Bearer"));
            AdminClient.Reply wrong = api.send("DELETE", "/v1/jobs/" + id, null, Map.of("Authorization", "Bearer nope"));
            assertEquals(401, wrong.status(), wrong.body());
            assertEquals("scheduled", api.get("/v1/jobs/" + id).json().path("status").asText(), "refused: unchanged");

            AdminClient.Reply right = api.send("DELETE", "/v1/jobs/" + id, null, Map.of("Authorization", "Bearer t0ken"));
            assertEquals(200, right.status(), right.body());
            assertEquals("cancelled", api.get("/v1/jobs/" + id).json().path("status").asText());
        }
    }
}
