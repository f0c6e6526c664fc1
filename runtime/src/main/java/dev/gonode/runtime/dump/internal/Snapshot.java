package dev.gonode.runtime.dump.internal;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import java.util.List;
import java.util.Map;

/**
 * One goroutine as a dump shows it: its record read once, and its stack with the scheduler's own
 * frames removed ({@link Frames#visible}).
 *
 * @param waitNanos how long it has been in its current wait, 0 when not parked in a gonode primitive
 * @param stack     the visible frames, innermost first (empty for a goroutine whose stack is gone)
 */
public record Snapshot(long id, long parentId, String name, GoroutineState state, WaitReason waitReason,
                       long waitNanos, Map<String, String> labels, StackTraceElement[] stack,
                       List<StackTraceElement> creationSite) {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    /**
     * Reads {@code g} and takes its visible stack with {@code stacks} (a few µs for a parked
     * goroutine); {@code null} when the goroutine has finished by then.
     */
    public static Snapshot take(Goroutine g, StackReader stacks) {
        WaitReason reason = g.waitReason();
        long waitNanos = reason == null ? 0 : g.waitDuration().toNanos();
        GoroutineState state = g.state();
        StackTraceElement[] stack = stacks.visibleStack(g);
        if (state == GoroutineState.DEAD || stack == null) {
            return null;
        }
        return new Snapshot(g.id(), g.parentId(), g.name(), state, reason, waitNanos, g.labels(), stack,
                g.creationSite());
    }

    /** {@code g} with a stack the caller already has (a wait site, a stack taken earlier). */
    public static Snapshot of(Goroutine g, StackTraceElement[] stack) {
        WaitReason reason = g.waitReason();
        return new Snapshot(g.id(), g.parentId(), g.name(), g.state(), reason,
                reason == null ? 0 : g.waitDuration().toNanos(), g.labels(), Frames.visible(stack), g.creationSite());
    }

    /**
     * What Go prints between the brackets before any duration: the wait reason while parked in a
     * gonode primitive, else the state ({@code runnable}, {@code running}, {@code waiting} when
     * blocked in the JDK outside gonode's primitives).
     */
    public String status() {
        return waitReason != null && state == GoroutineState.WAITING ? waitReason.goName() : state.goName();
    }

    /** Whole minutes waited, as Go's header shows them ({@code , 5 minutes}) once at least 1. */
    public long waitMinutes() {
        return state == GoroutineState.WAITING ? waitNanos / MINUTE_NANOS : 0;
    }
}
