package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.testhandlers.FailingHandler;
import dev.gonode.node.testhandlers.GateHandler;
import dev.gonode.testing.Await;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The public job API end to end, over real HTTP, against a node started in the test: the same
 * tests for each job store ({@link JobApiTest} on memory, {@link PostgresJobApiTest} on a real
 * PostgreSQL). A subclass starts its node in a {@code @BeforeAll} with {@link #started}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JobApiContract {

    private Node node;
    AdminClient api;

    /** Uses {@code started} for the tests. */
    void started(Node started) {
        node = started;
        api = new AdminClient("127.0.0.1", node.serverPort());
    }

    /** Whether the node keeps its jobs in the fleet's shared queue (no mailboxes to fill: the queue holds them). */
    abstract boolean sharedStore();

    @AfterAll
    void stopNode() {
        GateHandler.open();
        if (node != null) {
            node.close();
        }
    }

    @BeforeEach
    void closeTheGate() {
        GateHandler.reset();
    }

    @AfterEach
    void openTheGate() {
        GateHandler.open();
    }

    static String error(AdminClient.Reply reply) {
        return reply.json().path("error").path("code").asText();
    }

    @Test
    void echoWaitsAndAnswersTheResult() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/echo", "{\"hello\":[1,2,3]}");
        assertEquals(200, reply.status(), reply.body());
        assertEquals("succeeded", reply.json().get("status").asText());
        assertEquals("echo", reply.json().get("handler").asText());
        assertEquals("{\"hello\":[1,2,3]}", reply.json().get("result").toString());
        assertFalse(reply.json().get("id").asText().isEmpty());
    }

    @Test
    void sha256ComputesTheDigest() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/sha256", "{\"data\":\"abc\"}");
        assertEquals(200, reply.status(), reply.body());
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                reply.json().path("result").path("sha256").asText());
        AdminClient.Reply twice = api.postJson("/v1/jobs/sha256", "{\"data\":\"abc\",\"rounds\":2}");
        byte[] once = HexFormat.of().parseHex(reply.json().path("result").path("sha256").asText());
        String expected = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(once));
        assertEquals(expected, twice.json().path("result").path("sha256").asText());
    }

    @Test
    void waitFalseAnswers202WithLocationThenGetReportsTheOutcome() throws Exception {
        AdminClient.Reply accepted = api.postJson("/v1/jobs/gate?wait=false", "{\"n\":1}");
        assertEquals(202, accepted.status(), accepted.body());
        String id = accepted.json().get("id").asText();
        assertEquals("/v1/jobs/" + id, accepted.header("Location"));
        assertTrue(List.of("queued", "running").contains(accepted.json().get("status").asText()), accepted.body());

        Await.until(() -> "running".equals(api.get("/v1/jobs/" + id).json().get("status").asText()));
        GateHandler.open();
        Await.until(() -> "succeeded".equals(api.get("/v1/jobs/" + id).json().get("status").asText()));
        assertEquals("{\"n\":1}", api.get("/v1/jobs/" + id).json().get("result").toString());
    }

    @Test
    void waitFalseAlwaysAnswers202WithLocationWhateverStateTheJobHasReached() throws Exception {
        // echo finishes in microseconds, often before the answer is written: still 202.
        for (int i = 0; i < 300; i++) {
            AdminClient.Reply accepted = api.postJson("/v1/jobs/echo?wait=false", "{\"i\":" + i + "}");
            assertEquals(202, accepted.status(), accepted.body());
            assertEquals("/v1/jobs/" + accepted.json().get("id").asText(), accepted.header("Location"));
            assertTrue(List.of("queued", "running", "succeeded").contains(accepted.json().get("status").asText()),
                    accepted.body());
        }
    }

    @Test
    void unknownJobIdIs404() throws Exception {
        AdminClient.Reply reply = api.get("/v1/jobs/no-such-job");
        assertEquals(404, reply.status());
        assertEquals("not_found", error(reply));
    }

    @Test
    void unknownHandlerIs404ListingTheKnownOnes() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/nope", "{}");
        assertEquals(404, reply.status());
        assertEquals("unknown_handler", error(reply));
        String message = reply.json().path("error").path("message").asText();
        assertTrue(message.contains("echo") && message.contains("sleep") && message.contains("sha256"), message);
    }

    @Test
    void invalidJsonIs400() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/echo", "{\"unclosed\": ");
        assertEquals(400, reply.status());
        assertEquals("invalid_json", error(reply));
        AdminClient.Reply empty = api.postJson("/v1/jobs/echo", "");
        assertEquals(400, empty.status());
        assertEquals("invalid_json", error(empty));
    }

    @Test
    void payloadRejectedByTheHandlerIs400WithItsMessage() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/sleep", "{\"ms\":\"soon\"}");
        assertEquals(400, reply.status(), reply.body());
        assertEquals("payload_rejected", error(reply));
        assertTrue(reply.json().path("error").path("message").asText().contains("ms"), reply.body());
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        String big = "{\"data\":\"" + "x".repeat(5000) + "\"}";
        AdminClient.Reply reply = api.postJson("/v1/jobs/echo", big);
        assertEquals(413, reply.status(), reply.body());
        assertEquals("payload_too_large", error(reply));
    }

    @Test
    void notJsonIs415() throws Exception {
        AdminClient.Reply reply = api.send("POST", "/v1/jobs/echo", "hello", Map.of("Content-Type", "text/plain"));
        assertEquals(415, reply.status(), reply.body());
        assertEquals("unsupported_media_type", error(reply));
    }

    @Test
    void badQueryParametersAre400NamingThem() throws Exception {
        AdminClient.Reply wait = api.postJson("/v1/jobs/echo?wait=maybe", "{}");
        assertEquals(400, wait.status());
        assertTrue(wait.json().path("error").path("message").asText().contains("wait=maybe"), wait.body());
        AdminClient.Reply timeout = api.postJson("/v1/jobs/echo?timeout=soon", "{}");
        assertEquals(400, timeout.status());
        assertTrue(timeout.json().path("error").path("message").asText().contains("timeout=soon"), timeout.body());
        AdminClient.Reply tooLong = api.postJson("/v1/jobs/echo?timeout=10h", "{}");
        assertEquals(400, tooLong.status());
    }

    @Test
    void deadlineExceededIs504EvenIfTheHandlerWouldRunOn() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/gate?timeout=50ms", "{}");
        assertEquals(504, reply.status(), reply.body());
        assertEquals("deadline_exceeded", error(reply));
        assertEquals("failed", reply.json().get("status").asText());
    }

    @Test
    void sleepHonoursItsDeadline() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/sleep?timeout=100ms", "{\"ms\":600000}");
        assertEquals(504, reply.status(), reply.body());
    }

    @Test
    void handlerThatThrowsIs500WithAnErrorIdAndNoDetails() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/boom", "{}");
        assertEquals(500, reply.status(), reply.body());
        assertEquals("handler_failed", error(reply));
        assertFalse(reply.body().contains(FailingHandler.SECRET), "no internals in the answer: " + reply.body());
        assertFalse(reply.body().contains("IllegalStateException"), reply.body());
        assertTrue(reply.json().path("error").path("message").asText().contains("error id"), reply.body());
        // One failed job does not hurt the next.
        assertEquals(200, api.postJson("/v1/jobs/echo", "{}").status());
    }

    @Test
    void unknownJobUuidIs404() throws Exception {
        AdminClient.Reply reply = api.get("/v1/jobs/01890a5d-ac96-774b-bcce-b302099a8057");
        assertEquals(404, reply.status(), reply.body());
        assertEquals("not_found", error(reply));
    }

    @Test
    void fullMailboxIs429WithRetryAfterAndEveryAcceptedJobIsAnswered() throws Exception {
        Assumptions.assumeFalse(sharedStore(), "the shared queue has no mailbox limit: see jobsBeyondCapacityWait");
        // gate: 2 workers, mailbox 2, so 4 jobs fit (2 running, 2 queued); the 5th is refused.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ids.add(api.postJson("/v1/jobs/gate?wait=false", "{\"i\":" + i + "}").json().get("id").asText());
        }
        Await.until(() -> GateHandler.running() == 2);
        for (int i = 2; i < 4; i++) {
            AdminClient.Reply accepted = api.postJson("/v1/jobs/gate?wait=false", "{\"i\":" + i + "}");
            assertEquals(202, accepted.status(), accepted.body());
            ids.add(accepted.json().get("id").asText());
        }
        AdminClient.Reply refused = api.postJson("/v1/jobs/gate?wait=false", "{\"i\":4}");
        assertEquals(429, refused.status(), refused.body());
        assertEquals("mailbox_full", error(refused));
        assertEquals("1", refused.header("Retry-After"));

        GateHandler.open();
        for (String id : ids) {
            Await.until(() -> "succeeded".equals(api.get("/v1/jobs/" + id).json().get("status").asText()));
        }
    }

    @Test
    void jobsBeyondCapacityWaitQueuedAndAllFinish() throws Exception {
        // gate holds 4 jobs on a node (2 running, 2 waiting); on the shared queue the rest wait there.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < (sharedStore() ? 8 : 4); i++) {
            AdminClient.Reply accepted = api.postJson("/v1/jobs/gate?wait=false", "{\"i\":" + i + "}");
            assertEquals(202, accepted.status(), accepted.body());
            ids.add(accepted.json().get("id").asText());
        }
        Await.until(() -> GateHandler.running() == 2);
        assertEquals("queued", api.get("/v1/jobs/" + ids.getLast()).json().get("status").asText());
        GateHandler.open();
        for (String id : ids) {
            Await.until(() -> "succeeded".equals(api.get("/v1/jobs/" + id).json().get("status").asText()));
        }
    }

    @Test
    void repeatWithTheSameIdempotencyKeyReturnsTheFirstJob() throws Exception {
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Idempotency-Key", "order-42");
        AdminClient.Reply first = api.send("POST", "/v1/jobs/gate?wait=false", "{\"v\":1}", headers);
        AdminClient.Reply again = api.send("POST", "/v1/jobs/gate?wait=false", "{\"v\":2}", headers);
        assertEquals(first.json().get("id").asText(), again.json().get("id").asText());
        CompletableFuture<AdminClient.Reply> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return api.send("POST", "/v1/jobs/gate", "{\"v\":3}", headers);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        GateHandler.open();
        AdminClient.Reply waited = waiting.get(30, TimeUnit.SECONDS);
        assertEquals(200, waited.status(), waited.body());
        assertEquals(first.json().get("id").asText(), waited.json().get("id").asText());
        assertEquals("{\"v\":1}", waited.json().get("result").toString(), "the first job's result, run once");

        AdminClient.Reply otherKey = api.send("POST", "/v1/jobs/echo", "{}",
                Map.of("Content-Type", "application/json", "Idempotency-Key", "order-43"));
        assertNotEquals(first.json().get("id").asText(), otherKey.json().get("id").asText());
    }

    @Test
    void manyConcurrentCallersAllGetTheirOwnAnswer() throws Exception {
        List<CompletableFuture<AdminClient.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String body = "{\"i\":" + i + "}";
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return api.postJson("/v1/jobs/echo", body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < calls.size(); i++) {
            JsonNode json = calls.get(i).get(60, TimeUnit.SECONDS).json();
            assertNotNull(json);
            assertEquals(i, json.path("result").path("i").asInt(), json.toString());
        }
    }
}
