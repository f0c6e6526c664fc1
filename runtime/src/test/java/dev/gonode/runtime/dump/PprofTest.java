package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.testing.ExternalTools;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go's own pprof (Debian's golang-go, {@code go tool pprof}) reads the protobuf goroutine profile
 * of live goroutines: it counts every goroutine, shows their frames and their labels. A malformed
 * profile would make pprof fail to parse it; a wrong sample type or lost labels would show in its
 * report.
 */
class PprofTest {

    @Test
    void goToolPprofCountsEveryGoroutineAndShowsItsLabels(@TempDir Path dir) throws Exception {
        Path go = ExternalTools.require("go", "apt-get install -y golang-go", "/usr/lib/go/bin/go", "/usr/lib/go-1.19/bin/go");
        try (LiveGoroutines live = new LiveGoroutines().start()) {
            Path profile = dir.resolve("goroutine.pb.gz");
            try (OutputStream out = Files.newOutputStream(profile)) {
                assertEquals(live.expected.size(), GoroutineDump.all().filter(live.filter()).write(DumpFormat.PPROF, out));
            }
            ExternalTools.Run traces = ExternalTools.run(List.of(go.toString(), "tool", "pprof", "-traces", profile.toString()));
            String out = traces.output();
            assertEquals(0, traces.exitCode(), out);
            assertTrue(out.contains("Type: goroutine"), out);

            // -traces prints each sample as a separator line, its labels ("   key:  value"), then
            // "<count>   <top frame>" and the other frames
            int total = 0;
            Matcher m = Pattern.compile("^-+\\+-+\\n(?:[ ]*\\S+:  .*\\n)*[ ]*(\\d+)   \\S", Pattern.MULTILINE).matcher(out);
            while (m.find()) {
                total += Integer.parseInt(m.group(1));
            }
            assertEquals(live.expected.size(), total, out);
            assertTrue(out.contains("dev.gonode.runtime.chan.Channel.receiveOk"), out);
            assertTrue(out.contains("suite:  " + live.suite + "\n"), out);
            assertTrue(out.contains("job:  echo-7\n") && out.contains("handler:  echo\n"), out);

            ExternalTools.Run tags = ExternalTools.run(List.of(go.toString(), "tool", "pprof", "-tags", profile.toString()));
            assertEquals(0, tags.exitCode(), tags.output());
            // -tags: " suite: Total 11.0" then "11.0 (  100%): <suite>"
            assertTrue(Pattern.compile("suite: Total " + live.expected.size() + "\\.0\\s+" + live.expected.size()
                    + "\\.0 \\(\\s*100%\\): " + Pattern.quote(live.suite)).matcher(tags.output()).find(), tags.output());
            assertTrue(tags.output().contains("job: Total 1.0"), tags.output());
        }
    }
}
