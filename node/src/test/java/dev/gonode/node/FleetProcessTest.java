package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import dev.gonode.testing.Await;
import dev.gonode.testing.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fleet of three nodes, each the real {@code Main} in its own JVM, on one PostgreSQL database:
 * what an operator sees when pods share the queue and then die ({@code kill -9}), drain
 * ({@code SIGTERM}), stall ({@code SIGSTOP}) or lose the database.
 *
 * <p>The {@code tally} handler ({@link dev.gonode.node.testhandlers.TallyHandler}) prints a line
 * for every execution, so executions are counted per node from the nodes' output, and holds jobs
 * on a chosen node (until their context ends, or for a while) so a test can put jobs in a node's
 * hands without timing. Every wait is on a condition: a line of output, a row's state, a lease
 * passing on the database's clock. The three nodes are shared by the tests; one a test killed or
 * drained is started again before the next test.
 */
@PostgresTest
class FleetProcessTest {

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final List<String> NAMES = List.of("node-a", "node-b", "node-c");
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    /** Jobs a node holds at most per handler: concurrency 100 + 100 waiting (FleetJobs.capacityOf). */
    private static final String CONFIG = """
            # FleetProcessTest: a short lease and drain, so that lost and handed-back jobs move on quickly.
            drain:
              timeout: 2s
            jobs:
              store: postgres
              postgres:
                connect-timeout: 1s
                lease: 3s
                poll-interval: 250ms
                unavailable-grace: 10s
            handlers:
              tally:
                concurrency: 100
                mailbox: 100
                timeout: 60s
            """;
    private static final Pattern TALLY = Pattern.compile("^tally (start|done|stopped) n=(-?\\d+) job=(\\S+) on (\\S+)$");

    private static TestDatabase db;
    private static Path configFile;
    private static final Map<String, NodeProcess> FLEET = new LinkedHashMap<>();

    @BeforeAll
    static void writeConfig(TestDatabase database) throws IOException {
        db = database;
        configFile = Files.createTempFile("gonode-fleet-", ".yaml");
        Files.writeString(configFile, CONFIG);
    }

    @AfterAll
    static void stopFleet() throws IOException {
        FLEET.values().forEach(NodeProcess::close);
        FLEET.clear();
        Files.deleteIfExists(configFile);
    }

    /** Starts every node of the fleet that is not running (all at once), and waits until each serves. */
    @BeforeEach
    void fleetUp() throws Exception {
        List<String> starting = new ArrayList<>();
        for (String name : NAMES) {
            NodeProcess node = FLEET.get(name);
            if (node == null || !alive(node)) {
                FLEET.put(name, NodeProcess.start(name, List.of(), NodeProcess.QUICK_START_JVM_OPTIONS,
                        List.of("--config", configFile.toString()), env(name)));
                starting.add(name);
            }
        }
        for (String name : starting) {
            FLEET.get(name).awaitJobPort(START);
            FLEET.get(name).awaitAdminPort(START);
        }
    }

    private static Map<String, String> env(String name) {
        return Map.of("GONODE_JOBS_POSTGRES_URL", db.jdbcUrl(), "GONODE_JOBS_POSTGRES_USER", db.server().adminUser(),
                "GONODE_POSTGRES_PASSWORD", db.server().adminPassword(), "GONODE_NODE_NAME", name);
    }

    // ---------------------------------------------------------------- the tests

