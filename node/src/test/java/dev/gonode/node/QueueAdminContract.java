package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.testhandlers.GateHandler;
import dev.gonode.testing.Await;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The queue admin on the admin port, over real HTTP against a node started in the test: the same
 * tests on each store ({@link QueueAdminTest} on memory, {@link PostgresQueueAdminTest} on a real
 * PostgreSQL). Each test tells its jobs apart from the others' by a time range that starts when
 * it does, or by a handler only it uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class QueueAdminContract {

    private Node node;
    AdminClient api;
    AdminClient admin;

    void started(Node started) {
        node = started;
        api = new AdminClient("127.0.0.1", node.serverPort());
        admin = new AdminClient("127.0.0.1", node.adminPort());
    }

    /** Whether the node keeps its jobs in the fleet's shared queue. */
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
    void openTheGate() throws Exception {
        GateHandler.open();
        Await.until("no gate job is left running", () -> GateHandler.running() == 0);
        // nor waiting (in a mailbox, the queue or for its retry): it would run into the next
        // test's closed gate and take its capacity
        Await.until("every gate job of the test has ended", () -> admin.get("/admin/jobs?handler=gate&state=queued,running&limit=1")
                .json().get("jobs").isEmpty());
    }

    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    /** Submits without waiting; the new job's id. */
    String submit(String handler, String payload) throws Exception {
        AdminClient.Reply r = api.send("POST", "/v1/jobs/" + handler + "?wait=false", payload, JSON);
        assertEquals(202, r.status(), r.body());
        return r.json().get("id").asText();
    }

    JsonNode job(String id) throws Exception {
        AdminClient.Reply r = admin.get("/admin/jobs/" + id);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    void awaitState(String id, Set<String> states) {
        Await.until(Await.TIMEOUT, () -> "job " + id + " reaches " + states, () -> states.contains(job(id).path("state").asText()));
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A moment before anything the test does, on both clocks (the node's and the database's). */
    static Instant startOfTest() {
        return Instant.now().minusMillis(5);
    }

    @Test
    void listsNewestFirstInKeysetPagesThatNeverSkipOrRepeatAJob() throws Exception {
        Instant since = startOfTest();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(submit("echo", "{\"page\":" + i + "}"));
        }
        for (String id : ids) {
            awaitState(id, Set.of("succeeded"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            AdminClient.Reply page = admin.get("/admin/jobs?handler=echo&limit=3&since=" + q(since.toString())
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.status(), page.body());
            page.json().get("jobs").forEach(j -> seen.add(j.get("id").asText()));
            assertTrue(page.json().get("jobs").size() <= 3, page.body());
            cursor = page.json().has("nextCursor") ? page.json().get("nextCursor").asText() : null;
            if (pages == 0) {
                ids.add(submit("echo", "{\"page\":\"between pages\"}")); // newer: must not shift the pages
            }
            pages++;
        } while (cursor != null);
        assertEquals(3, pages, "7 jobs in pages of 3: " + seen);
        List<String> expected = new ArrayList<>(ids.subList(0, 7));
        // newest first: the listing's order by creation, which the ids' order of submission follows
        List<String> created = new ArrayList<>();
        for (String id : expected) {
            created.add(job(id).get("createdAt").asText() + " " + id);
        }
        created.sort(java.util.Comparator.reverseOrder());
        assertEquals(created.stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList(), seen);
        JsonNode first = admin.get("/admin/jobs?handler=echo&limit=1&since=" + q(since.toString())).json();
        assertEquals(ids.getLast(), first.get("jobs").get(0).get("id").asText(), "the job between pages is now first");
    }

    @Test
    void filtersByStateHandlerAndTimeRange() throws Exception {
        Instant since = startOfTest();
        String ok = submit("echo", "{\"filter\":1}");
        String bad = submit("boom", "{\"filter\":2}");
        String held = submit("gate", "{\"filter\":3}");
        awaitState(ok, Set.of("succeeded"));
        awaitState(bad, Set.of("failed", "discarded"));
        awaitState(held, Set.of("running"));
        // From this test's first job on: a job an earlier test made a moment before the test began
        // would otherwise fall in a margin taken before the test's start.
        String range = "&since=" + q(job(ok).get("createdAt").asText());

        assertEquals(List.of(held), ids("/admin/jobs?state=running&handler=gate" + range));
        assertEquals(List.of(ok), ids("/admin/jobs?state=succeeded&handler=echo" + range));
        assertEquals(List.of(bad), ids("/admin/jobs?state=failed,discarded" + range + "&handler=boom"));
        assertEquals(List.of(), ids("/admin/jobs?state=queued&handler=gate" + range));
        List<String> all = ids("/admin/jobs?limit=500" + range);
        assertTrue(all.containsAll(List.of(ok, bad, held)), all.toString());
        List<String> before = ids("/admin/jobs?until=" + q(since.toString()) + "&since="
                + q(since.minusSeconds(60).toString()) + "&limit=500");
        assertFalse(before.contains(ok) || before.contains(bad) || before.contains(held), "until excludes later jobs");
        JsonNode running = admin.get("/admin/jobs?state=running&handler=gate" + range).json().get("jobs").get(0);
        assertEquals("running", running.get("status").asText());
        assertTrue(running.get("attempt").asInt() >= 1, running.toString());
    }

    private List<String> ids(String path) throws Exception {
        AdminClient.Reply r = admin.get(path);
        assertEquals(200, r.status(), path + ": " + r.body());
        List<String> ids = new ArrayList<>();
        r.json().get("jobs").forEach(j -> ids.add(j.get("id").asText()));
        return ids;
    }

    @Test
    void everyBadQueryParameterIsA400NamingIt() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("state=bogus", "state");
        cases.put("state=running,", "state");
        cases.put("limit=0", "limit");
        cases.put("limit=501", "limit");
        cases.put("limit=ten", "limit");
        cases.put("limit=99999999999999999999", "limit");
        cases.put("since=yesterday", "since");
        cases.put("until=2025-13-01T00:00:00Z", "until");
        cases.put("since=2025-02-01T00:00:00Z&until=2025-01-01T00:00:00Z", "until");
        cases.put("cursor=not-a-cursor", "cursor");
        cases.put("cursor=" + java.util.Base64.getUrlEncoder().encodeToString("1|2".getBytes(StandardCharsets.UTF_8)),
                "cursor");
        cases.put("handler=Not%20A%20Handler", "handler");
        cases.put("frobnicate=1", "frobnicate");
        cases.put("limit=5&limit=6", "limit");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            AdminClient.Reply r = admin.get("/admin/jobs?" + c.getKey());
            assertEquals(400, r.status(), c.getKey() + ": " + r.body());
            assertEquals("bad_request", r.json().path("error").path("code").asText(), r.body());
            assertTrue(r.json().path("error").path("message").asText().contains(c.getValue()),
                    c.getKey() + " must name " + c.getValue() + ": " + r.body());
        }
        AdminClient.Reply extra = admin.get("/admin/jobs/stats?verbose=1");
        assertEquals(400, extra.status(), extra.body());
        assertTrue(extra.body().contains("verbose"), extra.body());
    }

    @Test
    void anUnknownIdIs404ForLookupRetryAndCancel() throws Exception {
        for (String id : List.of(UUID.randomUUID().toString(), "no-such-job", "%E2%98%83")) {
            assertEquals(404, admin.get("/admin/jobs/" + id).status(), id);
            AdminClient.Reply retry = admin.send("POST", "/admin/jobs/" + id + "/retry");
            assertEquals(404, retry.status(), retry.body());
            assertEquals("not_found", retry.json().path("error").path("code").asText());
            assertEquals(404, admin.send("POST", "/admin/jobs/" + id + "/cancel").status(), id);
        }
    }

    @Test
    void aJobShowsItsPayloadStateAndEveryAttemptsError() throws Exception {
        String bad = submit("boom", "{\"show\":true}");
        awaitState(bad, Set.of("failed", "discarded"));
        JsonNode job = job(bad);
        assertEquals("boom", job.get("handler").asText());
        assertEquals("handler_failed", job.get("errorCode").asText(), job.toString());
        assertEquals("handler_failed", job.get("error").get("code").asText(), job.toString());
        assertTrue(job.get("errors").isArray() && !job.get("errors").isEmpty(), job.toString());
        assertEquals("handler_failed", job.get("errors").get(0).get("code").asText(), job.toString());
        assertFalse(job.toString().contains("boom: "), "the handler's exception message stays in the log: " + job);
        assertTrue(job.has("createdAt") && job.has("finishedAt"), job.toString());
        if (sharedStore()) {
            assertEquals("{\"show\":true}", job.get("payload").toString(), "the table keeps the payload");
        }
    }

    @Test
    void retryingARunningOrWaitingJobIs409AndCancelEndsIt() throws Exception {
        String held = submit("gate", "{\"cancel\":1}");
        awaitState(held, Set.of("running"));
        AdminClient.Reply retry = admin.send("POST", "/admin/jobs/" + held + "/retry");
        assertEquals(409, retry.status(), retry.body());
        assertEquals("not_retryable", retry.json().path("error").path("code").asText());
        assertTrue(retry.json().path("error").path("message").asText().contains("running"), retry.body());

        AdminClient.Reply cancel = admin.send("POST", "/admin/jobs/" + held + "/cancel");
        assertEquals(200, cancel.status(), cancel.body());
        assertEquals("cancelled", cancel.json().get("state").asText(), cancel.body());
        assertEquals("cancelled", api.get("/v1/jobs/" + held).json().get("status").asText());
        Await.until("the cancelled job's handler has returned", () -> GateHandler.running() == 0);

        AdminClient.Reply again = admin.send("POST", "/admin/jobs/" + held + "/cancel");
        assertEquals(409, again.status(), again.body());
        assertEquals("not_cancellable", again.json().path("error").path("code").asText());

        String ok = submit("echo", "{\"retry\":\"succeeded\"}");
        awaitState(ok, Set.of("succeeded"));
        AdminClient.Reply succeeded = admin.send("POST", "/admin/jobs/" + ok + "/retry");
        assertEquals(409, succeeded.status(), succeeded.body());
        assertTrue(succeeded.body().contains("succeeded"), succeeded.body());
    }

    @Test
    void statsCountJobsByHandlerAndState() throws Exception {
        String held = submit("gate", "{\"stats\":1}");
        awaitState(held, Set.of("running"));
        String done = submit("echo", "{\"stats\":2}");
        awaitState(done, Set.of("succeeded"));
        AdminClient.Reply r = admin.get("/admin/jobs/stats");
        assertEquals(200, r.status(), r.body());
        JsonNode stats = r.json();
        assertEquals(sharedStore() ? "postgres" : "memory", stats.get("store").asText());
        JsonNode gate = null;
        for (JsonNode h : stats.get("handlers")) {
            if (h.get("handler").asText().equals("gate")) {
                gate = h;
            }
        }
        assertTrue(gate != null, r.body());
        assertTrue(gate.get("states").get("running").asLong() >= 1, r.body());
        assertTrue(stats.get("states").get("succeeded").asLong() >= 1, r.body());
        long sum = 0;
        for (JsonNode h : stats.get("handlers")) {
            sum += h.get("total").asLong();
        }
        assertEquals(stats.get("total").asLong(), sum, r.body());
    }

    @Test
    void aWaitingJobCanBeCancelledBeforeItRuns() throws Exception {
        // gate runs 2 at once; on memory 2 more wait in its mailbox, on postgres this node claims 2
        // more into its mailbox and the rest wait in the table
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < (sharedStore() ? 6 : 4); i++) {
            ids.add(submit("gate", "{\"wait\":" + i + "}"));
        }
        String waiting = null;
        for (String id : ids) {
            String state = job(id).get("state").asText();
            if (state.equals("available")) {
                waiting = id;
            }
        }
        assertTrue(waiting != null, "some gate job waits while two run");
        AdminClient.Reply cancel = admin.send("POST", "/admin/jobs/" + waiting + "/cancel");
        assertEquals(200, cancel.status(), cancel.body());
        assertEquals("cancelled", cancel.json().get("state").asText());
        GateHandler.open();
        for (String id : ids) {
            awaitState(id, Set.of("succeeded", "cancelled"));
        }
        assertEquals("cancelled", job(waiting).get("state").asText(), "it never ran afterwards");
        assertNull(job(waiting).get("result"), "it has no result");
    }
}
