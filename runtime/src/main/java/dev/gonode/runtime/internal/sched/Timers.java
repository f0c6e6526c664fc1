package dev.gonode.runtime.internal.sched;

/**
 * The scheduler's timers (Go's per-P timer heaps), for gonode's sleeps, timeouts, tickers and
 * context deadlines.
 *
 * <p>An action runs on a carrier or on the sysmon thread when its deadline passes. It must be
 * short and must not block: unpark a goroutine, complete a non-blocking offer, and so on.
 */
public final class Timers {

    /** A pending timer. */
    public interface Timer {
        /**
         * Stops the timer. Returns {@code true} if this call stopped it before it fired, {@code false}
         * if it already fired or was already stopped.
         */
        boolean cancel();
    }

    private Timers() {
    }

    /**
     * Runs {@code action} once {@code deadlineNanos} (a {@link System#nanoTime()} value) has passed.
     */
    public static Timer schedule(long deadlineNanos, Runnable action) {
        return GoRuntime.current().scheduleTimer(deadlineNanos, action);
    }
}
