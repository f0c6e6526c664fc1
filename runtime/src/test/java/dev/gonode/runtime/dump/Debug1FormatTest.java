package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.WaitReason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The debug=1 text: Go's record shape (checked against a real Go dump), grouping, order and alignment. */
class Debug1FormatTest {

    private static final Pattern TOTAL = Pattern.compile("goroutine profile: total (\\d+)");
    private static final Pattern RECORD = Pattern.compile("(\\d+) @( 0x[0-9a-f]+)+");
    private static final Pattern LABELS = Pattern.compile("# labels: \\{(\"[^\"]*\":\"[^\"]*\"(, )?)*}");
    private static final Pattern FRAME = Pattern.compile("#\t0x[0-9a-f]+\t+\\S+\\+0x[0-9a-f]+\t+\\S+:\\d+");

    /** Checks every line against Go's grammar; returns the record counts in order. */
    static List<Integer> checkStructure(String text) {
        String[] lines = text.split("\n", -1);
        Matcher total = TOTAL.matcher(lines[0]);
        assertTrue(total.matches(), () -> "first line: " + lines[0]);
        List<Integer> counts = new ArrayList<>();
        int i = 1;
        while (i < lines.length && !lines[i].isEmpty()) {
            Matcher record = RECORD.matcher(lines[i]);
            String header = lines[i];
            assertTrue(record.matches(), () -> "record line: " + header);
            counts.add(Integer.parseInt(header.substring(0, header.indexOf(' '))));
            i++;
            if (lines[i].startsWith("# labels: ")) {
                String l = lines[i];
                assertTrue(LABELS.matcher(l).matches(), () -> "labels line: " + l);
                i++;
            }
            int frames = 0;
            for (; !lines[i].isEmpty(); i++, frames++) {
                String f = lines[i];
                assertTrue(FRAME.matcher(f).matches(), () -> "frame line: " + f);
            }
            assertEquals(header.split(" ").length - 2 >= frames, true, () -> "a frame line per address in " + header);
            i++; // the blank line that ends a record
        }
        assertEquals(Integer.parseInt(total.group(1)), counts.stream().mapToInt(Integer::intValue).sum(),
                "the total is the sum of the records");
        return counts;
    }

    @Test
    void theGrammarTheseTestsUseAcceptsARealGoProfile() throws IOException {
        String go = Debug2FormatTest.sample("go1.19-goroutine-debug1.txt");
        assertEquals(List.of(3, 1, 1, 1, 1, 1, 1, 1, 1), checkStructure(go));
    }

    @Test
    void goroutinesWithTheSameStackAndLabelsShareARecordMostFrequentFirst() throws IOException {
        List<FakeGoroutine> gs = List.of(
                FakeGoroutine.parked(1, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of()),
                FakeGoroutine.parked(2, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of("job", "b")),
                FakeGoroutine.parked(3, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of()),
                FakeGoroutine.parked(4, WaitReason.CHAN_RECEIVE, Duration.ofMinutes(3), Map.of()));
        StringBuilder out = new StringBuilder();
        assertEquals(4, GoroutineDump.of(gs).writeDebug1(out));
        String text = out.toString();
        assertEquals(List.of(3, 1), checkStructure(text), text);
        assertTrue(text.contains("\n1 @ 0x"), text);
        assertTrue(text.contains("\n# labels: {\"job\":\"b\"}\n"), text);
    }

    @Test
    void frameColumnsAreAlignedWithTabsAsGosTabwriterAlignsThem() throws IOException {
        StringBuilder out = new StringBuilder();
        GoroutineDump.of(List.of(FakeGoroutine.parked(1, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of()))).writeDebug1(out);
        // dev.gonode.runtime.chan.Channel.receive+0x10a is 46 characters: its column is 48 wide,
        // so it takes one tab; com.example.Echo.serve+0x1f (27) takes three.
        assertTrue(out.toString().contains("\tdev.gonode.runtime.chan.Channel.receive+0x10a\tChannel.java:266\n"), out::toString);
        assertTrue(out.toString().contains("\tcom.example.Echo.serve+0x1f\t\t\tEcho.java:31\n"), out::toString);
    }

    @Test
    void aLiveProfileCountsEveryGoroutineOnce() throws Exception {
        try (LiveGoroutines live = new LiveGoroutines().start()) {
            StringBuilder out = new StringBuilder();
            long n = GoroutineDump.all().filter(live.filter()).writeDebug1(out);
            assertEquals(live.expected.size(), n);
            List<Integer> counts = checkStructure(out.toString());
            assertEquals(live.expected.size(), counts.stream().mapToInt(Integer::intValue).sum(), out::toString);
            assertTrue(counts.getFirst() >= 3, () -> "the three identical receivers share a record:\n" + out);
        }
    }
}
