package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.WaitReason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The debug=2 text: Go's block shape (checked against a real Go dump), header rules and styles. */
class Debug2FormatTest {

    /** Real Go 1.19 dumps (from a small Go program; see the shared research notes), copied beside these tests. */
    static String sample(String name) throws IOException {
        try (var in = Debug2FormatTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("test resource " + name + " is missing beside " + Debug2FormatTest.class);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    // Go's debug=2 grammar, loose enough for real Go output (arguments, +0x offsets).
    private static final Pattern HEADER = Pattern.compile("goroutine (\\d+) \\[([^\\]]+)\\]:");
    private static final Pattern LABELS = Pattern.compile("labels: \\{(\"[^\"]*\":\"[^\"]*\"(, )?)*}");
    private static final Pattern FUNCTION = Pattern.compile("\\S+\\(.*\\)");
    private static final Pattern LOCATION = Pattern.compile("\t\\S+:\\d+( \\+0x[0-9a-f]+)?");
    private static final Pattern CREATED = Pattern.compile("created by \\S+( in goroutine \\d+)?");

    /** Splits a dump into blocks, checking every line against Go's grammar; returns the headers. */
    static List<String> checkStructure(String dump) {
        List<String> headers = new ArrayList<>();
        String[] blocks = dump.split("\n\n");
        for (String block : blocks) {
            String[] lines = block.strip().split("\n");
            assertTrue(HEADER.matcher(lines[0]).matches(), () -> "header: " + lines[0]);
            headers.add(lines[0]);
            int i = 1;
            if (i < lines.length && lines[i].startsWith("labels: ")) {
                String l = lines[i];
                assertTrue(LABELS.matcher(l).matches(), () -> "labels line: " + l);
                i++;
            }
            for (; i < lines.length; i += 2) {
                String fn = lines[i];
                String loc = lines[i + 1];
                assertTrue(FUNCTION.matcher(fn).matches() || CREATED.matcher(fn).matches(), () -> "function line: " + fn);
                assertTrue(LOCATION.matcher(loc).matches(), () -> "location line: " + loc);
                if (fn.startsWith("created by ")) {
                    assertEquals(lines.length, i + 2, () -> "created by is the last entry of " + block);
                }
            }
        }
        return headers;
    }

    @Test
    void theGrammarTheseTestsUseAcceptsARealGoDump() throws IOException {
        String go = sample("go1.19-goroutine-debug2.txt");
        assertEquals(11, checkStructure(go).size());
    }

    @Test
    void aLiveDumpHasGosBlockShapeForEveryGoroutine() throws Exception {
        try (LiveGoroutines live = new LiveGoroutines().start()) {
            String dump = GoroutineDump.all().filter(live.filter()).debug2();
            List<String> headers = checkStructure(dump);
            assertEquals(live.expected.size(), headers.size(), dump);
            live.expected.forEach((g, reason) -> assertTrue(
                    dump.contains("goroutine " + g.id() + " [" + reason.goName() + "]:\n"), () -> g + " in\n" + dump));
            assertTrue(dump.contains("created by "), dump);
            assertTrue(dump.contains(" in goroutine " + live.spawner.id() + "\n"), dump);
            assertTrue(dump.contains("labels: {\"handler\":\"echo\", \"job\":\"echo-7\", \"suite\":\"" + live.suite + "\"}"), dump);
            assertTrue(!dump.contains("java.lang.VirtualThread") && !dump.contains("internal.sched.Park"),
                    () -> "the parking machinery is hidden, as Go hides runtime.gopark:\n" + dump);
        }
    }

    @Test
    void theHeaderShowsWholeMinutesOnlyOnceAMinuteHasPassed() {
        String under = GoroutineDump.format(FakeGoroutine.parked(7, WaitReason.CHAN_RECEIVE, Duration.ofSeconds(59), Map.of()));
        String one = GoroutineDump.format(FakeGoroutine.parked(7, WaitReason.CHAN_RECEIVE, Duration.ofSeconds(60), Map.of()));
        String five = GoroutineDump.format(FakeGoroutine.parked(7, WaitReason.SELECT, Duration.ofSeconds(359), Map.of()));
        assertTrue(under.startsWith("goroutine 7 [chan receive]:\n"), under);
        assertTrue(one.startsWith("goroutine 7 [chan receive, 1 minutes]:\n"), one);
        assertTrue(five.startsWith("goroutine 7 [select, 5 minutes]:\n"), five);
    }

    @Test
    void aBlockHidesTheParkingMachineryAndTheLauncher() {
        String block = GoroutineDump.format(FakeGoroutine.parked(7, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of()));
        assertEquals("""
                goroutine 7 [chan receive]:
                dev.gonode.runtime.chan.Channel.receive(...)
                \tChannel.java:266
                com.example.Echo.serve(...)
                \tEcho.java:31
                created by com.example.Jobs.start in goroutine 1
                \tJobs.java:30
                """, block);
    }

    @Test
    void labelsAreQuotedAndSortedAsGoPrintsThem() {
        String block = GoroutineDump.format(FakeGoroutine.parked(7, WaitReason.CHAN_RECEIVE, Duration.ZERO,
                Map.of("job", "a\"b\n", "handler", "echo")));
        assertTrue(block.contains("\nlabels: {\"handler\":\"echo\", \"job\":\"a\\\"b\\n\"}\n"), block);
    }

    @Test
    void aGoroutineWithoutAStackStillHasTheOneFrameGosReadersRequire() {
        FakeGoroutine g = FakeGoroutine.parked(7, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of());
        String block = GoroutineDump.format(g, new StackTraceElement[0], TextStyle.GO_TOOLS);
        assertEquals("""
                goroutine 7 [chan receive]:
                java/lang.VirtualThread.run(...)
                \t/java/lang/VirtualThread.java.go:0
                created by com/example.Jobs.start in goroutine 1
                \t/com/example/Jobs.java.go:30
                """, block);
        checkStructure(block);
    }

    @Test
    void labelQuotingEscapesWhatGosStrconvQuoteEscapes() {
        String block = GoroutineDump.format(FakeGoroutine.parked(7, WaitReason.CHAN_RECEIVE, Duration.ZERO,
                Map.of("k", "caf\u00e9 \u00a0\u0001\t\\\uD83D\uDE00")));
        assertTrue(block.contains("labels: {\"k\":\"caf\u00e9 \\u00a0\\x01\\t\\\\\uD83D\uDE00\"}\n"), block);
    }

    @Test
    void theGoToolsStyleUsesImportPathsGoPathsAndNoLabelsLine() {
        FakeGoroutine g = FakeGoroutine.parked(7, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of("job", "x"));
        String block = GoroutineDump.format(g, g.stackTrace(), TextStyle.GO_TOOLS);
        assertEquals("""
                goroutine 7 [chan receive]:
                dev/gonode/runtime/chan.Channel.receive(...)
                \t/dev/gonode/runtime/chan/Channel.java.go:266
                com/example.Echo.serve(...)
                \t/com/example/Echo.java.go:31
                created by com/example.Jobs.start in goroutine 1
                \t/com/example/Jobs.java.go:30
                """, block);
    }
}