    @Test
    void anAsyncJobPostedOnAIsReadOnBAndCAndItsKeyOnAnotherNodeReturnsTheFirstJobRunOnce() throws Exception {
        AdminClient.Reply accepted = api("node-a").send("POST", "/v1/jobs/tally?wait=false",
                "{\"n\":1,\"test\":\"read\"}", withKey("read-1"));
        assertEquals(202, accepted.status(), accepted.body());
        String id = accepted.json().get("id").asText();
        for (String reader : List.of("node-b", "node-c")) {
            Await.until(SETTLE, id + " reads as succeeded on " + reader,
                    () -> "succeeded".equals(api(reader).get("/v1/jobs/" + id).json().path("status").asText()));
        }
        String result = api("node-b").get("/v1/jobs/" + id).json().get("result").toString();
        assertEquals(result, api("node-c").get("/v1/jobs/" + id).json().get("result").toString());

        AdminClient.Reply repeat = api("node-b").send("POST", "/v1/jobs/tally", "{\"n\":2,\"test\":\"read\"}",
                withKey("read-1"));
        assertEquals(200, repeat.status(), repeat.body());
        assertEquals(id, repeat.json().get("id").asText(), "the key on another node names the first job");
        assertEquals(result, repeat.json().get("result").toString(), "and answers its result");
        AdminClient.Reply asyncRepeat = api("node-c").send("POST", "/v1/jobs/tally?wait=false",
                "{\"n\":3,\"test\":\"read\"}", withKey("read-1"));
        assertEquals(id, asyncRepeat.json().get("id").asText(), asyncRepeat.body());
        assertEquals(1, rows("read").size(), "the repeats made no job: " + rows("read"));
        assertEquals(1, rows("read").getFirst().attempt());
        assertEquals(1, executions().getOrDefault(id, List.of()).size(), "run once: " + executions().get(id));

        // A repeat while the first job still runs on A waits for it on B, and gets A's run.
        CompletableFuture<AdminClient.Reply> first = inBackground("node-a", "/v1/jobs/tally",
                "{\"n\":4,\"test\":\"read-held\",\"holdOn\":\"node-a\",\"holdMs\":3000}", withKey("read-2"));
        Await.until(SETTLE, "A runs the held job", () -> rows("read-held").size() == 1
                && rows("read-held").getFirst().runningOn("node-a"));
        String heldId = rows("read-held").getFirst().id();
        AdminClient.Reply waited = api("node-b").send("POST", "/v1/jobs/tally",
                "{\"n\":5,\"test\":\"read-held\"}", withKey("read-2"));
        assertEquals(200, waited.status(), waited.body());
        assertEquals(heldId, waited.json().get("id").asText());
        assertEquals("node-a", waited.json().path("result").path("ranOn").asText(), waited.body());
        assertEquals(200, first.get(30, TimeUnit.SECONDS).status());
        assertEquals(List.of("node-a"), executions().get(heldId), "one execution, on A");
    }

    @Test
    void killNineOfANodeHolding200AcceptedJobsLosesNoneAndEachEndsSucceededOnce() throws Exception {
        // B and C stopped while A accepts: A's claimer takes all 200 (its tally capacity) and holds them.
        List<String> ids;
        signal("node-b", "STOP");
        signal("node-c", "STOP");
        try {
            ids = postConcurrently("node-a", 200, n -> "{\"n\":" + n + ",\"test\":\"kill\",\"holdOn\":\"node-a\"}");
            Await.until(SETTLE, () -> "A holds the 200 jobs: " + summary("kill"),
                    () -> rows("kill").stream().filter(r -> r.runningOn("node-a")).count() == 200);
        } finally {
            signal("node-b", "CONT");
            signal("node-c", "CONT");
        }
        NodeProcess a = FLEET.get("node-a");
        a.close(); // SIGKILL
        assertEquals(137, a.awaitExit(Duration.ofSeconds(30)), "killed by SIGKILL");
        int startedOnA = (int) tallyLines(a, "start").stream().filter(ids::contains).count();

        Await.until(SETTLE, () -> "B and C finish every job of A after its leases expire: " + summary("kill"),
                () -> rows("kill").stream().allMatch(r -> r.state().equals("succeeded")));
        List<Row> rows = rows("kill");
        assertEquals(200, rows.size(), "one row per accepted job");
        assertEquals(Set.copyOf(ids), Set.copyOf(rows.stream().map(Row::id).toList()), "every accepted job, none lost");
        Map<String, List<String>> executions = executions();
        int survivorRuns = 0;
        for (Row row : rows) {
            assertTrue(Set.of("node-b", "node-c").contains(row.ranOn()), "kept the run of a survivor: " + row);
            assertEquals(row.owner(), row.ranOn(), "the owner's run is the one kept: " + row);
            assertEquals("lease_expired", row.firstError(), "A's lost lease is on record: " + row);
            List<String> survivors = executions.getOrDefault(row.id(), List.of()).stream()
                    .filter(n -> !n.equals("node-a")).toList();
            // At-least-once: A's claim was attempt 1; every later attempt is one run on a survivor.
            assertEquals(row.attempt() - 1, survivors.size(), "survivor runs of " + row + ": " + survivors);
            assertTrue(row.attempt() >= 2, row.toString());
            survivorRuns += survivors.size();
        }
        System.out.printf("kill -9: %d of 200 jobs had started on A; survivors ran %d executions for 200 jobs%n",
                startedOnA, survivorRuns);
    }

