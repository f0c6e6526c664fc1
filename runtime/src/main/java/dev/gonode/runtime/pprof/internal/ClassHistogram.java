package dev.gonode.runtime.pprof.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM's class histogram ({@code jcmd PID GC.class_histogram}, {@code jmap -histo}): instances
 * and bytes of every class on the heap.
 *
 * <p>Implementation notes. The histogram comes from the {@code gcClassHistogram} operation of the
 * HotSpot diagnostic-command MBean, as text: a header, then one line per class,
 * {@code "   1:   12345   678900  [B (java.base@25)"} (rank, instances, bytes, the class's JVM
 * name, its module), then a {@code Total} line. Lines that do not have that shape are skipped.
 * Class names are turned from the JVM's descriptors ({@code [B}, {@code [Ljava.lang.String;}) into
 * the Java spelling ({@code byte[]}, {@code java.lang.String[]}). The histogram is sorted by bytes;
 * at most {@value #MAX_CLASSES} classes are kept.
 */
final class ClassHistogram {

    static final int MAX_CLASSES = 20_000;
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    record Entry(String className, long instances, long bytes) {
    }

    private ClassHistogram() {
    }

    /** The histogram now: of live objects after a full GC ({@code live}), or of everything on the heap. */
    static List<Entry> take(boolean live) {
        Object text = live ? AllocationProfiler.diagnosticCommand("gcClassHistogram")
                : AllocationProfiler.diagnosticCommand("gcClassHistogram", "-all");
        return parse(String.valueOf(text));
    }

    static List<Entry> parse(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find() && entries.size() < MAX_CLASSES) {
                entries.add(new Entry(readable(m.group(3)), Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
        }
        return entries;
    }

    /** {@code [B} as {@code byte[]}, {@code [[Ljava.lang.String;} as {@code java.lang.String[][]}; other names as they are. */
    static String readable(String jvmName) {
        int dims = 0;
        while (dims < jvmName.length() && jvmName.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return jvmName;
        }
        String element = jvmName.substring(dims);
        String base = switch (element) {
            case "B" -> "byte";
            case "C" -> "char";
            case "D" -> "double";
            case "F" -> "float";
            case "I" -> "int";
            case "J" -> "long";
            case "S" -> "short";
            case "Z" -> "boolean";
            default -> element.startsWith("L") && element.endsWith(";")
                    ? element.substring(1, element.length() - 1) : element;
        };
        return base + "[]".repeat(dims);
    }
}
