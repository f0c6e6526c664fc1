package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.Node;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every command against a real node started in the test, including the error paths. */
class GonodeAdminTest {

    @RegisterExtension
    static final CliTestNode NODE = CliTestNode.withSleepWorkers();

    @Test
    void healthReadyAndSched() {
        CliTestNode.Run health = NODE.run("health");
        assertEquals(0, health.status(), health.err());
        assertEquals("ok", health.out().strip());
        assertEquals("ready", NODE.run("ready").out().strip());
        CliTestNode.Run sched = NODE.run("sched");
        assertEquals(0, sched.status(), sched.err());
        assertTrue(sched.out().matches("(?s)SCHED \\d+ms: gomaxprocs=\\d+ idleprocs=\\d+ carriers=\\d+ spinning=\\d+"
                + " runqueue=\\d+ \\[[\\d ]+\\] goroutines=\\d+ .*"), sched.out());
        CliTestNode.Run json = NODE.run("--output", "json", "sched");
        assertTrue(json.out().strip().startsWith("{"), json.out());
    }

    @Test
    void gomaxprocsShowsAndSets() {
        int before = Integer.parseInt(NODE.run("gomaxprocs").out().strip());
        try {
            CliTestNode.Run set = NODE.run("gomaxprocs", "3");
            assertEquals(0, set.status(), set.err());
            assertEquals("gomaxprocs " + before + " -> 3", set.out().strip());
            assertEquals("3", NODE.run("gomaxprocs").out().strip());
        } finally {
            NODE.run("gomaxprocs", Integer.toString(before));
        }
        CliTestNode.Run bad = NODE.run("gomaxprocs", "0");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("1 to 10000"), bad.err());
    }

    @Test
    void metricsGrep() {
        CliTestNode.Run metrics = NODE.run("metrics", "--grep", "^gonode_sched_gomaxprocs");
        assertEquals(0, metrics.status(), metrics.err());
        assertTrue(metrics.out().lines().allMatch(l -> l.startsWith("gonode_sched_gomaxprocs")), metrics.out());
        assertTrue(metrics.out().lines().count() >= 1, metrics.out());
        assertEquals(2, NODE.run("metrics", "--grep", "([").status());
    }

    @Test
    void leaksOnAHealthyNodeAreNoneAndFailExitsZero() {
        CliTestNode.Run leaks = NODE.run("leaks", "--fail");
        assertEquals(0, leaks.status(), leaks.out() + leaks.err());
        assertTrue(leaks.out().startsWith("goroutine leak check at "), leaks.out());
    }

    @Test
    void jfrStartStopDump(@TempDir Path dir) throws Exception {
        CliTestNode.Run start = NODE.run("jfr", "start", "--settings", "gonode", "--max-size", "32m");
        assertEquals(0, start.status(), start.err());
        CliTestNode.Run again = NODE.run("jfr", "start");
        assertEquals(1, again.status());
        assertTrue(again.err().contains("already running"), again.err());
        assertEquals(0, NODE.run("jfr", "stop").status());
        Path file = dir.resolve("node.jfr");
        CliTestNode.Run dump = NODE.run("jfr", "dump", "-o", file.toString());
        assertEquals(0, dump.status(), dump.err());
        assertTrue(Files.size(file) > 0);
        assertEquals(2, NODE.run("jfr", "dump").status(), "-o is required");
    }

    @Test
    void dumpGoroutinesStreamsEveryFormatAndTopSummarises(@TempDir Path dir) throws Exception {
        CliTestNode.Run dump = NODE.run("dump-goroutines", "--label", "handler=sleep", "--limit", "2");
        assertEquals(0, dump.status(), dump.err());
        assertEquals(2, dump.out().lines().filter(l -> l.startsWith("goroutine ")).count(), dump.out());
        CliTestNode.Run grouped = NODE.run("dump-goroutines", "--debug", "1");
        assertTrue(grouped.out().startsWith("goroutine profile: total "), grouped.out());
        Path json = dir.resolve("g.json");
        assertEquals(0, NODE.run("dump-goroutines", "--json", "--state", "waiting", "-o", json.toString()).status());
        assertTrue(Files.readString(json).strip().startsWith("{") || Files.readString(json).strip().startsWith("["));
        Path pprof = dir.resolve("g.pb.gz");
        assertEquals(0, NODE.run("dump-goroutines", "--pprof", pprof.toString()).status());
        byte[] bytes = Files.readAllBytes(pprof);
        assertEquals((byte) 0x1f, bytes[0]);
        CliTestNode.Run badFilter = NODE.run("dump-goroutines", "--min-wait", "soon");
        assertEquals(1, badFilter.status(), "the node refuses it, naming it");
        assertTrue(badFilter.err().contains("soon"), badFilter.err());
        assertEquals(2, NODE.run("dump-goroutines", "--debug", "3").status());

        CliTestNode.Run top = NODE.run("top", "--limit", "5");
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
        CliTestNode.Run r = CliTestNode.runRaw("--url", "http://127.0.0.1:" + closed, "health");
        assertEquals(4, r.status(), r.err());
        assertTrue(r.err().contains("http://127.0.0.1:" + closed), r.err());
        assertTrue(r.err().contains("kubectl port-forward"), r.err());
    }

    @Test
    void wrongOrMissingTokenIsExplained() throws Exception {
        try (Node guarded = Node.start(CliTestNode.config("s3cret"))) {
            String guardedUrl = "http://127.0.0.1:" + guarded.adminPort();
            CliTestNode.Run missing = CliTestNode.runRaw("--url", guardedUrl, "sched");
            assertEquals(1, missing.status());
            assertTrue(missing.err().contains("token is missing"), missing.err());
            CliTestNode.Run wrong = CliTestNode.runRaw("--url", guardedUrl, "--token", "nope", "sched");
            assertEquals(1, wrong.status());
            assertTrue(wrong.err().contains("token is wrong"), wrong.err());
            assertEquals(0, CliTestNode.runRaw("--url", guardedUrl, "--token", "s3cret", "sched").status());
            assertEquals(0, CliTestNode.runRaw("--url", guardedUrl, "health").status(), "probes need no token");
        }
    }

    @Test
    void drainingNodeIsNotReadyAndSaysSo() throws Exception {
        try (Node draining = Node.start(CliTestNode.config(""))) {
            String drainingUrl = "http://127.0.0.1:" + draining.adminPort();
            CliTestNode.Run drain = CliTestNode.runRaw("--url", drainingUrl, "drain", "--wait");
            assertEquals(0, drain.status(), drain.err());
            assertTrue(drain.out().startsWith("drained: 0 job(s) finished, 0 aborted"), drain.out());
            CliTestNode.Run ready = CliTestNode.runRaw("--url", drainingUrl, "ready");
            assertEquals(1, ready.status());
            assertTrue(ready.err().contains("503"), ready.err());
        }
    }

    @Test
    void badUsageExitsTwoWithTheUsage() {
        CliTestNode.Run unknown = NODE.run("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("Unmatched argument") || unknown.err().contains("frobnicate"), unknown.err());
        CliTestNode.Run timeout = NODE.run("--timeout", "soon", "health");
        assertEquals(2, timeout.status());
        assertTrue(timeout.err().contains("not a duration"), timeout.err());
        assertEquals(2, NODE.run().status(), "no command");
    }

    @Test
    void helpVersionAndCompletion() {
        CliTestNode.Run help = CliTestNode.runRaw("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("dump-goroutines") && help.out().contains("Exit status"), help.out());
        assertTrue(help.out().contains("kubectl port-forward"), help.out());
        assertTrue(CliTestNode.runRaw("--version").out().startsWith("gonode-admin "));
        CliTestNode.Run bash = CliTestNode.runRaw("completion", "bash");
        assertEquals(0, bash.status(), bash.err());
        assertTrue(bash.out().contains("complete") && bash.out().contains("gonode-admin"), bash.out());
        assertEquals(2, CliTestNode.runRaw("completion", "fish").status());
    }
}