    @Test
    void aDrainAtItsTimeoutHandsJobsBackAndOtherNodesFinishThem() throws Exception {
        List<CompletableFuture<AdminClient.Reply>> callers = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            callers.add(inBackground("node-a", "/v1/jobs/tally",
                    "{\"n\":" + n + ",\"test\":\"drain\",\"holdOn\":\"node-a\"}", withKey("drain-" + n)));
        }
        NodeProcess a = FLEET.get("node-a");
        Await.until(SETTLE, () -> "A runs the three jobs: " + summary("drain"),
                () -> rows("drain").size() == 3 && rows("drain").stream().allMatch(r -> r.runningOn("node-a"))
                        && tallyLines(a, "start").size() >= 3);
        Map<String, Row> before = byKey(rows("drain"));

        a.sigterm();
        for (int n = 0; n < 3; n++) {
            AdminClient.Reply released = callers.get(n).get(30, TimeUnit.SECONDS);
            assertEquals(503, released.status(), released.body());
            assertEquals("released", JobApiContract.error(released));
            assertEquals(before.get("drain-" + n).id(), released.json().get("id").asText(), "names the job");
        }
        assertEquals(0, a.awaitExit(Duration.ofSeconds(30)), a.output());
        assertTrue(a.output().contains("drain: handed 3 unfinished job(s) back to the queue"), a.output());

