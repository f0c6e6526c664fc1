package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.sync.Mutex;
import dev.gonode.testing.Await;
import dev.gonode.testing.ExternalTools;
import dev.gonode.runtime.time.Time;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go's own {@code go tool pprof} (Debian's golang-go) reads every profile endpoint of a live node,
 * by URL as a Go team would: a wrong sample type, a broken encoding or a lost frame or label shows
 * as a pprof error or a missing line in its report.
 */
class PprofEndpointsTest {

    private static Node node;
    private static AdminClient admin;
    private static AdminClient api;
    private static Path go;

    @TempDir
    static Path pprofDir;

    @BeforeAll
    static void startNode() throws StartupException {
        go = ExternalTools.require("go", "apt-get install -y golang-go", "/usr/lib/go/bin/go", "/usr/lib/go-1.19/bin/go");
        node = Node.start(TestNodes.config());
        admin = new AdminClient("127.0.0.1", node.adminPort());
        api = new AdminClient("127.0.0.1", node.serverPort());
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            admin.send("PUT", "/admin/profiling", "{\"blockProfileRate\":0,\"mutexProfileFraction\":0}",
                    Map.of("Content-Type", "application/json"));
            node.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + node.adminPort() + path;
    }

    /** {@code go tool pprof ARGS}, with fetched profiles saved in the test's directory; asserts it succeeded. */
    private static String pprof(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(go.toString(), "tool", "pprof"));
        command.addAll(List.of(args));
        ExternalTools.Run run = ExternalTools.run(command, Map.of("PPROF_TMPDIR", pprofDir.toString()));
        assertEquals(0, run.exitCode(), command + ":\n" + run.output());
        return run.output();
    }

    /** The file go tool pprof saved a fetched profile in ("Saved profile in /path"). */
    private static String saved(String output) {
        Matcher m = Pattern.compile("Saved profile in (\\S+)").matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    @Test
    void cpuProfileOfARunningSha256JobShowsTheHashingFrameAndTheHandlerLabel() throws Exception {
        AtomicBoolean profiling = new AtomicBoolean(true);
        Goroutine load = Go.go("sha256 load", () -> {
            try {
                while (profiling.get()) {
                    api.postJson("/v1/jobs/sha256", "{\"data\":\"pprof\",\"rounds\":300000}");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String traces;
        try {
            traces = pprof("-traces", url("/debug/pprof/profile?seconds=3"));
        } finally {
            profiling.set(false);
            load.join(Duration.ofSeconds(30));
        }
        assertTrue(traces.contains("Type: cpu"), traces);
        assertTrue(traces.contains("dev.gonode.node.handlers.Sha256Handler.digest"), traces);
        assertTrue(traces.contains("handler:  sha256"), traces);

        String file = saved(traces);
        String top = pprof("-top", "-cum", "-tagfocus=handler=sha256", file);
        assertTrue(top.contains("Sha256Handler.digest"), top);
        assertTrue(top.contains("sun.security.provider."), "the JDK's SHA-256 frames, where the CPU goes: " + top);
        assertTrue(top.contains("cpu") || top.contains("Duration: 3"), top);
    }

    @Test
    void blockProfileShowsA200msChanReceiveWaitAtItsStack() throws Exception {
        setRates("{\"blockProfileRate\":1}");
        Channel<String> ch = Channel.make();
        Goroutine waiter = Go.go("waiter", () -> waitInChanReceive(ch));
        // The 200 ms start once the waiter is parked, so its recorded wait cannot be shorter.
        Await.until(() -> waiter.waitReason() == WaitReason.CHAN_RECEIVE);
        Time.afterFunc(Duration.ofMillis(200), () -> Go.go(() -> ch.send("done")));
        waiter.join(Duration.ofSeconds(10));

        String traces = pprof("-traces", url("/debug/pprof/block"));
        assertTrue(traces.contains("Type: delay"), traces);
        // the sample: "<delay>   dev.gonode.runtime.chan.Channel.receive" ... "PprofEndpointsTest.waitInChanReceive"
        Matcher m = Pattern.compile("(?m)^-+\\+-+\\n\\s+([0-9.]+)(ms|s)\\s+dev\\.gonode\\.runtime\\.chan\\.Channel\\.\\S+\\n"
                + "(?:\\s+\\S+\\n)*?\\s+dev\\.gonode\\.node\\.PprofEndpointsTest\\.waitInChanReceive\\n").matcher(traces);
        assertTrue(m.find(), traces);
        double ms = Double.parseDouble(m.group(1)) * (m.group(2).equals("s") ? 1000 : 1);
        assertTrue(ms >= 200, "the wait is at least 200 ms: " + m.group());
        String top = pprof("-top", "-cum", "-sample_index=contentions", url("/debug/pprof/block"));
        assertTrue(top.contains("PprofEndpointsTest.waitInChanReceive"), top);
    }

    static void waitInChanReceive(Channel<String> ch) {
        assertEquals("done", ch.receive());
    }

    @Test
    void mutexProfileShowsTheWaitForALockHeld100ms() throws Exception {
        setRates("{\"mutexProfileFraction\":1}");
        Mutex mu = new Mutex();
        Channel<Boolean> locked = Channel.make();
        Goroutine holder = Go.go(() -> {
            mu.lock();
            locked.send(true);
            Time.sleep(Duration.ofMillis(100));
            mu.unlock();
        });
        locked.receive();
        Goroutine waiter = Go.go(() -> waitForMutex(mu));
        waiter.join(Duration.ofSeconds(10));
        holder.join(Duration.ofSeconds(10));

        String traces = pprof("-traces", url("/debug/pprof/mutex"));
        assertTrue(traces.contains("Type: delay"), traces);
        assertTrue(traces.contains("dev.gonode.runtime.sync.Mutex.lock"), traces);
        assertTrue(traces.contains("dev.gonode.node.PprofEndpointsTest.waitForMutex"), traces);
    }

    static void waitForMutex(Mutex mu) {
        mu.lock();
        mu.unlock();
    }

    @Test
    void allocsProfileShowsTheAllocatingFrameAndTheType() throws Exception {
        AtomicBoolean profiling = new AtomicBoolean(true);
        Goroutine load = Go.go("allocating", () -> allocateBuffers(profiling));
        String traces;
        try {
            traces = pprof("-traces", url("/debug/pprof/allocs?seconds=2"));
        } finally {
            profiling.set(false);
            load.join(Duration.ofSeconds(10));
        }
        assertTrue(traces.contains("Type: alloc_space"), traces);
        assertTrue(traces.contains("dev.gonode.node.PprofEndpointsTest.allocateBuffers"), traces);
        assertTrue(traces.contains("type:  long[]"), traces);
        String top = pprof("-top", "-cum", "-tagfocus=type=long\\[\\]", saved(traces));
        assertTrue(top.contains("PprofEndpointsTest.allocateBuffers"), top);
    }

    static volatile Object sink;

    static void allocateBuffers(AtomicBoolean running) {
        while (running.get()) {
            sink = new long[4096];
        }
    }

    @Test
    void heapProfileShowsLiveObjectsByClass() throws Exception {
        String top = pprof("-top", url("/debug/pprof/heap"));
        assertTrue(top.contains("Type: inuse_space"), top);
        assertTrue(top.contains("byte[]"), top);
        String objects = pprof("-top", "-sample_index=inuse_objects", saved(top));
        assertTrue(objects.contains("java.lang.String"), objects);
        assertEquals(400, admin.get("/debug/pprof/heap?gc=maybe").status());
    }

    @Test
    void secondsOutOfRangeAreRefusedAndASecondCpuProfileConflicts() throws Exception {
        for (String bad : new String[] {"0", "601", "-1", "soon", "99999999999"}) {
            AdminClient.Reply r = admin.get("/debug/pprof/profile?seconds=" + bad);
            assertEquals(400, r.status(), bad + ": " + r.body());
            assertTrue(r.json().path("error").path("message").asText().contains("seconds"), r.body());
        }
        assertEquals(400, admin.get("/debug/pprof/allocs?debug=1").status());

        // Two CPU profiles that overlap in time: whichever reaches the node second is refused.
        java.util.concurrent.atomic.AtomicReference<AdminClient.Reply> first = new java.util.concurrent.atomic.AtomicReference<>();
        Goroutine firstRequest = Go.go(() -> {
            try {
                first.set(admin.get("/debug/pprof/profile?seconds=4"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        AdminClient.Reply second = admin.get("/debug/pprof/profile?seconds=1");
        firstRequest.join(Duration.ofSeconds(30));
        AdminClient.Reply refused = second.status() == 409 ? second : first.get();
        assertEquals(409, refused.status(), "one of two overlapping CPU profiles is refused: " + first.get().status()
                + " and " + second.status());
        assertEquals(200, (refused == second ? first.get() : second).status());
        assertTrue(refused.json().path("error").path("message").asText().contains("already being collected"), refused.body());
    }

    @Test
    void indexCmdlineSymbolTraceAndRates() throws Exception {
        AdminClient.Reply index = admin.get("/debug/pprof/");
        assertTrue(index.contentType().startsWith("text/html"), index.contentType());
        for (String name : new String[] {"allocs", "block", "cmdline", "goroutine", "heap", "mutex", "profile", "trace"}) {
            assertTrue(index.body().contains("'>" + name + "</a>"), name + " in " + index.body());
        }
        assertTrue(index.body().contains("/debug/pprof/goroutine?debug=2"), index.body());

        AdminClient.Reply cmdline = admin.get("/debug/pprof/cmdline");
        assertTrue(cmdline.body().contains("java"), cmdline.body());
        assertTrue(cmdline.body().contains("\0"), "words are NUL-separated: " + cmdline.body());

        assertEquals("num_symbols: 1\n", admin.get("/debug/pprof/symbol").body());
        pprof("-top", url("/debug/pprof/heap?gc=0")); // serves byte[] at a known pseudo address
        long pc = dev.gonode.runtime.dump.internal.PseudoPc.pc("byte[]", 0);
        AdminClient.Reply symbol = admin.send("POST", "/debug/pprof/symbol", "0x" + Long.toHexString(pc) + "+0x1",
                Map.of("Content-Type", "text/plain"));
        assertEquals("num_symbols: 1\n0x" + Long.toHexString(pc) + " byte[]\n", symbol.body());

        AdminClient.Reply trace = admin.get("/debug/pprof/trace");
        assertEquals(501, trace.status());
        assertTrue(trace.body().contains("/debug/jfr/start"), trace.body());

        AdminClient.Reply bad = admin.send("PUT", "/admin/profiling", "{\"blockProfileRate\":-5}",
                Map.of("Content-Type", "application/json"));
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("blockProfileRate"), bad.body());
        assertEquals(400, admin.send("PUT", "/admin/profiling", "{\"rate\":1}", Map.of("Content-Type", "application/json")).status());
        assertEquals(400, admin.send("PUT", "/admin/profiling", "[]", Map.of("Content-Type", "application/json")).status());
        assertEquals(200, admin.get("/admin/profiling").status());
    }

    @Test
    void everyProfileNeedsTheTokenWhenTheNodeHasOne() throws Exception {
        NodeConfig config = TestNodes.config();
        try (Node guarded = Node.start(config.withAdmin(new NodeConfig.Admin("127.0.0.1", 0, "s3cret")))) {
            AdminClient client = new AdminClient("127.0.0.1", guarded.adminPort());
            for (String path : new String[] {"/debug/pprof/", "/debug/pprof/profile?seconds=1", "/debug/pprof/heap",
                    "/debug/pprof/allocs?seconds=1", "/debug/pprof/block", "/debug/pprof/mutex", "/debug/pprof/cmdline",
                    "/debug/pprof/symbol", "/debug/pprof/trace", "/admin/profiling"}) {
                assertEquals(401, client.get(path).status(), path);
            }
        }
    }

    private static void setRates(String json) throws Exception {
        AdminClient.Reply r = admin.send("PUT", "/admin/profiling", json, Map.of("Content-Type", "application/json"));
        assertEquals(200, r.status(), r.body());
    }
}
