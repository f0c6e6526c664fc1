package dev.gonode.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Waits in tests for a condition that no event announces: a goroutine reaching a wait reason, a
 * node answering over HTTP, a lease passing on the database's clock. One API for all of them: the
 * condition may do I/O and throw. Never a fixed sleep: the wait ends as soon as the condition holds.
 *
 * <p>Implementation notes. The condition is polled with a back-off from 100 µs (an in-JVM state
 * change is seen within a fraction of a millisecond) doubling to 1 ms (an HTTP or SQL round trip
 * per millisecond at most), leaving the CPU to the code under test in between. The timeout is a
 * bound for failures only; a passing test never reaches it. An exception from the condition ends
 * the wait at once as a failure naming what was awaited, with the exception as its cause.
 */
public final class Await {

    /** A condition to wait for; it may do I/O. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** How long {@link #until(String, Condition)} waits before it fails. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final long FIRST_PAUSE_NANOS = 100_000;
    private static final long LONGEST_PAUSE_NANOS = 1_000_000;

    private Await() {
    }

    /** Waits until {@code condition} holds; fails naming {@code what} if it does not within {@code timeout}. */
    public static void until(Duration timeout, String what, Condition condition) {
        until(timeout, () -> what, condition);
    }

    /**
     * Like {@link #until(Duration, String, Condition)}, with {@code what} worked out when the wait
     * fails (so the message can show the state it found then).
     */
    public static void until(Duration timeout, Supplier<String> what, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!holds(what, condition)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what.get());
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }

    /** {@link #until(Duration, String, Condition)} with {@link #TIMEOUT}. */
    public static void until(String what, Condition condition) {
        until(TIMEOUT, what, condition);
    }

    /** {@link #until(String, Condition)} for a condition whose code says what it waits for. */
    public static void until(Condition condition) {
        until("a condition holds", condition);
    }

    private static boolean holds(Supplier<String> what, Condition condition) {
        try {
            return condition.holds();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new AssertionError("waiting until " + what.get() + ", the condition threw " + e, e);
        }
    }
}