        Await.until(SETTLE, () -> "B and C finish the handed-back jobs: " + summary("drain"),
                () -> rows("drain").stream().allMatch(r -> r.state().equals("succeeded")));
        for (Row row : rows("drain")) {
            assertTrue(Set.of("node-b", "node-c").contains(row.ranOn()), row.toString());
            assertEquals(1, row.attempt(), "a hand-back is not a failed attempt: " + row);
        }
        AdminClient.Reply retry = api("node-b").send("POST", "/v1/jobs/tally", "{\"n\":9,\"test\":\"drain\"}",
                withKey("drain-0"));
        assertEquals(200, retry.status(), retry.body());
        assertEquals(before.get("drain-0").id(), retry.json().get("id").asText());
        assertNotEquals("node-a", retry.json().path("result").path("ranOn").asText(), retry.body());
        assertEquals(3, rows("drain").size(), "the retry made no job");
    }

    @Test
    void postgresStoppedMidLoadLosesNoAcceptedJobRefusesNewOnes503AndTheNodesRecoverByThemselves() throws Exception {
        Map<String, Long> pids = new HashMap<>();
        FLEET.forEach((name, node) -> pids.put(name, node.pid()));
        Load load = new Load();
        load.start();
        try {
            Await.until(SETTLE, () -> "load is accepted: " + load, () -> load.accepted.size() >= 30);
            db.server().stop();
            try {
                // The outage lasts until every node has been unable to reach PostgreSQL for its
                // unavailable-grace (10 s) and says so on /readyz.
                for (String name : NAMES) {
                    Await.until(SETTLE, name + " turns not ready", () -> admin(name).get("/readyz").status() == 503);
                }
                Await.until(SETTLE, () -> "every node refused a job 503 store_unavailable: " + load,
                        () -> load.refusedBy.keySet().containsAll(NAMES));
            } finally {
                db.server().start();
            }
            int acceptedAtRestart = load.accepted.size();
            for (String name : NAMES) {
                Await.until(SETTLE, name + " is ready again", () -> admin(name).get("/readyz").status() == 200);
                AdminClient.Reply sync = api(name).send("POST", "/v1/jobs/tally", "{\"n\":-1,\"test\":\"after\"}", JSON);
                assertEquals(200, sync.status(), sync.body());
            }
            Await.until(SETTLE, () -> "load is accepted again: " + load,
                    () -> load.accepted.size() >= acceptedAtRestart + 30);
        } finally {
            load.stop();
        }
        assertEquals(List.of(), load.unexpected, "answers other than 202 and 503 store_unavailable");
        FLEET.forEach((name, node) -> assertEquals(pids.get(name), node.pid(), name + " was not restarted"));
        FLEET.values().forEach(node -> assertTrue(alive(node), node.name() + " runs"));

        Set<String> accepted = Set.copyOf(load.accepted);
        Await.until(SETTLE, () -> "every accepted job ends succeeded: " + summary("outage"),
                () -> rows("outage").stream().filter(r -> accepted.contains(r.id()))
                        .filter(r -> r.state().equals("succeeded")).count() == accepted.size());
        for (String name : NAMES) {
            assertTrue(admin(name).get("/metrics").body().contains("gonode_store_up 1.0"), name);
        }
        System.out.printf("outage: %s; slowest 503 answer %d ms%n", load, load.slowestRefusalMillis.get());
        assertTrue(load.slowestRefusalMillis.get() < 10_000, "a refusal waited "
                + load.slowestRefusalMillis.get() + " ms, though jobs.postgres.connect-timeout is 1s");
    }

    @Test
    void aPausedNodeCannotCompleteAJobAnotherNodeRanAgainAfterItsLeaseExpired() throws Exception {
        CompletableFuture<AdminClient.Reply> caller = inBackground("node-c", "/v1/jobs/tally",
                "{\"n\":1,\"test\":\"fence\",\"holdOn\":\"node-c\",\"holdMs\":4000}", JSON);
        NodeProcess c = FLEET.get("node-c");
        Await.until(SETTLE, () -> "C runs the job: " + summary("fence"),
                () -> rows("fence").size() == 1 && rows("fence").getFirst().runningOn("node-c")
                        && !tallyLines(c, "start").isEmpty());
        String id = rows("fence").getFirst().id();
        signal("node-c", "STOP");
        try {
            Await.until(SETTLE, () -> "C's lease passes on the database's clock: " + summary("fence"),
                    () -> rows("fence").getFirst().leaseExpired() || !rows("fence").getFirst().owner().equals("node-c"));
            Await.until(SETTLE, () -> "another node runs the job again and ends it: " + summary("fence"),
                    () -> rows("fence").getFirst().state().equals("succeeded"));
        } finally {
            signal("node-c", "CONT");
        }
        Row rerun = rows("fence").getFirst();
        assertNotEquals("node-c", rerun.owner());

        c.awaitLine(Pattern.compile("tally done n=1 job=" + id + " on node-c"), SETTLE);
        c.awaitLine(Pattern.compile("job " + id + ": its lease was taken by another node before this one finished it"),
                SETTLE);
        assertEquals(200, caller.get(30, TimeUnit.SECONDS).status(), "C's caller gets C's run (at-least-once)");
        Row row = rows("fence").getFirst();
        assertEquals("succeeded", row.state());
        assertEquals(rerun.owner(), row.owner(), "the re-runner still owns the row");
        assertEquals(rerun.owner(), row.ranOn(), "the re-runner's result stands, not C's");
        assertEquals(2, row.attempt(), row.toString());
        assertEquals("lease_expired", row.firstError(), row.toString());
        assertEquals(Set.of("node-c", rerun.owner()), Set.copyOf(executions().get(id)), "ran on C and on the re-runner");
        assertEquals(2, executions().get(id).size(), "once each: " + executions().get(id));
        assertEquals(rerun.owner(), api("node-c").get("/v1/jobs/" + id).json().path("result").path("ranOn").asText(),
                "C reads the re-runner's result too");
    }

    // ---------------------------------------------------------------- the fleet

    private static AdminClient api(String name) throws InterruptedException {
        return new AdminClient("127.0.0.1", FLEET.get(name).awaitJobPort(START));
    }

    private static AdminClient admin(String name) throws InterruptedException {
        return new AdminClient("127.0.0.1", FLEET.get(name).awaitAdminPort(START));
    }

    private static boolean alive(NodeProcess node) {
        return ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Sends {@code SIGSTOP} or {@code SIGCONT} to a node. */
    private static void signal(String name, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(FLEET.get(name).pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill -" + signal + " " + name + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
    }

    private static Map<String, String> withKey(String key) {
        return Map.of("Content-Type", "application/json", "Idempotency-Key", key);
    }

    private static CompletableFuture<AdminClient.Reply> inBackground(String node, String path, String body,
                                                                     Map<String, String> headers) throws InterruptedException {
        AdminClient client = api(node);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.send("POST", path, body, headers);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** POSTs {@code count} jobs with {@code wait=false} to one node from 8 clients; their ids, each answered 202. */
    private static List<String> postConcurrently(String node, int count,
                                                 java.util.function.IntFunction<String> payload) throws Exception {
        AdminClient client = api(node);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                int i = n;
                ids.add(clients.submit(() -> {
                    AdminClient.Reply r = client.send("POST", "/v1/jobs/tally?wait=false", payload.apply(i), JSON);
                    assertEquals(202, r.status(), r.body());
                    return r.json().get("id").asText();
                }));
            }
            List<String> all = new ArrayList<>();
            for (Future<String> id : ids) {
                all.add(id.get(60, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            clients.shutdownNow();
        }
    }

    /** The job ids of the {@code tally} lines of {@code kind} (start, done, stopped) a node printed. */
    private static List<String> tallyLines(NodeProcess node, String kind) {
        List<String> ids = new ArrayList<>();
        for (String line : node.output().split("\n")) {
            Matcher m = TALLY.matcher(line);
            if (m.matches() && m.group(1).equals(kind)) {
                ids.add(m.group(3));
            }
        }
        return ids;
    }

    /** For each job id, the nodes that started an execution of it, in the fleet's order. */
    private static Map<String, List<String>> executions() {
        Map<String, List<String>> runs = new HashMap<>();
        FLEET.forEach((name, node) -> tallyLines(node, "start")
                .forEach(id -> runs.computeIfAbsent(id, k -> new ArrayList<>()).add(name)));
        return runs;
    }

    // ---------------------------------------------------------------- the table

    /** One row of {@code gonode_job}, as the test reads it. */
    private record Row(String id, String key, String state, String owner, int attempt, String ranOn, String firstError,
                       boolean leaseExpired) {
        boolean runningOn(String node) {
            return state.equals("running") && node.equals(owner);
        }
    }

    /** The rows whose payload's {@code test} field is {@code test}. */
    private static List<Row> rows(String test) throws Exception {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("""
                SELECT id, idempotency_key, state, coalesce(owner, ''), attempt, coalesce(result->>'ranOn', ''),
                       coalesce(errors->0->>'code', ''), coalesce(lease_expires_at < now(), false)
                  FROM gonode_job WHERE payload->>'test' = ? ORDER BY created_at, id""")) {
            s.setString(1, test);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                            rs.getString(6), rs.getString(7), rs.getBoolean(8)));
                }
            }
            return rows;
        }
    }

    private static Map<String, Row> byKey(List<Row> rows) {
        Map<String, Row> byKey = new HashMap<>();
        rows.forEach(r -> byKey.put(r.key(), r));
        return byKey;
    }

    /** Rows of one test counted by state and owner, for failure messages. */
    private static String summary(String test) {
        try {
            Map<String, Integer> counts = new java.util.TreeMap<>();
            rows(test).forEach(r -> counts.merge(r.state() + "@" + r.owner(), 1, Integer::sum));
            return counts.toString();
        } catch (Exception e) {
            return "(cannot read the table: " + e + ")";
        }
    }

    // ---------------------------------------------------------------- load

    /**
     * Three clients, one per node, each posting {@code tally} jobs with {@code wait=false} one after
     * another until stopped; records the ids accepted (202), the nodes that refused a job 503
     * {@code store_unavailable}, the slowest such refusal, and any other answer.
     */
    private static final class Load {
        final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Integer> refusedBy = new ConcurrentHashMap<>();
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong slowestRefusalMillis = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger next = new AtomicInteger();
        private final List<Thread> clients = new ArrayList<>();

        void start() throws InterruptedException {
            for (String name : NAMES) {
                AdminClient client = api(name);
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        int n = next.incrementAndGet();
                        long begin = System.nanoTime();
                        try {
                            AdminClient.Reply r = client.send("POST", "/v1/jobs/tally?wait=false",
                                    "{\"n\":" + n + ",\"test\":\"outage\"}", JSON);
                            long millis = (System.nanoTime() - begin) / 1_000_000;
                            if (r.status() == 202) {
                                accepted.add(r.json().get("id").asText());
                            } else if (r.status() == 503 && "store_unavailable".equals(JobApiContract.error(r))) {
                                refusedBy.merge(name, 1, Integer::sum);
                                slowestRefusalMillis.accumulateAndGet(millis, Math::max);
                            } else {
                                unexpected.add(name + ": " + r.status() + " " + r.body());
                            }
                        } catch (Exception e) {
                            unexpected.add(name + ": " + e);
                        }
                    }
                }, "load-" + name);
                clients.add(t);
                t.start();
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : clients) {
                t.join(60_000);
            }
        }

        @Override
        public String toString() {
            return accepted.size() + " accepted, refused by " + refusedBy + ", " + unexpected.size() + " unexpected";
        }
    }
}
