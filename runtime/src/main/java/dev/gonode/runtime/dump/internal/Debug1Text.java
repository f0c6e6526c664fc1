package dev.gonode.runtime.dump.internal;

import dev.gonode.runtime.dump.TextStyle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Go's {@code debug=1} goroutine profile: {@code goroutine profile: total N}, then one record per
 * distinct (stack, labels), most frequent first:
 *
 * <pre>
 * 3 @ 0x4b679b 0x4b67e5
 * # labels: {"handler":"echo"}
 * #	0x4b679a	com.example.Echo.serve+0x1f		Echo.java:31
 * #	0x4b67e4	com.example.Jobs.lambda$start$0+0x1e	Jobs.java:30
 *
 * </pre>
 *
 * <p>Implementation notes. This format must group, so unlike {@code debug=2} it cannot stream
 * goroutine by goroutine: it holds one entry per distinct (stack, labels) key. To keep that small
 * when many goroutines share a stack but carry distinct labels (a job id per goroutine), stacks are
 * interned first, so a key holds a reference to a shared frame list and to the goroutine's own
 * (already existing) label map; the cost per extra goroutine with a known stack is one small key
 * and a counter. Records are sorted by count, highest first, ties by the address list and then the
 * labels, as Go sorts by count and then key. The header line lists the pseudo return addresses
 * ({@link PseudoPc}) and each frame line the call address (one less), as Go does. Go passes the
 * text through a tabwriter (min width 1, tab width 8, padding 1, padded with tabs); the frame lines
 * of a record form one column block, so each of their tab-terminated cells is padded with tabs to
 * the widest cell of its column plus one, rounded up to a multiple of 8.
 */
public final class Debug1Text {

    private Debug1Text() {
    }

    private record Key(List<StackTraceElement> stack, Map<String, String> labels) {
    }

    private static final class Group {
        final Key key;
        final String addresses;
        final String labelText;
        long count;

        Group(Key key, TextStyle style) {
            this.key = key;
            StringBuilder sb = new StringBuilder();
            for (StackTraceElement f : key.stack) {
                sb.append(" 0x").append(Long.toHexString(PseudoPc.pc(Frames.function(f, style), Frames.line(f)) + 1));
            }
            this.addresses = sb.toString();
            StringBuilder l = new StringBuilder();
            if (!key.labels.isEmpty()) {
                GoQuote.labels(l, key.labels);
            }
            this.labelText = l.toString();
        }
    }

    /** Groups {@code snapshots} and writes the profile; returns how many goroutines it counted. */
    public static long write(Iterable<Snapshot> snapshots, TextStyle style, Appendable out) throws IOException {
        Map<List<StackTraceElement>, List<StackTraceElement>> stacks = new HashMap<>();
        Map<Key, Group> groups = new HashMap<>();
        long total = 0;
        for (Snapshot s : snapshots) {
            List<StackTraceElement> stack = stacks.computeIfAbsent(Arrays.asList(s.stack()), k -> k);
            Key key = new Key(stack, s.labels());
            groups.computeIfAbsent(key, k -> new Group(k, style)).count++;
            total++;
        }
        List<Group> sorted = new ArrayList<>(groups.values());
        sorted.sort(Comparator.comparingLong((Group g) -> -g.count)
                .thenComparing(g -> g.addresses).thenComparing(g -> g.labelText));
        out.append("goroutine profile: total ").append(Long.toString(total)).append('\n');
        StringBuilder record = new StringBuilder(1024);
        for (Group g : sorted) {
            record.setLength(0);
            record.append(g.count).append(" @").append(g.addresses).append('\n');
            if (!g.labelText.isEmpty()) {
                record.append("# labels: ").append(g.labelText).append('\n');
            }
            appendFrames(record, g.key.stack, style);
            record.append('\n');
            out.append(record);
        }
        return total;
    }

    private static void appendFrames(StringBuilder out, List<StackTraceElement> stack, TextStyle style) {
        int n = stack.size();
        String[] pcs = new String[n];
        String[] funcs = new String[n];
        int pcWidth = 0;
        int funcWidth = 0;
        for (int i = 0; i < n; i++) {
            StackTraceElement f = stack.get(i);
            String function = Frames.function(f, style);
            pcs[i] = "0x" + Long.toHexString(PseudoPc.pc(function, Frames.line(f)));
            funcs[i] = function + "+0x" + Long.toHexString(PseudoPc.offset(Frames.line(f)));
            pcWidth = Math.max(pcWidth, pcs[i].length());
            funcWidth = Math.max(funcWidth, funcs[i].length());
        }
        for (int i = 0; i < n; i++) {
            out.append("#\t");
            pad(out.append(pcs[i]), pcs[i].length(), pcWidth);
            pad(out.append(funcs[i]), funcs[i].length(), funcWidth);
            out.append(Frames.location(stack.get(i), style)).append('\n');
        }
    }

    /** Tab padding of a cell of {@code width} in a column whose widest cell is {@code max}. */
    private static void pad(StringBuilder out, int width, int max) {
        int column = (max + 1 + 7) / 8 * 8;
        for (int tabs = (column - width + 7) / 8; tabs > 0; tabs--) {
            out.append('\t');
        }
    }
}
