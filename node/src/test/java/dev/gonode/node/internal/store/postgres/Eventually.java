package dev.gonode.node.internal.store.postgres;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Polls a condition that no event announces (a lease passing on the database's clock, a server
 * accepting connections again) every 5 ms until it holds or 30 s pass. Never a fixed sleep.
 */
final class Eventually {

    interface Condition {
        boolean holds() throws Exception;
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Eventually() {
    }

    static void until(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting until " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
