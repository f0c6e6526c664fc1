package dev.gonode.runtime.leak;

import dev.gonode.runtime.RuntimeHandle;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeHandles;
import dev.gonode.runtime.internal.sched.UserFrames;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@link GoroutineLeaks#verifyNone(LeakOptions)} looks at and what it forgives. Immutable;
 * each {@code with}-style method returns a new instance.
 *
 * <pre>{@code
 * GoroutineLeaks.verifyNone(LeakOptions.defaults()
 *         .startedAfter(baseline)
 *         .ignoreTopFunction("dev.gonode.runtime.chan.Channel.receive")
 *         .ignoreName("metrics-flusher"));
 * }</pre>
 */
public final class LeakOptions {

    /** The default grace period: how long survivors get to finish before they count as leaks. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

    private final GoRuntime runtime;
    private final Duration grace;
    private final long startedAfter;
    private final Set<Long> ignoredIds;
    private final List<String> ignoredTopFunctions;
    private final List<String> ignoredAnyFunctions;
    private final List<String> ignoredNames;
    private final List<Pattern> ignoredNamePatterns;

    private LeakOptions(GoRuntime runtime, Duration grace, long startedAfter, Set<Long> ignoredIds,
                        List<String> ignoredTopFunctions, List<String> ignoredAnyFunctions,
                        List<String> ignoredNames, List<Pattern> ignoredNamePatterns) {
        this.runtime = runtime;
        this.grace = grace;
        this.startedAfter = startedAfter;
        this.ignoredIds = ignoredIds;
        this.ignoredTopFunctions = ignoredTopFunctions;
        this.ignoredAnyFunctions = ignoredAnyFunctions;
        this.ignoredNames = ignoredNames;
        this.ignoredNamePatterns = ignoredNamePatterns;
    }

    /** Every goroutine of the process-wide runtime, a 2 s grace period, nothing ignored. */
    public static LeakOptions defaults() {
        return new LeakOptions(null, DEFAULT_GRACE, 0, Set.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** Checks {@code runtime}'s goroutines instead of the process-wide runtime's. */
    public LeakOptions runtime(RuntimeHandle runtime) {
        return new LeakOptions(RuntimeHandles.of(runtime), grace, startedAfter, ignoredIds, ignoredTopFunctions, ignoredAnyFunctions,
                ignoredNames, ignoredNamePatterns);
    }

    /** How long survivors get to finish; zero checks once without waiting. */
    public LeakOptions gracePeriod(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the leak grace period must not be negative, got " + grace);
        }
        return new LeakOptions(runtime, grace, startedAfter, ignoredIds, ignoredTopFunctions, ignoredAnyFunctions,
                ignoredNames, ignoredNamePatterns);
    }

    /**
     * Only goroutines with an id above {@code goroutineId} count (ids increase in creation order):
     * pass the runtime's {@code stats().created()} taken before the test.
     */
    public LeakOptions startedAfter(long goroutineId) {
        if (goroutineId < 0) {
            throw new IllegalArgumentException("goroutine ids are positive; startedAfter got " + goroutineId);
        }
        return new LeakOptions(runtime, grace, goroutineId, ignoredIds, ignoredTopFunctions, ignoredAnyFunctions,
                ignoredNames, ignoredNamePatterns);
    }

    /**
     * Ignores every goroutine alive now (goleak's {@code IgnoreCurrent}) in the runtime chosen so
     * far: call {@link #runtime} first when checking a private runtime.
     */
    public LeakOptions ignoreCurrent() {
        Set<Long> ids = new HashSet<>(ignoredIds);
        runtimeOrDefault().registry().goroutines().forEach(g -> ids.add(g.id()));
        return new LeakOptions(runtime, grace, startedAfter, Set.copyOf(ids), ignoredTopFunctions, ignoredAnyFunctions,
                ignoredNames, ignoredNamePatterns);
    }

    /**
     * Ignores goroutines whose top function is {@code function}, written as dumps print it:
     * {@code pkg.Class.method}. As goleak skips Go's {@code runtime} frames, the top function is the
     * innermost frame outside the JDK and gonode's runtime: the user code that called
     * {@code receive}, {@code select}, {@code lock}, ...
     */
    public LeakOptions ignoreTopFunction(String function) {
        return new LeakOptions(runtime, grace, startedAfter, ignoredIds, plus(ignoredTopFunctions, checkFunction(function)),
                ignoredAnyFunctions, ignoredNames, ignoredNamePatterns);
    }

    /** Ignores goroutines with {@code function} ({@code pkg.Class.method}) anywhere on their stack. */
    public LeakOptions ignoreAnyFunction(String function) {
        return new LeakOptions(runtime, grace, startedAfter, ignoredIds, ignoredTopFunctions,
                plus(ignoredAnyFunctions, checkFunction(function)), ignoredNames, ignoredNamePatterns);
    }

    /** Ignores goroutines named exactly {@code name} (the name given to {@code Go.go(name, ...)}). */
    public LeakOptions ignoreName(String name) {
        Objects.requireNonNull(name, "name");
        return new LeakOptions(runtime, grace, startedAfter, ignoredIds, ignoredTopFunctions, ignoredAnyFunctions,
                plus(ignoredNames, name), ignoredNamePatterns);
    }

    /** Ignores goroutines whose whole name matches {@code regex}. */
    public LeakOptions ignoreNameMatching(String regex) {
        Objects.requireNonNull(regex, "regex");
        return new LeakOptions(runtime, grace, startedAfter, ignoredIds, ignoredTopFunctions, ignoredAnyFunctions,
                ignoredNames, plus(ignoredNamePatterns, Pattern.compile(regex)));
    }

    private static String checkFunction(String function) {
        Objects.requireNonNull(function, "function");
        if (function.isBlank() || !function.contains(".") || function.contains("(")) {
            throw new IllegalArgumentException("a function to ignore is written pkg.Class.method (as in goroutine"
                    + " dumps, without arguments or location), got \"" + function + "\"");
        }
        return function;
    }

    private static <T> List<T> plus(Collection<T> list, T item) {
        return Stream.concat(list.stream(), Stream.of(item)).toList();
    }

    GoRuntime runtimeOrDefault() {
        return runtime != null ? runtime : GoRuntime.get();
    }

    Duration grace() {
        return grace;
    }

    long startedAfterId() {
        return startedAfter;
    }

    boolean ignoredById(long id) {
        return ignoredIds.contains(id);
    }

    boolean ignoredByName(String name) {
        if (name == null) {
            return false;
        }
        return ignoredNames.contains(name) || ignoredNamePatterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    boolean hasStackRules() {
        return !ignoredTopFunctions.isEmpty() || !ignoredAnyFunctions.isEmpty();
    }

    boolean ignoredByStack(StackTraceElement[] stack) {
        StackTraceElement top = UserFrames.userFrame(stack);
        if (top != null && ignoredTopFunctions.contains(function(top))) {
            return true;
        }
        for (StackTraceElement frame : stack) {
            if (ignoredAnyFunctions.contains(function(frame))) {
                return true;
            }
        }
        return false;
    }

    private static String function(StackTraceElement frame) {
        return frame.getClassName() + "." + frame.getMethodName();
    }

    @Override
    public String toString() {
        return "LeakOptions[grace=" + grace + ", startedAfter=" + startedAfter + ", ignoredIds=" + ignoredIds.size()
                + ", ignoreTopFunctions=" + ignoredTopFunctions + ", ignoreAnyFunctions=" + ignoredAnyFunctions
                + ", ignoreNames=" + ignoredNames + ", ignoreNamesMatching=" + ignoredNamePatterns + "]";
    }
}
