package dev.gonode.runtime.dump;

import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Which goroutines a dump shows. Immutable: each method returns a new filter; criteria combine
 * with AND, the values of one criterion with OR. Setting a criterion again replaces it, except
 * labels, which add up.
 *
 * <pre>{@code
 * DumpFilter f = DumpFilter.all()
 *         .states("waiting")                  // runnable, running, waiting
 *         .waitReasons("chan receive,select") // Go's spelling
 *         .minWait("5m")                      // Go duration syntax
 *         .labels("handler=echo,job=echo-7")  // every pair must match
 *         .name("worker-*")                   // glob: * and ? (nameRegex for a regular expression)
 *         .limit(100);                        // at most 100 goroutines, lowest ids first
 * }</pre>
 *
 * <p>Every criterion is decided from the goroutine's record alone, before its stack is taken, so a
 * narrow filter makes a dump of a large node cheap. The string forms are meant for query
 * parameters and command-line flags: a bad value throws {@link IllegalArgumentException} naming the
 * value and what is allowed.
 */
public final class DumpFilter {

    /*
     * Implementation notes. A glob is compiled once to a regular expression: each run of literal
     * characters is quoted (Pattern.quote), '*' becomes ".*" and '?' "."; matching is on the whole
     * name (Matcher.matches), with DOTALL so that a name containing a newline is still one name.
     * matches() checks the cheapest and most selective criteria first (name, labels: field reads
     * and a map lookup), then the wait (two volatile reads), and the state last, which reads the
     * virtual thread's state word. None takes the goroutine's stack.
     */

    private static final DumpFilter ALL = new DumpFilter(null, null, Duration.ZERO, Map.of(), null, null, Long.MAX_VALUE);

    private final Set<GoroutineState> states;      // null: any
    private final Set<WaitReason> waitReasons;     // null: any
    private final Duration minWait;
    private final Map<String, String> labels;
    private final Pattern name;                    // null: any
    private final String nameSource;               // as given, for toString
    private final long limit;

    private DumpFilter(Set<GoroutineState> states, Set<WaitReason> waitReasons, Duration minWait,
                       Map<String, String> labels, Pattern name, String nameSource, long limit) {
        this.states = states;
        this.waitReasons = waitReasons;
        this.minWait = minWait;
        this.labels = labels;
        this.name = name;
        this.nameSource = nameSource;
        this.limit = limit;
    }

    /** Every live goroutine. */
    public static DumpFilter all() {
        return ALL;
    }

    /** Only goroutines in one of {@code states}. */
    public DumpFilter states(GoroutineState... states) {
        if (states.length == 0) {
            throw new IllegalArgumentException("states(...) needs at least one state: runnable, running or waiting");
        }
        EnumSet<GoroutineState> set = EnumSet.noneOf(GoroutineState.class);
        for (GoroutineState s : states) {
            set.add(Objects.requireNonNull(s, "state"));
        }
        return new DumpFilter(set, waitReasons, minWait, labels, name, nameSource, limit);
    }

    /**
     * Only goroutines in one of the comma-separated states, spelled as Go prints them
     * ({@code runnable}, {@code running}, {@code waiting}; case does not matter).
     */
    public DumpFilter states(String commaSeparated) {
        return states(split("state", commaSeparated).stream().map(DumpFilter::parseState)
                .toArray(GoroutineState[]::new));
    }

    /** Only goroutines parked for one of {@code reasons}. */
    public DumpFilter waitReasons(WaitReason... reasons) {
        if (reasons.length == 0) {
            throw new IllegalArgumentException("waitReasons(...) needs at least one wait reason, such as chan receive");
        }
        EnumSet<WaitReason> set = EnumSet.noneOf(WaitReason.class);
        for (WaitReason r : reasons) {
            set.add(Objects.requireNonNull(r, "wait reason"));
        }
        return new DumpFilter(states, set, minWait, labels, name, nameSource, limit);
    }

    /**
     * Only goroutines parked for one of the comma-separated wait reasons, spelled as Go prints them
     * ({@code chan receive}, {@code select}, {@code sync.Mutex.Lock}, ...).
     */
    public DumpFilter waitReasons(String commaSeparated) {
        return waitReasons(split("wait reason", commaSeparated).stream().map(DumpFilter::parseWaitReason)
                .toArray(WaitReason[]::new));
    }

    /** Only goroutines that have been parked for at least {@code min} in their current wait. */
    public DumpFilter minWait(Duration min) {
        Objects.requireNonNull(min, "minWait");
        if (min.isNegative()) {
            throw new IllegalArgumentException("minimum wait " + min + " is negative: use 0 or a positive duration");
        }
        return new DumpFilter(states, waitReasons, min, labels, name, nameSource, limit);
    }

    /** {@link #minWait(Duration)} in Go's duration syntax ({@code 90s}, {@code 5m}, {@code 1h30m}). */
    public DumpFilter minWait(String goDuration) {
        Duration d;
        try {
            d = GoDuration.parse(goDuration);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("minimum wait \"" + goDuration
                    + "\" is not a duration: write it as Go does, such as 90s, 5m or 1h30m", e);
        }
        return minWait(d);
    }

    /** Only goroutines carrying every one of {@code required} labels with exactly that value. */
    public DumpFilter labels(Map<String, String> required) {
        Map<String, String> merged = new LinkedHashMap<>(labels);
        required.forEach((k, v) -> merged.put(Objects.requireNonNull(k, "label key"),
                Objects.requireNonNull(v, () -> "value of label " + k)));
        return new DumpFilter(states, waitReasons, minWait, Map.copyOf(merged), name, nameSource, limit);
    }

