package dev.gonode.runtime.sync;

import static dev.gonode.runtime.sync.SyncTesting.awaitAllDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitParked;
import static dev.gonode.runtime.sync.SyncTesting.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.sync.internal.CancelSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SemaphoreTest {

    /** A goroutine that acquires {@code n}, records {@code name}, and keeps the tokens. */
    private static Goroutine acquirer(Semaphore sem, long n, List<String> served, String name) {
        return Go.go(() -> {
            sem.acquire(n);
            served.add(name);
        });
    }

    @Test
    void acquireTakesTokensAndReleaseGivesThemBack() {
        Semaphore sem = new Semaphore(10);
        sem.acquire(4);
        sem.acquire(6);
        assertFalse(sem.tryAcquire(1));
        sem.release(6);
        assertTrue(sem.tryAcquire(6));
        sem.release(10);
        assertTrue(sem.tryAcquire(10));
        assertEquals("Semaphore[10/10 taken]", sem.toString());
    }

    @Test
    void aBlockedAcquireShowsSemacquire() {
        Semaphore sem = new Semaphore(1);
        sem.acquire(1);
        Goroutine g = Go.go(() -> sem.acquire(1));
        awaitParked(g, WaitReason.SEMACQUIRE);
        assertEquals("semacquire", g.waitReason().goName());
        sem.release(1);
        awaitDone(g);
    }

    @Test
    void aLargeWaiterAtTheHeadIsNotOvertakenBySmallerRequestsThatWouldFit() {
        Semaphore sem = new Semaphore(10);
        sem.acquire(1); // 9 free
        List<String> served = Collections.synchronizedList(new ArrayList<>());
        Goroutine big = acquirer(sem, 10, served, "big");
        awaitParked(big, WaitReason.SEMACQUIRE);
        Goroutine small = acquirer(sem, 1, served, "small");
        awaitParked(small, WaitReason.SEMACQUIRE); // queued although 9 tokens are free
        assertFalse(sem.tryAcquire(1), "tryAcquire must not overtake the queue either");

        sem.release(1); // now 10 free: the big one goes first
        awaitDone(big);
        assertEquals(List.of("big"), served);
        assertEquals(WaitReason.SEMACQUIRE, small.waitReason(), "the small one waits for the big one's tokens");

        sem.release(10);
        awaitDone(small);
        assertEquals(List.of("big", "small"), served);
    }

    @Test
    void waitersAreServedInArrivalOrder() {
        Semaphore sem = new Semaphore(3);
        sem.acquire(3);
        List<String> served = Collections.synchronizedList(new ArrayList<>());
        List<Goroutine> gs = new ArrayList<>();
        // Chosen so that each release below lets exactly one waiter in: the order in which they
        // return is then the order in which they were served.
        long[] sizes = {3, 2, 3, 1, 3};
        for (int i = 0; i < sizes.length; i++) {
            Goroutine g = acquirer(sem, sizes[i], served, "w" + i);
            awaitParked(g, WaitReason.SEMACQUIRE);
            gs.add(g);
        }
        // Each release gives back what the previously served waiter (or this thread) took.
        for (int i = 0; i < sizes.length; i++) {
            sem.release(i == 0 ? 3 : sizes[i - 1]);
            awaitDone(gs.get(i));
            for (int j = i + 1; j < sizes.length; j++) {
                assertTrue(gs.get(j).isAlive(), "w" + j + " was served before w" + i + "'s turn was over");
            }
        }
        assertEquals(List.of("w0", "w1", "w2", "w3", "w4"), served);
    }

    @Test
    void aTimedOutWaiterTakesNothing() {
        Semaphore sem = new Semaphore(4);
        sem.acquire(3);
        assertFalse(sem.tryAcquire(2, Duration.ofMillis(20)));
        // Had the waiter kept a token, fewer than 4 would be free now.
        sem.release(3);
        assertTrue(sem.tryAcquire(4), "all tokens must be free after the timed-out acquire");
        sem.release(4);
    }

    @Test
    void aTimedOutWaiterQueuedBehindOthersTakesNothingAndLeavesTheQueueIntact() {
        Semaphore sem = new Semaphore(5);
        sem.acquire(5);
        List<String> served = Collections.synchronizedList(new ArrayList<>());
        Goroutine head = acquirer(sem, 3, served, "head");
        awaitParked(head, WaitReason.SEMACQUIRE);
        AtomicReference<Boolean> timedResult = new AtomicReference<>();
        Goroutine timed = Go.go(() -> timedResult.set(sem.tryAcquire(2, Duration.ofMillis(20))));
        awaitDone(timed);
        assertEquals(Boolean.FALSE, timedResult.get());
        Goroutine tail = acquirer(sem, 2, served, "tail");
        awaitParked(tail, WaitReason.SEMACQUIRE);
        sem.release(3); // exactly the head's request
        awaitDone(head);
        assertTrue(tail.isAlive());
        sem.release(2);
        awaitDone(tail);
        assertEquals(List.of("head", "tail"), served);
        assertFalse(sem.tryAcquire(1), "head (3) and tail (2) hold all 5 tokens; the timed-out waiter none");
    }

    @Test
    void whenTheHeadWaiterTimesOutTheWaitersBehindItThatNowFitAreServed() {
        Semaphore sem = new Semaphore(10);
        sem.acquire(5); // 5 free
        AtomicReference<Boolean> headResult = new AtomicReference<>();
        Goroutine head = Go.go(() -> headResult.set(sem.tryAcquire(10, Duration.ofMillis(50))));
        awaitParked(head, WaitReason.SEMACQUIRE);
        List<String> served = Collections.synchronizedList(new ArrayList<>());
        Goroutine behind = acquirer(sem, 3, served, "behind");
        awaitParked(behind, WaitReason.SEMACQUIRE); // held back by the head although 5 are free
        // No release happens: only the head's departure can let `behind` in (x/sync's
        // notifyWaiters on cancel; without it `behind` would wait for ever).
        awaitDone(head);
        assertEquals(Boolean.FALSE, headResult.get());
        awaitDone(behind);
        assertEquals(List.of("behind"), served);
        sem.release(8);
        assertTrue(sem.tryAcquire(10));
    }

    @Test
    void aTimedAcquireSucceedsWhenTokensAreReleasedInTime() {
        Semaphore sem = new Semaphore(2);
        sem.acquire(2);
        AtomicReference<Boolean> result = new AtomicReference<>();
        Goroutine g = Go.go(() -> result.set(sem.tryAcquire(2, Duration.ofSeconds(30))));
        awaitParked(g, WaitReason.SEMACQUIRE);
        sem.release(2);
        awaitDone(g);
        assertEquals(Boolean.TRUE, result.get());
        assertFalse(sem.tryAcquire(1));
    }

    @Test
    void aZeroTimeoutIsATryAcquire() {
        Semaphore sem = new Semaphore(1);
        assertTrue(sem.tryAcquire(1, Duration.ZERO));
        assertFalse(sem.tryAcquire(1, Duration.ofNanos(-5)));
        sem.release(1);
    }

    @Test
    void acquiringMoreThanTheSizeFailsAtOnceWithAClearMessage() {
        Semaphore sem = new Semaphore(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sem.acquire(4));
        assertEquals("semaphore: cannot acquire 4 tokens from a semaphore of size 3: the request could never be granted",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire(4, Duration.ofSeconds(1)));
        assertFalse(sem.tryAcquire(4), "tryAcquire reports false, as x/sync's TryAcquire does");
        assertThrows(IllegalArgumentException.class, () -> sem.acquire(-1));
        assertTrue(sem.tryAcquire(3), "nothing was taken by the refused requests");
    }

    @Test
    void releasingMoreThanHeldFailsWithXSyncsMessageAndReleasesNothing() {
        Semaphore sem = new Semaphore(5);
        sem.acquire(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sem.release(3));
        assertEquals("semaphore: released more than held", e.getMessage());
        assertFalse(sem.tryAcquire(4), "the failed release must not have given back any token");
        sem.release(2);
        assertTrue(sem.tryAcquire(5));
    }

    @Test
    void tokensAreNeverOverdrawnBy64GoroutinesWithMixedWeights() {
        Semaphore sem = new Semaphore(7);
        AtomicLong held = new AtomicLong();
        AtomicInteger overdrawn = new AtomicInteger();
        List<Goroutine> gs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long n = 1 + i % 4;
            boolean timed = i % 3 == 0;
            gs.add(Go.go(() -> {
                for (int j = 0; j < 200; j++) {
                    if (timed) {
                        if (!sem.tryAcquire(n, Duration.ofMillis(1))) {
                            continue;
                        }
                    } else {
                        sem.acquire(n);
                    }
                    if (held.addAndGet(n) > 7) {
                        overdrawn.incrementAndGet();
                    }
                    if (j % 8 == 0) {
                        Go.yield();
                    }
                    held.addAndGet(-n);
                    sem.release(n);
                }
            }));
        }
        awaitAllDone(gs);
        assertEquals(0, overdrawn.get(), "more tokens held than the semaphore has");
        assertTrue(sem.tryAcquire(7), "every token must be back, including those of timed-out waiters");
    }

    @Test
    void aCancelledWaiterTakesNothingAndWakesTheWaitersBehindIt() {
        // The hook a Context will use: cancellation ends a queued acquire like a timeout does.
        Semaphore sem = new Semaphore(4);
        sem.acquire(2); // 2 free
        TestSignal signal = new TestSignal();
        AtomicReference<Boolean> result = new AtomicReference<>();
        Goroutine head = Go.go(() -> result.set(sem.acquire(4, Long.MAX_VALUE, false, signal)));
        awaitParked(head, WaitReason.SEMACQUIRE);
        List<String> served = Collections.synchronizedList(new ArrayList<>());
        Goroutine behind = acquirer(sem, 2, served, "behind");
        awaitParked(behind, WaitReason.SEMACQUIRE);
        signal.cancel();
        awaitDone(head);
        assertEquals(Boolean.FALSE, result.get());
        awaitDone(behind);
        assertEquals(List.of("behind"), served);
        assertFalse(sem.tryAcquire(1), "2 + 2 taken: the cancelled waiter took nothing");
        awaitUntil("the cancel wake-up is deregistered", () -> signal.registered.get() == 0);
    }

    @Test
    void anAlreadyCancelledAcquireFailsEvenIfTokensAreFree() {
        Semaphore sem = new Semaphore(4);
        TestSignal signal = new TestSignal();
        signal.cancel();
        assertFalse(sem.acquire(1, Long.MAX_VALUE, false, signal));
        assertTrue(sem.tryAcquire(4));
    }

    @Test
    void aWaiterWhoseCancellationHookFailsLeavesNoGhostInTheQueue() {
        Semaphore sem = new Semaphore(2);
        sem.acquire(2);
        RuntimeException broken = new IllegalStateException("broken context");
        CancelSignal failing = new CancelSignal() {
            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public Registration onCancel(Runnable wake) {
                throw broken;
            }
        };
        assertThrows(IllegalStateException.class, () -> sem.acquire(1, Long.MAX_VALUE, false, failing));
        sem.release(2);
        // A ghost waiter at the head would make this fail: tryAcquire never overtakes waiters.
        assertTrue(sem.tryAcquire(2));
    }

    /** A cancellation signal such as a Context's Done channel. */
    private static final class TestSignal implements CancelSignal {
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicReference<Runnable> wake = new AtomicReference<>();
        final AtomicInteger registered = new AtomicInteger();

        void cancel() {
            cancelled.set(true);
            Runnable w = wake.getAndSet(null);
            if (w != null) {
                w.run();
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }

        @Override
        public Registration onCancel(Runnable w) {
            registered.incrementAndGet();
            wake.set(w);
            if (cancelled.get() && wake.compareAndSet(w, null)) {
                w.run();
            }
            AtomicBoolean once = new AtomicBoolean();
            return () -> {
                if (once.compareAndSet(false, true)) {
                    wake.compareAndSet(w, null);
                    registered.decrementAndGet();
                }
            };
        }
    }
}
