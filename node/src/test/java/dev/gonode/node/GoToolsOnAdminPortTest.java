package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.testhandlers.GateHandler;
import dev.gonode.testing.Await;
import dev.gonode.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go's own tools against a live node's admin port, on the URLs a Go user types, without gonode
 * parameters: {@code go tool pprof} on the bare {@code /debug/pprof/goroutine} (the protobuf, as
 * Go serves it) and on {@code ?debug=1} (which it symbolizes through {@code /debug/pprof/symbol}),
 * panicparse on {@code ?debug=2}. Had the bare URL served text, pprof would stop with
 * "unrecognized profile format"; had the symbol lookup failed, its report would name bare
 * addresses; had the text broken Go's grammar, panicparse would print "Failed:" or count fewer
 * goroutines.
 */
class GoToolsOnAdminPortTest {

    private static final Pattern TOP_ROW = Pattern.compile("^\\s+\\d+\\s+[\\d.]+%\\s+[\\d.]+%\\s+\\d+\\s+[\\d.]+%\\s+(.+)$",
            Pattern.MULTILINE);

    private static Node node;
    private static String base;

    @BeforeAll
    static void startNode() throws Exception {
        node = Node.start(TestNodes.config());
        base = "http://127.0.0.1:" + node.adminPort();
        // Workers start on demand: two held gate jobs make two labelled workers parked in a select.
        GateHandler.reset();
        AdminClient api = new AdminClient("127.0.0.1", node.serverPort());
        for (int i = 0; i < 2; i++) {
            assertEquals(202, api.postJson("/v1/jobs/gate?wait=false", "{}").status());
        }
        Await.until(() -> GateHandler.running() == 2);
    }

    @AfterAll
    static void stopNode() {
        GateHandler.open();
        if (node != null) {
            node.close();
        }
    }

    private static Path go() {
        return ExternalTools.require("go", "apt-get install -y golang-go", "/usr/lib/go/bin/go", "/usr/lib/go-1.19/bin/go");
    }

    private static ExternalTools.Run pprof(Path tmp, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(go().toString(), "tool", "pprof"));
        command.addAll(List.of(args));
        return ExternalTools.run(command, Map.of("PPROF_TMPDIR", tmp.toString()));
    }

    /** The function column of every row of {@code pprof -top}. */
    private static List<String> topFunctions(String out) {
        List<String> functions = new java.util.ArrayList<>();
        Matcher m = TOP_ROW.matcher(out);
        while (m.find()) {
            functions.add(m.group(1).strip());
        }
        return functions;
    }

    @Test
    void goToolPprofTopReadsTheBareUrlAsGoServesIt(@TempDir Path tmp) throws Exception {
        for (String url : List.of(base + "/debug/pprof/goroutine", base + "/debug/pprof/goroutine?debug=0")) {
            ExternalTools.Run top = pprof(tmp, "-top", url);
            assertEquals(0, top.exitCode(), () -> "go tool pprof -top " + url + ":\n" + top.output());
            assertTrue(top.output().contains("Type: goroutine"), top.output());
            List<String> functions = topFunctions(top.output());
            assertFalse(functions.isEmpty(), top.output());
            assertTrue(functions.stream().anyMatch(f -> f.startsWith("dev.gonode.")), top.output());
        }
        ExternalTools.Run traces = pprof(tmp, "-traces", base + "/debug/pprof/goroutine");
        assertEquals(0, traces.exitCode(), traces.output());
        assertTrue(traces.output().contains("handler:  gate\n"), () -> "labels as sample labels:\n" + traces.output());
    }

    @Test
    void goToolPprofTopReadsDebug1AndNamesItsFramesThroughTheSymbolLookup(@TempDir Path tmp) throws Exception {
        String url = base + "/debug/pprof/goroutine?debug=1";
        ExternalTools.Run top = pprof(tmp, "-top", url);
        assertEquals(0, top.exitCode(), () -> "go tool pprof -top " + url + ":\n" + top.output());
        assertTrue(top.output().contains("Type: goroutine"), top.output());
        List<String> functions = topFunctions(top.output());
        assertFalse(functions.isEmpty(), top.output());
        for (String f : functions) {
            assertFalse(f.matches("0x[0-9a-f]+"), () -> "an address pprof could not name: " + f + " in\n" + top.output());
        }
        assertTrue(functions.stream().anyMatch(f -> f.startsWith("dev/gonode/")), top.output());

        ExternalTools.Run traces = pprof(tmp, "-traces", url);
        assertEquals(0, traces.exitCode(), traces.output());
        assertTrue(traces.output().contains("dev/gonode/runtime/chan.Select."), traces.output());
    }

    @Test
    void panicparseReadsTheDebug2TextOfEveryGoroutine(@TempDir Path tmp) throws Exception {
        Path panicparse = ExternalTools.require("panicparse", "apt-get install -y panicparse");
        AdminClient.Reply dump = new AdminClient("127.0.0.1", node.adminPort()).get("/debug/pprof/goroutine?debug=2");
        assertEquals(200, dump.status(), dump.body());
        long goroutines = dump.body().lines().filter(l -> l.startsWith("goroutine ")).count();
        Path file = tmp.resolve("goroutines.txt");
        Files.writeString(file, dump.body());
        ExternalTools.Run run = ExternalTools.run(List.of(panicparse.toString(), "-parse=false", "-rebase=false",
                "-no-color", file.toString()));
        assertEquals(0, run.exitCode(), () -> run.output() + "\non:\n" + dump.body());
        assertFalse(run.output().contains("Failed:"), () -> run.output() + "\non:\n" + dump.body());
        long counted = 0;
        Matcher bucket = Pattern.compile("^(\\d+): ", Pattern.MULTILINE).matcher(run.output());
        while (bucket.find()) {
            counted += Long.parseLong(bucket.group(1));
        }
        assertEquals(goroutines, counted, () -> "goroutines panicparse found in:\n" + run.output());
    }

    @Test
    void symbolLookupAnswersAsGosAndRefusesWhatIsNotAnAddress() throws Exception {
        AdminClient admin = new AdminClient("127.0.0.1", node.adminPort());
        assertEquals("num_symbols: 1\n", admin.get("/debug/pprof/symbol").body());
        String debug1 = admin.get("/debug/pprof/goroutine?debug=1").body();
        Matcher frame = Pattern.compile("^#\\t(0x[0-9a-f]+)\\t+(\\S+)\\+0x", Pattern.MULTILINE).matcher(debug1);
        assertTrue(frame.find(), debug1);
        AdminClient.Reply answer = admin.send("POST", "/debug/pprof/symbol", frame.group(1) + "+0x10", Map.of());
        assertEquals(200, answer.status(), answer.body());
        assertEquals("num_symbols: 1\n" + frame.group(1) + " " + frame.group(2) + "\n", answer.body(),
                "a known address is named, an unknown one left out");
        AdminClient.Reply bad = admin.send("POST", "/debug/pprof/symbol", "0x10+main.go", Map.of());
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("main.go"), bad.body());
    }
}