    /**
     * A label selector {@code key=value,key2=value2}: only goroutines carrying every pair. Keys
     * and values are taken literally (no wildcards) after trimming spaces around them.
     */
    public DumpFilter labels(String selector) {
        Map<String, String> required = new LinkedHashMap<>();
        for (String pair : split("label selector", selector)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("label selector \"" + selector + "\" has \"" + pair
                        + "\", which is not key=value: write pairs such as handler=echo,job=echo-7");
            }
            required.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return labels(required);
    }

    /**
     * Only named goroutines whose whole name matches the glob {@code pattern}: {@code *} matches
     * any run of characters, {@code ?} one character, everything else itself. Unnamed goroutines
     * never match.
     */
    public DumpFilter name(String glob) {
        Objects.requireNonNull(glob, "name pattern");
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("name pattern is empty: use a glob such as worker-* (or nameRegex)");
        }
        StringBuilder re = new StringBuilder();
        int literalStart = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (i > literalStart) {
                    re.append(Pattern.quote(glob.substring(literalStart, i)));
                }
                re.append(c == '*' ? ".*" : ".");
                literalStart = i + 1;
            }
        }
        if (literalStart < glob.length()) {
            re.append(Pattern.quote(glob.substring(literalStart)));
        }
        return new DumpFilter(states, waitReasons, minWait, labels, Pattern.compile(re.toString(), Pattern.DOTALL),
                glob, limit);
    }

    /** Only named goroutines whose whole name matches the Java regular expression {@code regex}. */
    public DumpFilter nameRegex(String regex) {
        Objects.requireNonNull(regex, "name regex");
        try {
            return new DumpFilter(states, waitReasons, minWait, labels, Pattern.compile(regex), "re:" + regex, limit);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("name regex \"" + regex + "\" is not a valid regular expression ("
                    + e.getDescription() + "): fix it, or use name(...) with a glob such as worker-*", e);
        }
    }

    /** At most {@code max} goroutines (the lowest ids that match). */
    public DumpFilter limit(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("limit " + max + " is not positive: use 1 or more");
        }
        return new DumpFilter(states, waitReasons, minWait, labels, name, nameSource, max);
    }

    /** {@link #limit(long)} from text, for query parameters. */
    public DumpFilter limit(String max) {
        try {
            return limit(Long.parseLong(max.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit \"" + max + "\" is not a whole number: use 1 or more", e);
        }
    }

    /** The most goroutines a dump with this filter shows ({@link Long#MAX_VALUE} when unlimited). */
    public long limit() {
        return limit;
    }

    /** Whether {@code g} passes every criterion but the limit. Reads only the goroutine's record. */
    public boolean matches(Goroutine g) {
        if (name != null && (g.name() == null || !name.matcher(g.name()).matches())) {
            return false;
        }
        if (!labels.isEmpty()) {
            Map<String, String> have = g.labels();
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (!e.getValue().equals(have.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (waitReasons != null || !minWait.isZero()) {
            WaitReason reason = g.waitReason();
            if (reason == null || (waitReasons != null && !waitReasons.contains(reason))) {
                return false;
            }
            if (!minWait.isZero() && g.waitDuration().compareTo(minWait) < 0) {
                return false;
            }
        }
        return states == null || states.contains(g.state());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DumpFilter{");
        if (states != null) {
            sb.append("states=").append(states.stream().map(GoroutineState::goName).collect(Collectors.joining(","))).append(' ');
        }
        if (waitReasons != null) {
            sb.append("waitReasons=").append(waitReasons.stream().map(WaitReason::goName).collect(Collectors.joining(","))).append(' ');
        }
        if (!minWait.isZero()) {
            sb.append("minWait=").append(GoDuration.format(minWait)).append(' ');
        }
        if (!labels.isEmpty()) {
            sb.append("labels=").append(labels).append(' ');
        }
        if (nameSource != null) {
            sb.append("name=").append(nameSource).append(' ');
        }
        if (limit != Long.MAX_VALUE) {
            sb.append("limit=").append(limit).append(' ');
        }
        int end = sb.length() - 1;
        return (sb.charAt(end) == ' ' ? sb.substring(0, end) : sb.toString()) + "}";
    }

    private static java.util.List<String> split(String what, String commaSeparated) {
        Objects.requireNonNull(commaSeparated, what);
        java.util.List<String> parts = Arrays.stream(commaSeparated.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(what + " \"" + commaSeparated + "\" is empty: give one or more, comma-separated");
        }
        return parts;
    }

    private static GoroutineState parseState(String s) {
        for (GoroutineState state : GoroutineState.values()) {
            if (state != GoroutineState.DEAD && state.goName().equalsIgnoreCase(s)) {
                return state;
            }
        }
        throw new IllegalArgumentException("goroutine state \"" + s + "\" is unknown: use runnable, running or waiting");
    }

    private static WaitReason parseWaitReason(String s) {
        for (WaitReason r : WaitReason.values()) {
            if (r.goName().equals(s) || r.name().equals(s.toUpperCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("wait reason \"" + s + "\" is unknown: use one of "
                + Arrays.stream(WaitReason.values()).map(WaitReason::goName).collect(Collectors.joining(", ")));
    }
}
