package dev.gonode.examples;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition in tests: polls it every 100 µs (leaving the CPU to the code under test)
 * until it holds or a deadline passes. Never a fixed sleep: the wait ends as soon as the condition
 * holds. (The runtime's tests have the same helper; test classes are not shared across modules.)
 */
public final class Await {

    private Await() {
    }

    /** Waits until {@code condition} holds; fails with {@code what} if it does not within {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** {@link #until(Duration, String, BooleanSupplier)} with a 10 s timeout. */
    public static void until(String what, BooleanSupplier condition) {
        until(Duration.ofSeconds(10), what, condition);
    }
}
