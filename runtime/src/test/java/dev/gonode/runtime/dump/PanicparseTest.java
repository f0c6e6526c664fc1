package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.dump.internal.Frames;
import dev.gonode.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's panicparse, a reader of Go's debug=2 dumps, reads a dump of live gonode goroutines in
 * the {@link TextStyle#GO_TOOLS} style: it finds every goroutine, its wait reason and its creator.
 * If the dump broke Go's grammar, panicparse would stop at the offending line ("Failed: ...") and
 * count fewer goroutines, or print the rest as unparsed text.
 */
class PanicparseTest {

    // panicparse's summary line per bucket: "3: chan receive [Created by f in goroutine 7 @ F.java.go:12]"
    private static final Pattern BUCKET = Pattern.compile(
            "^(\\d+): ([^\\[\\n]+?)(?: \\[\\d+ minutes?])?(?: \\[Created by (.+?) @ [^\\]]+])?$", Pattern.MULTILINE);

    @Test
    void panicparseRecognisesEveryGoroutineItsWaitReasonAndItsCreator(@TempDir Path dir) throws Exception {
        Path panicparse = ExternalTools.require("panicparse", "apt-get install -y panicparse");
        try (LiveGoroutines live = new LiveGoroutines().start()) {
            Path dump = dir.resolve("goroutines.txt");
            String text = GoroutineDump.all().filter(live.filter()).style(TextStyle.GO_TOOLS).debug2();
            Files.writeString(dump, text);

            ExternalTools.Run run = ExternalTools.run(List.of(panicparse.toString(), "-parse=false", "-rebase=false",
                    "-no-color", dump.toString()));
            String out = run.output();
            assertEquals(0, run.exitCode(), () -> "panicparse failed:\n" + out + "\non:\n" + text);
            assertFalse(out.contains("Failed:"), () -> "panicparse rejected a line:\n" + out + "\non:\n" + text);

            Map<String, Integer> byReason = new TreeMap<>();
            Map<String, Integer> byCreator = new TreeMap<>();
            int total = 0;
            Matcher m = BUCKET.matcher(out);
            while (m.find()) {
                int n = Integer.parseInt(m.group(1));
                total += n;
                byReason.merge(m.group(2).strip(), n, Integer::sum);
                byCreator.merge(String.valueOf(m.group(3)), n, Integer::sum);
            }
            assertEquals(live.expected.size(), total, () -> "goroutines panicparse found in:\n" + out);

            Map<String, Integer> expectedReasons = new TreeMap<>();
            Map<String, Integer> expectedCreators = new TreeMap<>();
            for (Map.Entry<Goroutine, WaitReason> e : live.expected.entrySet()) {
                Goroutine g = e.getKey();
                expectedReasons.merge(e.getValue().goName(), 1, Integer::sum);
                // panicparse shows a function by its package's last path element: dump.Class.method
                String function = Frames.function(g.creationSite().get(0), TextStyle.GO_TOOLS);
                String creator = function.substring(function.lastIndexOf('/') + 1)
                        + (g.parentId() != 0 ? " in goroutine " + g.parentId() : "");
                expectedCreators.merge(creator, 1, Integer::sum);
            }
            assertEquals(expectedReasons, byReason, () -> "wait reasons panicparse read from:\n" + out);
            assertEquals(expectedCreators, byCreator, () -> "creators panicparse read from:\n" + out);
            assertTrue(byCreator.keySet().stream().anyMatch(c -> c.endsWith(" in goroutine " + live.spawner.id())),
                    () -> "the child's parent goroutine in:\n" + out);
        }
    }
}
