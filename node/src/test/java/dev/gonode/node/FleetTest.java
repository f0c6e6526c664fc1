package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gonode.node.internal.store.postgres.Lease;
import dev.gonode.node.internal.store.postgres.Outcome;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue;
import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import dev.gonode.node.testhandlers.GateHandler;
import dev.gonode.testing.Await;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in this JVM on one real PostgreSQL database, as two pods of a fleet: jobs, keys and
 * waits cross nodes; a lost lease fences the old owner; the store going away and coming back;
 * a drain that hands a job back to the other node. {@code gate} jobs (static, shared by both
 * nodes) hold jobs in flight without timing.
 */
@PostgresTest
class FleetTest {

    private final List<Node> nodes = new ArrayList<>();
    private TestDatabase db;

    @BeforeEach
    void closeTheGate(TestDatabase db) throws Exception {
        this.db = db;
        GateHandler.reset();
        db.sql("DO $$ BEGIN IF to_regclass('gonode_job') IS NOT NULL THEN DELETE FROM gonode_job; END IF; END $$");
    }

    @AfterEach
    void stopNodes() {
        GateHandler.open();
        nodes.forEach(Node::close);
        nodes.clear();
    }

    private Node start(String name) throws StartupException {
        return start(name, TestNodes.config());
    }

    private Node start(String name, NodeConfig config) throws StartupException {
        Node node = TestNodes.startOnPostgres(db, name, config);
        nodes.add(node);
        return node;
    }

    private static AdminClient api(Node node) {
        return new AdminClient("127.0.0.1", node.serverPort());
    }

    private static CompletableFuture<AdminClient.Reply> inBackground(AdminClient api, String path, String body,
                                                                     Map<String, String> headers) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return api.send("POST", path, body, headers);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    private static Map<String, String> withKey(String key) {
        return Map.of("Content-Type", "application/json", "Idempotency-Key", key);
    }

    /** One column of the job row whose payload contains {@code payload}; {@code null} if no such row. */
    private String column(String column, String payload) throws Exception {
        try (Connection c = db.connect();
             PreparedStatement s = c.prepareStatement("SELECT " + column + " FROM gonode_job WHERE payload @> ?::jsonb")) {
            s.setString(1, payload);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void asyncJobPostedOnAIsReadableOnBAndTheSameKeyOnBReturnsItRunOnce() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        AdminClient.Reply accepted = api(a).send("POST", "/v1/jobs/echo?wait=false", "{\"order\":7}", withKey("order-7"));
        assertEquals(202, accepted.status(), accepted.body());
        String id = accepted.json().get("id").asText();

        Await.until(() -> "succeeded".equals(api(b).get("/v1/jobs/" + id).json().path("status").asText()));
        assertEquals("{\"order\":7}", api(b).get("/v1/jobs/" + id).json().get("result").toString());

        AdminClient.Reply repeat = api(b).send("POST", "/v1/jobs/echo", "{\"order\":8}", withKey("order-7"));
        assertEquals(200, repeat.status(), repeat.body());
        assertEquals(id, repeat.json().get("id").asText(), "the same key on another node names the first job");
        assertEquals("{\"order\":7}", repeat.json().get("result").toString(), "the first job's result");
        assertEquals("1", column("attempt", "{\"order\":7}"), "run once");
        assertEquals(null, column("id", "{\"order\":8}"), "the repeat made no job");
    }

    @Test
    void aSyncCallerOnAIsAnsweredWhenBRunsItsJob() throws Exception {
        Node a = start("node-a");
        start("node-b");
        // A's 4 gate slots (2 running, 2 waiting) fill with synchronous jobs it claims as it accepts them.
        List<CompletableFuture<AdminClient.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(inBackground(api(a), "/v1/jobs/gate", "{\"mine\":" + i + "}", JSON));
        }
        Await.until(() -> {
            for (int i = 0; i < 4; i++) {
                if (!"node-a".equals(column("owner", "{\"mine\":" + i + "}"))) {
                    return false;
                }
            }
            return true;
        });
        // No slot left on A: the fifth is only enqueued, and B's claimer takes it.
        CompletableFuture<AdminClient.Reply> fifth = inBackground(api(a), "/v1/jobs/gate", "{\"theirs\":5}", JSON);
        Await.until(() -> "node-b".equals(column("owner", "{\"theirs\":5}"))
                && "running".equals(column("state", "{\"theirs\":5}")));
        assertFalse(fifth.isDone(), "A waits while B runs the job");

        GateHandler.open();
        AdminClient.Reply answer = fifth.get(30, TimeUnit.SECONDS);
        assertEquals(200, answer.status(), answer.body());
        assertEquals("{\"theirs\":5}", answer.json().get("result").toString());
        for (CompletableFuture<AdminClient.Reply> call : calls) {
            assertEquals(200, call.get(30, TimeUnit.SECONDS).status());
        }
    }

