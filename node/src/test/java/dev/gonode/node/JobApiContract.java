package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.testhandlers.CountingHandler;
import dev.gonode.node.testhandlers.FailingHandler;
import dev.gonode.node.testhandlers.GateHandler;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        AdminClient admin = new AdminClient("127.0.0.1", node.adminPort());
        // A gate job still waiting (in a mailbox, the queue or for its retry) would run into the
        // next test's closed gate and take its capacity.
        Await.until("every gate job of the test has ended", () -> admin.get("/admin/jobs?handler=gate&state=queued,running&limit=1")
                .json().get("jobs").isEmpty());
    }

    List<String> statuses(List<String> ids) throws Exception {
        List<String> statuses = new ArrayList<>();
        for (String id : ids) {
            statuses.add(api.get("/v1/jobs/" + id).json().get("status").asText());
        }
        return statuses;
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

    // ---------------------------------------------------------------- retries

    private static Duration duration(JsonNode text) {
        return dev.gonode.runtime.GoDuration.parse(text.asText());
    }

    private static Duration gap(JsonNode errors, int from) {
        return Duration.between(Instant.parse(errors.get(from).path("at").asText()),
                Instant.parse(errors.get(from + 1).path("at").asText()));
    }

    /**
     * The gap between the ends of failed attempts {@code failed} and {@code failed + 1}: the
     * backoff (drawn from [step/2, step]) plus the claim and the next attempt's run. Never sooner
     * than half the step; later by at most a poll interval and scheduling slack (3 s: the machine may
     * be loaded).
     */
    private static void assertBackoff(JsonNode errors, int failed, String body) {
        Duration step = TestNodes.TEST_BACKOFF.multipliedBy(1L << (failed - 1));
        Duration gap = gap(errors, failed - 1);
        assertTrue(gap.compareTo(step.dividedBy(2)) >= 0, "retry " + failed + " came after " + gap
                + ", sooner than half its backoff step " + step + ": " + body);
        assertTrue(gap.compareTo(step.plus(Duration.ofSeconds(3))) <= 0, "retry " + failed + " came after " + gap
                + ", far beyond its backoff step " + step + ": " + body);
    }

    @Test
    void flakyThatFailsTwiceSucceedsOnItsThirdAttemptAndTheCallerWaitsAcrossTheRetries() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/flaky", "{\"fail_attempts\":2}");
        assertEquals(200, reply.status(), reply.body());
        assertEquals("succeeded", reply.json().path("status").asText());
        assertEquals(3, reply.json().path("result").path("attempt").asInt(), reply.body());
        assertEquals(3, reply.json().path("attempt").asInt(), reply.body());
        assertEquals(3, reply.json().path("maxAttempts").asInt(), reply.body());
        JsonNode errors = reply.json().path("errors");
        assertEquals(2, errors.size(), reply.body());
        for (int i = 0; i < 2; i++) {
            assertEquals(i + 1, errors.get(i).path("attempt").asInt(), reply.body());
            assertEquals("handler_failed", errors.get(i).path("code").asText(), reply.body());
            assertFalse(errors.get(i).path("errorId").asText().isEmpty(), reply.body());
            assertTrue(errors.get(i).path("message").asText().contains(errors.get(i).path("errorId").asText()),
                    reply.body());
        }
        assertBackoff(errors, 1, reply.body());
        String id = reply.json().path("id").asText();
        assertEquals(reply.json().path("errors"), api.get("/v1/jobs/" + id).json().path("errors"), "GET shows them too");
    }

    @Test
    void flakyThatFailsFiveTimesIsDiscardedAfterThreeAttemptsWithThreeErrors() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/flaky", "{\"fail_attempts\":5}");
        assertEquals(500, reply.status(), reply.body());
        assertEquals("handler_failed", error(reply));
        assertEquals("discarded", reply.json().path("status").asText(), reply.body());
        JsonNode errors = reply.json().path("errors");
        assertEquals(3, errors.size(), reply.body());
        assertEquals(List.of(1, 2, 3), List.of(errors.get(0).path("attempt").asInt(), errors.get(1).path("attempt").asInt(),
                errors.get(2).path("attempt").asInt()));
        assertBackoff(errors, 1, reply.body());
        assertBackoff(errors, 2, reply.body());
        AdminClient.Reply later = api.get("/v1/jobs/" + reply.json().path("id").asText());
        assertEquals("discarded", later.json().path("status").asText(), "queryable after it died: " + later.body());
        assertEquals(3, later.json().path("errors").size(), later.body());
    }

    @Test
    void flakyAsyncIsRetriedWithoutShowingAFinalStatusBeforeItSucceeds() throws Exception {
        AdminClient.Reply accepted = api.postJson("/v1/jobs/flaky?wait=false", "{\"fail_attempts\":1}");
        assertEquals(202, accepted.status(), accepted.body());
        String id = accepted.json().path("id").asText();
        List<String> seen = new ArrayList<>();
        Await.until(() -> {
            String status = api.get("/v1/jobs/" + id).json().path("status").asText();
            if (seen.isEmpty() || !seen.getLast().equals(status)) {
                seen.add(status);
            }
            return status.equals("succeeded");
        });
        AdminClient.Reply done = api.get("/v1/jobs/" + id);
        assertEquals(2, done.json().path("result").path("attempt").asInt(), done.body());
        assertEquals(1, done.json().path("errors").size(), done.body());
        assertTrue(List.of("queued", "running", "retryable", "succeeded").containsAll(seen), seen.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"fail_attempts\":-1}", "{\"fail_attempts\":1001}", "{\"fail_attempts\":\"2\"}",
            "{\"fail_attempts\":1.5}", "{\"fail_attempts\":null}", "{\"fail_attempts\":18446744073709551617}", "{}"})
    void flakyRefusesABadFailAttemptsWith400NamingItAndNeverRetriesIt(String payload) throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/flaky", payload);
        assertEquals(400, reply.status(), reply.body());
        assertEquals("payload_rejected", error(reply));
        assertTrue(reply.json().path("error").path("message").asText().contains("fail_attempts"), reply.body());
        assertEquals("failed", reply.json().path("status").asText(), reply.body());
        assertEquals(1, reply.json().path("attempt").asInt(), "a rejected payload is not retried: " + reply.body());
    }

    @Test
    void aDeadlineIsRetriedAndEachAttemptGetsTheWholeDeadline() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/sleep?timeout=100ms", "{\"ms\":600000}");
        assertEquals(504, reply.status(), reply.body());
        assertEquals("discarded", reply.json().path("status").asText(), reply.body());
        JsonNode errors = reply.json().path("errors");
        assertEquals(3, errors.size(), reply.body());
        for (JsonNode e : errors) {
            assertEquals("deadline_exceeded", e.path("code").asText(), reply.body());
        }
    }

    // ---------------------------------------------------------------- scheduled jobs

    @Test
    void aJobScheduledTwoSecondsAheadWaitsScheduledThenRunsOnce() throws Exception {
        AdminClient.Reply accepted = api.postJson("/v1/jobs/echo?delay=2s", "{\"when\":\"later\"}");
        assertEquals(202, accepted.status(), accepted.body());
        assertEquals("scheduled", accepted.json().path("status").asText(), accepted.body());
        String id = accepted.json().path("id").asText();
        Instant created = Instant.parse(accepted.json().path("createdAt").asText());
        Instant due = Instant.parse(accepted.json().path("scheduledAt").asText());
        Duration ahead = Duration.between(created, due);
        assertTrue(ahead.compareTo(Duration.ofMillis(1900)) >= 0 && ahead.compareTo(Duration.ofMillis(2500)) <= 0,
                "due " + ahead + " after creation: " + accepted.body());
        Await.until(() -> "succeeded".equals(api.get("/v1/jobs/" + id).json().path("status").asText()));
        AdminClient.Reply done = api.get("/v1/jobs/" + id);
        assertTrue(duration(done.json().path("queuedFor")).compareTo(Duration.ofMillis(1990)) >= 0,
                "it started before it was due: " + done.body());
        assertEquals(1, done.json().path("attempt").asInt(), "it ran once: " + done.body());
        assertEquals("{\"when\":\"later\"}", done.json().path("result").toString());
    }

    @Test
    void runAtSchedulesAtThatTime() throws Exception {
        Instant at = Instant.now().plusMillis(1200);
        AdminClient.Reply accepted = api.postJson("/v1/jobs/echo?run_at=" + at, "{}");
        assertEquals(202, accepted.status(), accepted.body());
        assertEquals("scheduled", accepted.json().path("status").asText(), accepted.body());
        String id = accepted.json().path("id").asText();
        Await.until(() -> "succeeded".equals(api.get("/v1/jobs/" + id).json().path("status").asText()));
        AdminClient.Reply done = api.get("/v1/jobs/" + id);
        Instant started = Instant.parse(done.json().path("createdAt").asText()).plus(duration(done.json().path("queuedFor")));
        assertFalse(started.isBefore(at.minusMillis(50)), "started at " + started + ", before run_at " + at);
    }

    @Test
    void runAtJustPastWithinTheToleranceRunsNow() throws Exception {
        AdminClient.Reply accepted = api.postJson("/v1/jobs/echo?run_at=" + Instant.now().minusSeconds(60), "{}");
        assertEquals(202, accepted.status(), accepted.body());
        String id = accepted.json().path("id").asText();
        Await.until(() -> "succeeded".equals(api.get("/v1/jobs/" + id).json().path("status").asText()));
    }

    @Test
    void badSchedulesAre400NamingTheParameter() throws Exception {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("run_at=tomorrow", "run_at");
        refused.put("run_at=2030-01-02T15:04:05", "run_at"); // no offset
        refused.put("run_at=" + Instant.now().minus(Duration.ofHours(1)), "run_at");
        refused.put("run_at=" + Instant.now().plus(Duration.ofDays(31)), "run_at");
        refused.put("delay=-5s", "delay");
        refused.put("delay=10000h", "delay");
        refused.put("delay=soon", "delay");
        refused.put("delay=99999999999999999999h", "delay");
        refused.put("delay=1s&run_at=" + Instant.now().plusSeconds(5), "run_at");
        refused.put("delay=1s&wait=true", "wait");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            AdminClient.Reply reply = api.postJson("/v1/jobs/echo?" + bad.getKey(), "{}");
            assertEquals(400, reply.status(), bad.getKey() + ": " + reply.body());
            assertEquals("bad_request", error(reply), reply.body());
            assertTrue(reply.json().path("error").path("message").asText().contains(bad.getValue()),
                    bad.getKey() + " should name " + bad.getValue() + ": " + reply.body());
        }
    }

    // ---------------------------------------------------------------- unique jobs

    @Test
    void aDuplicateWithinTheUniquenessWindowIsTheSameJobRunOnce() throws Exception {
        String nonce = UUID.randomUUID().toString();
        int before = CountingHandler.runs();
        AdminClient.Reply first = api.postJson("/v1/jobs/counter", "{\"n\":\"" + nonce + "\",\"k\":1}");
        assertEquals(200, first.status(), first.body());
        AdminClient.Reply again = api.postJson("/v1/jobs/counter", "{\"k\":1,\"n\":\"" + nonce + "\"}");
        assertEquals(200, again.status(), again.body());
        assertEquals(first.json().path("id").asText(), again.json().path("id").asText(), "keys in another order");
        assertEquals(first.json().path("result"), again.json().path("result"));
        assertEquals(before + 1, CountingHandler.runs());
        AdminClient.Reply other = api.postJson("/v1/jobs/counter", "{\"n\":\"" + nonce + "\",\"k\":2}");
        assertNotEquals(first.json().path("id").asText(), other.json().path("id").asText());
        AdminClient.Reply keyed = api.send("POST", "/v1/jobs/counter", "{\"n\":\"" + nonce + "\",\"k\":1}",
                Map.of("Content-Type", "application/json", "Idempotency-Key", nonce));
        assertNotEquals(first.json().path("id").asText(), keyed.json().path("id").asText(),
                "an Idempotency-Key takes the place of the payload's uniqueness");
    }

    @Test
    void concurrentDuplicatesWithinTheWindowMakeOneJob() throws Exception {
        String body = "{\"n\":\"" + UUID.randomUUID() + "\"}";
        int before = CountingHandler.runs();
        List<CompletableFuture<AdminClient.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return api.postJson("/v1/jobs/counter", body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (CompletableFuture<AdminClient.Reply> call : calls) {
            AdminClient.Reply reply = call.get(30, TimeUnit.SECONDS);
            assertEquals(200, reply.status(), reply.body());
            ids.add(reply.json().path("id").asText());
        }
        assertEquals(1, ids.size(), ids.toString());
        assertEquals(before + 1, CountingHandler.runs());
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancellingAScheduledJobEndsItAtOnceAndASecondCancelIs409() throws Exception {
        String id = api.postJson("/v1/jobs/echo?delay=1h", "{}").json().path("id").asText();
        AdminClient.Reply cancelled = api.send("DELETE", "/v1/jobs/" + id);
        assertEquals(200, cancelled.status(), cancelled.body());
        assertEquals("cancelled", cancelled.json().path("status").asText(), cancelled.body());
        assertEquals("cancelled", api.get("/v1/jobs/" + id).json().path("status").asText());
        AdminClient.Reply again = api.send("DELETE", "/v1/jobs/" + id);
        assertEquals(409, again.status(), again.body());
        assertEquals("already_finished", error(again));
        assertTrue(again.json().path("error").path("message").asText().contains("cancelled"), again.body());
    }

    @Test
    void cancellingAFinishedJobIs409NamingItsState() throws Exception {
        String id = api.postJson("/v1/jobs/echo", "{}").json().path("id").asText();
        AdminClient.Reply reply = api.send("DELETE", "/v1/jobs/" + id);
        assertEquals(409, reply.status(), reply.body());
        assertTrue(reply.json().path("error").path("message").asText().contains("succeeded"), reply.body());
    }

    @Test
    void cancellingAnUnknownJobIs404() throws Exception {
        for (String id : List.of("01890a5d-ac96-774b-bcce-b302099a8057", "no-such-job")) {
            AdminClient.Reply reply = api.send("DELETE", "/v1/jobs/" + id);
            assertEquals(404, reply.status(), reply.body());
            assertEquals("not_found", error(reply));
        }
    }

    @Test
    void cancellingARunningJobStopsItAndAnswersItsWaitingCaller409() throws Exception {
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Idempotency-Key", UUID.randomUUID().toString());
        String id = api.send("POST", "/v1/jobs/sleep?wait=false", "{\"ms\":60000}", headers).json().path("id").asText();
        Await.until(() -> "running".equals(api.get("/v1/jobs/" + id).json().path("status").asText()));
        CompletableFuture<AdminClient.Reply> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return api.send("POST", "/v1/jobs/sleep", "{\"ms\":60000}", headers);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long start = System.nanoTime();
        AdminClient.Reply cancelled = api.send("DELETE", "/v1/jobs/" + id);
        assertEquals(200, cancelled.status(), cancelled.body());
        AdminClient.Reply waited = waiting.get(30, TimeUnit.SECONDS);
        assertEquals(409, waited.status(), waited.body());
        assertEquals("cancelled", error(waited));
        assertEquals("cancelled", waited.json().path("status").asText());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0);
        assertEquals("cancelled", api.get("/v1/jobs/" + id).json().path("status").asText());
    }
}
