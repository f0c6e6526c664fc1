package dev.gonode.runtime.sync;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Waiting for conditions in the sync tests: bounded polling ({@link Await}, at most 10 s), never a
 * fixed sleep, so a test ends as soon as what it waits for has happened and fails loudly if it
 * never does.
 */
final class SyncTesting {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private SyncTesting() {
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #TIMEOUT}. */
    static void awaitUntil(String what, BooleanSupplier condition) {
        Await.until(TIMEOUT, what, condition::getAsBoolean);
    }

    /** Waits until {@code g} is parked with {@code reason}. */
    static void awaitParked(Goroutine g, WaitReason reason) {
        awaitUntil(g + " is parked in [" + reason + "] (now " + g.waitReason() + ", " + g.state() + ")",
                () -> g.waitReason() == reason && g.state() == GoroutineState.WAITING);
    }

    /** Waits until at least {@code n} of {@code gs} are parked with {@code reason}. */
    static void awaitParked(Collection<? extends Goroutine> gs, int n, WaitReason reason) {
        awaitUntil(n + " goroutines are parked in [" + reason + "]",
                () -> gs.stream().filter(g -> g.waitReason() == reason).count() >= n);
    }

    /** Waits until {@code g} has finished. */
    static void awaitDone(Goroutine g) {
        try {
            if (!g.join(TIMEOUT)) {
                throw new AssertionError(g + " did not finish within " + TIMEOUT + "; it is " + g.state()
                        + (g.waitReason() != null ? " [" + g.waitReason() + "]" : ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits until all of {@code gs} have finished. */
    static void awaitAllDone(Collection<? extends Goroutine> gs) {
        for (Goroutine g : gs) {
            awaitDone(g);
        }
    }

    /**
     * Collects what goroutines throw, so that a failed assertion inside a goroutine fails the
     * test (instead of only printing a panic).
     */
    static final class Failures {
        private final ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();

        /** {@code body}, with anything it throws recorded here. */
        Runnable guard(Runnable body) {
            return () -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    thrown.add(t);
                }
            };
        }

        void assertNone() {
            Throwable first = thrown.peek();
            if (first != null) {
                AssertionError e = new AssertionError(thrown.size() + " goroutine(s) failed; first: " + first, first);
                thrown.stream().skip(1).limit(5).forEach(e::addSuppressed);
                throw e;
            }
        }
    }
}