    @Test
    void aNodeWhoseLeaseWasTakenCannotRecordItsResult() throws Exception {
        Node a = start("node-a");
        CompletableFuture<AdminClient.Reply> call = inBackground(api(a), "/v1/jobs/gate", "{\"fenced\":1}", JSON);
        Await.until(() -> "running".equals(column("state", "{\"fenced\":1}")));
        String id = column("id", "{\"fenced\":1}");

        // Another node takes the job over, as after A's lease expired (a claim draws a new token; gate
        // has one attempt in the tests, so the job is given a second one that the re-claim uses).
        long token;
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("""
                UPDATE gonode_job SET owner = 'node-thief', lease_token = nextval('gonode_lease_token_seq'),
                       attempt = attempt + 1, max_attempts = greatest(max_attempts, attempt + 1),
                       lease_expires_at = now() + interval '1 hour'
                 WHERE id = ?::uuid RETURNING lease_token""")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                token = rs.getLong(1);
            }
        }
        GateHandler.open();
        AdminClient.Reply answer = call.get(30, TimeUnit.SECONDS);
        assertEquals(200, answer.status(), "A's caller gets A's run (at-least-once): " + answer.body());
        // A answered after its fenced write: the row is still the thief's running job.
        assertEquals("running", column("state", "{\"fenced\":1}"));
        assertEquals("node-thief", column("owner", "{\"fenced\":1}"));

        try (PostgresJobQueue thief = PostgresJobQueue.connect(db.settings())) {
            assertTrue(thief.complete(new Lease(UUID.fromString(id), token), Outcome.succeeded("{\"by\":\"thief\"}")));
        }
        AdminClient.Reply read = api(a).get("/v1/jobs/" + id);
        assertEquals("succeeded", read.json().get("status").asText(), read.body());
        assertEquals("{\"by\":\"thief\"}", read.json().get("result").toString(), "the new owner's result stands");
    }

    @Test
    void storeOutageRefusesNewJobsKeepsFinishedResultsAndRecoversWithoutRestart() throws Exception {
        NodeConfig config = TestNodes.config();
        NodeConfig.Postgres pg = TestNodes.postgres(db);
        // A lease longer than the outage: the result kept during it is written, not re-run elsewhere.
        config = config.withNodeName("node-a").withJobs(config.jobs().withPostgres(
                pg.withTimings(Duration.ofSeconds(1), Duration.ofSeconds(60), pg.pollInterval(), Duration.ofSeconds(1))));
        Node a = TestNodes.startOnPostgres(db, config);
        nodes.add(a);
        AdminClient admin = new AdminClient("127.0.0.1", a.adminPort());
        CompletableFuture<AdminClient.Reply> running = inBackground(api(a), "/v1/jobs/gate", "{\"outage\":1}", JSON);
        Await.until(() -> "running".equals(column("state", "{\"outage\":1}")));
        String id = column("id", "{\"outage\":1}");

        db.server().stop();
        try {
            AdminClient.Reply refused = api(a).postJson("/v1/jobs/echo", "{\"during\":1}");
            assertEquals(503, refused.status(), refused.body());
            assertEquals("store_unavailable", JobApiContract.error(refused));
            assertTrue(refused.json().path("error").path("message").asText().contains("PostgreSQL"), refused.body());
            assertEquals("1", refused.header("Retry-After"));
            Await.until(() -> admin.get("/readyz").status() == 503);
            assertTrue(admin.get("/metrics").body().contains("gonode_store_up 0.0"));

            GateHandler.open();
            AdminClient.Reply answered = running.get(30, TimeUnit.SECONDS);
            if (answered.status() != 200) { // what every goroutine of the node waits on, to tell why
                fail("the caller should get the result the node keeps: " + answered.body() + "\n"
                        + admin.get("/debug/pprof/goroutine?debug=2").body());
            }
        } finally {
            db.server().start();
        }

        Await.until(() -> api(a).postJson("/v1/jobs/echo", "{\"after\":1}").status() == 200);
        Await.until(() -> admin.get("/readyz").status() == 200);
        Await.until(() -> "succeeded".equals(column("state", "{\"outage\":1}")));
        assertEquals("1", column("attempt", "{\"outage\":1}"), "written once the store returned, not run again");
        assertEquals("{\"outage\":1}", api(a).get("/v1/jobs/" + id).json().get("result").toString());
        String metrics = admin.get("/metrics").body();
        assertTrue(metrics.contains("gonode_store_up 1.0"), metrics);
        assertTrue(metrics.matches("(?s).*gonode_store_errors_total\\{operation=\"enqueue\"} [1-9].*"), metrics);
    }

    @Test
    void aDrainAtItsTimeoutHandsTheJobBackAndAnotherNodeFinishesIt() throws Exception {
        Node a = start("node-a", TestNodes.config().withDrain(new NodeConfig.Drain(Duration.ofMillis(500))));
        Node b = start("node-b");
        CompletableFuture<AdminClient.Reply> call = inBackground(api(a), "/v1/jobs/gate", "{\"handed\":1}",
                withKey("handed-1"));
        Await.until(() -> "node-a".equals(column("owner", "{\"handed\":1}"))
                && "running".equals(column("state", "{\"handed\":1}")));
        String id = column("id", "{\"handed\":1}");

        assertEquals(1, a.drain().get(30, TimeUnit.SECONDS).aborted(), "one job given up at the timeout");
        AdminClient.Reply released = call.get(30, TimeUnit.SECONDS);
        assertEquals(503, released.status(), released.body());
        assertEquals("released", JobApiContract.error(released));
        assertEquals(id, released.json().get("id").asText(), "the body names the job");
        assertEquals("5", released.header("Retry-After"));

        Await.until(() -> "node-b".equals(column("owner", "{\"handed\":1}"))
                && "running".equals(column("state", "{\"handed\":1}")));
        CompletableFuture<AdminClient.Reply> retry = inBackground(api(b), "/v1/jobs/gate", "{\"handed\":2}",
                withKey("handed-1"));
        GateHandler.open();
        AdminClient.Reply finished = retry.get(30, TimeUnit.SECONDS);
        assertEquals(200, finished.status(), finished.body());
        assertEquals(id, finished.json().get("id").asText());
        assertEquals("{\"handed\":1}", finished.json().get("result").toString());
        assertEquals("1", column("attempt", "{\"handed\":1}"), "a hand-back is not a failed attempt");
        assertTrue(new AdminClient("127.0.0.1", a.adminPort()).get("/metrics").body()
                .contains("gonode_queue_released_total{handler=\"gate\"} 1.0"));
    }


    /** The busy workers of {@code handler} on {@code node}, from its Prometheus scrape. */
    private static int busyWorkers(Node node, String handler) throws Exception {
        String metrics = new AdminClient("127.0.0.1", node.adminPort()).get("/metrics").body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "gonode_handler_workers_jobs\\{handler=\"" + handler + "\",state=\"busy\"} ([0-9.]+)|"
                        + "gonode_handler_workers\\{handler=\"" + handler + "\",state=\"busy\"} ([0-9.]+)").matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no busy-workers gauge for " + handler + " in\n" + metrics);
        }
        return (int) Double.parseDouble(m.group(1) != null ? m.group(1) : m.group(2));
    }

    @Test
    void cancellingOnOneNodeARunningSleepOnTheOtherEndsItWithinASecond() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        String tag = UUID.randomUUID().toString();
        AdminClient.Reply accepted = api(a).send("POST", "/v1/jobs/sleep?wait=false",
                "{\"ms\":60000,\"tag\":\"" + tag + "\"}", JSON);
        assertEquals(202, accepted.status(), accepted.body());
        String id = accepted.json().get("id").asText();
        String payload = "{\"tag\":\"" + tag + "\"}";
        Await.until(() -> "running".equals(column("state", payload)));
        Node owner = "node-a".equals(column("owner", payload)) ? a : b;
        Node other = owner == a ? b : a;
        Await.until(() -> busyWorkers(owner, "sleep") == 1);
        // A waiting caller on the owner's peer, by the job's key-less id: it waits through GET polling.
        long start = System.nanoTime();
        AdminClient.Reply cancelled = api(other).send("DELETE", "/v1/jobs/" + id);
        assertEquals(200, cancelled.status(), cancelled.body());
        assertEquals("cancelled", cancelled.json().path("status").asText(), cancelled.body());
        Await.until(() -> busyWorkers(owner, "sleep") == 0);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "the sleep on the owner stopped after " + took);
        assertEquals("cancelled", api(owner).get("/v1/jobs/" + id).json().path("status").asText());
        assertEquals("cancelled", column("state", payload), "the owner's late completion changed nothing");
        AdminClient.Reply again = api(owner).send("DELETE", "/v1/jobs/" + id);
        assertEquals(409, again.status(), again.body());
    }

    @Test
    void aSyncCallerOnOneNodeWaitingForAJobCancelledFromTheOtherIsAnswered409() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        String key = UUID.randomUUID().toString();
        CompletableFuture<AdminClient.Reply> waiting = inBackground(api(a), "/v1/jobs/gate", "{\"held\":1}", withKey(key));
        Await.until(() -> "running".equals(column("state", "{\"held\":1}")));
        String id = column("id", "{\"held\":1}");
        AdminClient.Reply cancelled = api(b).send("DELETE", "/v1/jobs/" + id);
        assertEquals(200, cancelled.status(), cancelled.body());
        AdminClient.Reply answer = waiting.get(10, TimeUnit.SECONDS);
        assertEquals(409, answer.status(), answer.body());
        assertEquals("cancelled", answer.json().path("error").path("code").asText(), answer.body());
    }

    @Test
    void aFlakyJobRetriesOnTheFleetAndItsAttemptsAreRecorded() throws Exception {
        Node a = start("node-a");
        start("node-b");
        AdminClient.Reply reply = api(a).postJson("/v1/jobs/flaky?wait=false", "{\"fail_attempts\":2,\"fleet\":1}");
        String id = reply.json().get("id").asText();
        Await.until(() -> "succeeded".equals(column("state", "{\"fleet\":1}")));
        AdminClient.Reply done = api(a).get("/v1/jobs/" + id);
        assertEquals(3, done.json().path("result").path("attempt").asInt(), done.body());
        assertEquals(2, done.json().path("errors").size(), done.body());
    }
}
