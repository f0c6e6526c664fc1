package dev.gonode.runtime.time;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.Park;
import java.time.Duration;

/**
 * Go's {@code time} package for goroutines: sleeping, and (with channels) timers and tickers.
 *
 * <p>Every deadline is kept by the scheduler's own per-P timers, not by a thread per sleeper and
 * not by the JDK's delayed-task threads. A sleeping goroutine is parked (its carrier runs others)
 * with wait reason {@code sleep}.
 */
public final class Time {

    private static final Object SLEEP = new Object();

    private Time() {
    }

    /**
     * Go's {@code time.Sleep}: pauses the current goroutine for at least {@code d}; zero or negative
     * returns at once. As in Go, nothing cuts a sleep short: an interrupt does not end it (the
     * interrupt status is kept for the caller); use a {@code Context} and {@code select} for a
     * cancellable wait.
     */
    public static void sleep(Duration d) {
        long nanos = d.toNanos();
        if (nanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = Thread.interrupted();
        try {
            while (deadline - System.nanoTime() > 0) {
                Park.parkUntil(WaitReason.SLEEP, SLEEP, deadline);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
