package dev.gonode.runtime.jfr;

import java.util.Set;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MetadataDefinition;
import jdk.jfr.Name;
import jdk.jfr.SettingControl;
import jdk.jfr.Timespan;

/**
 * The {@code minimumWait} setting of {@link GoroutineBlockedEvent}: parks shorter than this are not
 * recorded. A JFR duration such as {@code 20 ms} (the default), {@code 0 ns} or {@code 1 s}; with
 * several recordings, the smallest wins.
 *
 * <p>Implementation notes. JFR's own {@code threshold} needs the event's begin/end timestamps,
 * i.e. an event object and two JFR clock reads on every park while a recording is on (about 70 ns,
 * see {@code bench/README.md}). The runtime already notes when each park began, so this setting
 * keeps the current minimum in a static field that the park hook compares against, and an event is
 * created only for waits that cross it.
 */
@MetadataDefinition
@Name("gonode.MinimumWait")
@Label("Minimum Wait")
@Description("Record only waits at least this long")
@Timespan(Timespan.NANOSECONDS)
public final class MinimumWaitSetting extends SettingControl {

    static final String DEFAULT = "20 ms";

    /** The minimum wait now in force, read by the park hook. */
    static volatile long nanos = parse(DEFAULT);

    private String value = DEFAULT;

    @Override
    public String combine(Set<String> values) {
        String smallest = null;
        long smallestNanos = Long.MAX_VALUE;
        for (String v : values) {
            long n = parse(v);
            if (n < smallestNanos) {
                smallestNanos = n;
                smallest = v;
            }
        }
        return smallest == null ? DEFAULT : smallest;
    }

    @Override
    public void setValue(String text) {
        nanos = parse(text);
        value = text;
    }

    @Override
    public String getValue() {
        return value;
    }

    /**
     * Parses a JFR duration ({@code 20 ms}, {@code 0 ns}, {@code 1 s}, {@code 2 m}; a bare number is
     * nanoseconds); anything else means the default, as JFR ignores settings it cannot read.
     */
    static long parse(String text) {
        String t = text.trim();
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0) {
            return parse(DEFAULT);
        }
        long amount = Long.parseLong(t.substring(0, split));
        return switch (t.substring(split).trim()) {
            case "ns", "" -> amount;
            case "us" -> amount * 1_000L;
            case "ms" -> amount * 1_000_000L;
            case "s" -> amount * 1_000_000_000L;
            case "m" -> amount * 60_000_000_000L;
            case "h" -> amount * 3_600_000_000_000L;
            case "d" -> amount * 86_400_000_000_000L;
            default -> parse(DEFAULT);
        };
    }
}
