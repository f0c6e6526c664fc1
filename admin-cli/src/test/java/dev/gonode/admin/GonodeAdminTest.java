package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.Node;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.internal.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command against a real node started in the test, including the error paths. */
class GonodeAdminTest {

    private static Node node;
    private static String url;

    /** What a run printed, and its exit status. */
    record Run(int status, String out, String err) {
    }

    static NodeConfig config(String token) throws Exception {
        NodeConfig defaults = ConfigLoader.embeddedDefaults();
        return defaults.withServer(defaults.server().withAddress("127.0.0.1", 0))
                .withAdmin(new NodeConfig.Admin("127.0.0.1", 0, token));
    }

    /**
     * Gives {@code node} three idle {@code sleep} workers to dump (labelled {@code handler=sleep},
     * parked in a select): workers start on demand, and three overlapping 300 ms jobs start three,
     * which then wait for work for jobs.worker-idle-timeout (30 s), longer than the tests take.
     */
    static void startThreeSleepWorkers(Node node) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.serverPort()
                            + "/v1/jobs/sleep")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":300}")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> job : jobs) {
            assertEquals(200, job.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @BeforeAll
    static void startNode() throws Exception {
        node = Node.start(config(""));
        url = "http://127.0.0.1:" + node.adminPort();
        startThreeSleepWorkers(node);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    static Run run(String... args) {
        List<String> all = new ArrayList<>(List.of("--url", url));
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    static Run runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = GonodeAdmin.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void healthReadyAndSched() {
        Run health = run("health");
        assertEquals(0, health.status(), health.err());
        assertEquals("ok", health.out().strip());
        assertEquals("ready", run("ready").out().strip());
        Run sched = run("sched");
        assertEquals(0, sched.status(), sched.err());
        assertTrue(sched.out().matches("(?s)SCHED \\d+ms: gomaxprocs=\\d+ idleprocs=\\d+ carriers=\\d+ spinning=\\d+"
                + " runqueue=\\d+ \\[[\\d ]+\\] goroutines=\\d+ .*"), sched.out());
        Run json = run("--output", "json", "sched");
        assertTrue(json.out().strip().startsWith("{"), json.out());
    }

    @Test
    void gomaxprocsShowsAndSets() {
        int before = Integer.parseInt(run("gomaxprocs").out().strip());
        try {
            Run set = run("gomaxprocs", "3");
            assertEquals(0, set.status(), set.err());
            assertEquals("gomaxprocs " + before + " -> 3", set.out().strip());
            assertEquals("3", run("gomaxprocs").out().strip());
        } finally {
            run("gomaxprocs", Integer.toString(before));
        }
        Run bad = run("gomaxprocs", "0");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("1 to 10000"), bad.err());
    }

    @Test
    void metricsGrep() {
        Run metrics = run("metrics", "--grep", "^gonode_sched_gomaxprocs");
        assertEquals(0, metrics.status(), metrics.err());
        assertTrue(metrics.out().lines().allMatch(l -> l.startsWith("gonode_sched_gomaxprocs")), metrics.out());
        assertTrue(metrics.out().lines().count() >= 1, metrics.out());
        assertEquals(2, run("metrics", "--grep", "([").status());
    }

    @Test
    void leaksOnAHealthyNodeAreNoneAndFailExitsZero() {
        Run leaks = run("leaks", "--fail");
        assertEquals(0, leaks.status(), leaks.out() + leaks.err());
        assertTrue(leaks.out().startsWith("goroutine leak check at "), leaks.out());
    }

    @Test
    void jfrStartStopDump(@TempDir Path dir) throws Exception {
        Run start = run("jfr", "start", "--settings", "gonode", "--max-size", "32m");
        assertEquals(0, start.status(), start.err());
        Run again = run("jfr", "start");
        assertEquals(1, again.status());
        assertTrue(again.err().contains("already running"), again.err());
        assertEquals(0, run("jfr", "stop").status());
        Path file = dir.resolve("node.jfr");
        Run dump = run("jfr", "dump", "-o", file.toString());
        assertEquals(0, dump.status(), dump.err());
        assertTrue(Files.size(file) > 0);
        assertEquals(2, run("jfr", "dump").status(), "-o is required");
    }

    @Test
    void dumpGoroutinesStreamsEveryFormatAndTopSummarises(@TempDir Path dir) throws Exception {
        Run dump = run("dump-goroutines", "--label", "handler=sleep", "--limit", "2");
        assertEquals(0, dump.status(), dump.err());
        assertEquals(2, dump.out().lines().filter(l -> l.startsWith("goroutine ")).count(), dump.out());
        Run grouped = run("dump-goroutines", "--debug", "1");
        assertTrue(grouped.out().startsWith("goroutine profile: total "), grouped.out());
        Path json = dir.resolve("g.json");
        assertEquals(0, run("dump-goroutines", "--json", "--state", "waiting", "-o", json.toString()).status());
        assertTrue(Files.readString(json).strip().startsWith("{") || Files.readString(json).strip().startsWith("["));
        Path pprof = dir.resolve("g.pb.gz");
        assertEquals(0, run("dump-goroutines", "--pprof", pprof.toString()).status());
        byte[] bytes = Files.readAllBytes(pprof);
        assertEquals((byte) 0x1f, bytes[0]);
        Run badFilter = run("dump-goroutines", "--min-wait", "soon");
        assertEquals(1, badFilter.status(), "the node refuses it, naming it");
        assertTrue(badFilter.err().contains("soon"), badFilter.err());
        assertEquals(2, run("dump-goroutines", "--debug", "3").status());

        Run top = run("top", "--limit", "5");
        assertEquals(0, top.status(), top.err());
        assertTrue(top.out().startsWith("goroutines: "), top.out());
        assertTrue(top.out().contains("select"), "the idle sleep workers wait in a select: " + top.out());
        assertTrue(top.out().contains("CREATED AT"), top.out());
    }

    @Test
    void unreachableNodeExitsFourNamingTheUrlAndPortForward() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        Run r = runRaw("--url", "http://127.0.0.1:" + closed, "health");
        assertEquals(4, r.status(), r.err());
        assertTrue(r.err().contains("http://127.0.0.1:" + closed), r.err());
        assertTrue(r.err().contains("kubectl port-forward"), r.err());
    }

    @Test
    void wrongOrMissingTokenIsExplained() throws Exception {
        try (Node guarded = Node.start(config("s3cret"))) {
            String guardedUrl = "http://127.0.0.1:" + guarded.adminPort();
            Run missing = runRaw("--url", guardedUrl, "sched");
            assertEquals(1, missing.status());
            assertTrue(missing.err().contains("token is missing"), missing.err());
            Run wrong = runRaw("--url", guardedUrl, "--token", "nope", "sched");
            assertEquals(1, wrong.status());
            assertTrue(wrong.err().contains("token is wrong"), wrong.err());
            assertEquals(0, runRaw("--url", guardedUrl, "--token", "s3cret", "sched").status());
            assertEquals(0, runRaw("--url", guardedUrl, "health").status(), "probes need no token");
        }
    }

    @Test
    void drainingNodeIsNotReadyAndSaysSo() throws Exception {
        try (Node draining = Node.start(config(""))) {
            String drainingUrl = "http://127.0.0.1:" + draining.adminPort();
            Run drain = runRaw("--url", drainingUrl, "drain", "--wait");
            assertEquals(0, drain.status(), drain.err());
            assertTrue(drain.out().startsWith("drained: 0 job(s) finished, 0 aborted"), drain.out());
            Run ready = runRaw("--url", drainingUrl, "ready");
            assertEquals(1, ready.status());
            assertTrue(ready.err().contains("503"), ready.err());
        }
    }

    @Test
    void badUsageExitsTwoWithTheUsage() {
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("Unmatched argument") || unknown.err().contains("frobnicate"), unknown.err());
        Run timeout = run("--timeout", "soon", "health");
        assertEquals(2, timeout.status());
        assertTrue(timeout.err().contains("not a duration"), timeout.err());
        assertEquals(2, run().status(), "no command");
    }

    @Test
    void helpVersionAndCompletion() {
        Run help = runRaw("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("dump-goroutines") && help.out().contains("Exit status"), help.out());
        assertTrue(help.out().contains("kubectl port-forward"), help.out());
        assertTrue(runRaw("--version").out().startsWith("gonode-admin "));
        Run bash = runRaw("completion", "bash");
        assertEquals(0, bash.status(), bash.err());
        assertTrue(bash.out().contains("complete") && bash.out().contains("gonode-admin"), bash.out());
        assertEquals(2, runRaw("completion", "fish").status());
    }
}
