package dev.gonode.deploy;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition in tests: polls it every millisecond until it holds or 20 s pass. Never a
 * fixed sleep: the wait ends as soon as the condition holds. The condition may do I/O (ask the
 * node over HTTP).
 */
final class Await {

    /** A condition that may throw (HTTP calls do). */
    interface Condition {
        boolean holds() throws Exception;
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Await() {
    }

    static void until(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting for a condition");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
