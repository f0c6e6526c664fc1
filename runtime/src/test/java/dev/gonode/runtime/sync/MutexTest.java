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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MutexTest {

    @Test
    void lockExcludesAllOther64Goroutines() {
        Mutex mu = new Mutex();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int[] counter = {0}; // a plain int: lost updates would show a missing exclusion too
        List<Goroutine> gs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            gs.add(Go.go(() -> {
                for (int j = 0; j < 2_000; j++) {
                    mu.lock();
                    try {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        counter[0]++;
                        if (j % 64 == 0) {
                            Go.yield(); // hold the lock across a reschedule now and then
                        }
                        inside.decrementAndGet();
                    } finally {
                        mu.unlock();
                    }
                }
            }));
        }
        awaitAllDone(gs);
        assertEquals(0, overlaps.get(), "goroutines inside the critical section at the same time");
        mu.lock();
        assertEquals(64 * 2_000, counter[0]);
        mu.unlock();
    }

    @Test
    void tryLockUnderContentionNeverGivesTheLockToTwoHolders() {
        Mutex mu = new Mutex();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<Goroutine> gs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            boolean blocking = i % 4 == 0; // a mix of lock() and tryLock() contenders
            gs.add(Go.go(() -> {
                for (int j = 0; j < 2_000; j++) {
                    if (blocking) {
                        mu.lock();
                    } else if (!mu.tryLock()) {
                        failures.incrementAndGet();
                        Go.yield(); // back off, so that holders run even with GOMAXPROCS=1
                        continue;
                    } else {
                        successes.incrementAndGet();
                    }
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    if (j % 16 == 0) {
                        Go.yield();
                    }
                    inside.decrementAndGet();
                    mu.unlock();
                }
            }));
        }
        awaitAllDone(gs);
        assertEquals(0, overlaps.get(), "two holders at once");
        assertTrue(successes.get() > 0, "no tryLock ever succeeded");
        assertTrue(failures.get() > 0, "tryLock never met contention; the test did not test anything");
        assertFalse(mu.isLocked());
    }

    @Test
    void tryLockFailsWhileLockedAndSucceedsOnceUnlocked() {
        Mutex mu = new Mutex();
        assertTrue(mu.tryLock());
        assertFalse(mu.tryLock());
        mu.unlock();
        assertTrue(mu.tryLock());
        mu.unlock();
    }

    @Test
    void unlockOfUnlockedMutexFailsWithGosMessageAndLeavesTheMutexUsable() {
        Mutex mu = new Mutex();
        IllegalStateException e = assertThrows(IllegalStateException.class, mu::unlock);
        assertEquals("sync: unlock of unlocked mutex", e.getMessage());
        mu.lock();
        assertFalse(mu.tryLock(), "the failed unlock must not have corrupted the state");
        mu.unlock();
        assertThrows(IllegalStateException.class, mu::unlock);
        assertTrue(mu.tryLock());
        mu.unlock();
    }

    @Test
    void aGoroutineBlockedInLockShowsSyncMutexLock() {
        Mutex mu = new Mutex();
        mu.lock();
        AtomicBoolean acquired = new AtomicBoolean();
        Goroutine g = Go.go(() -> {
            mu.lock();
            acquired.set(true);
            mu.unlock();
        });
        awaitParked(g, WaitReason.SYNC_MUTEX_LOCK);
        assertFalse(acquired.get());
        assertEquals("sync.Mutex.Lock", g.waitReason().goName());
        mu.unlock();
        awaitDone(g);
        assertTrue(acquired.get());
    }

    @Test
    void anyGoroutineMayUnlockAMutexAnotherLocked() {
        Mutex mu = new Mutex();
        Goroutine locker = Go.go(mu::lock);
        awaitDone(locker);
        assertTrue(mu.isLocked());
        Goroutine waiter = Go.go(() -> {
            mu.lock();
            mu.unlock();
        });
        awaitParked(waiter, WaitReason.SYNC_MUTEX_LOCK);
        Goroutine unlocker = Go.go(mu::unlock); // not the goroutine that locked it
        awaitDone(unlocker);
        awaitDone(waiter);
        assertFalse(mu.isLocked());
    }

    @Test
    void lockIsNotReentrant() {
        Mutex mu = new Mutex();
        AtomicBoolean second = new AtomicBoolean();
        Goroutine g = Go.go(() -> {
            mu.lock();
            mu.lock(); // waits for itself, as in Go
            second.set(true);
            mu.unlock();
        });
        awaitParked(g, WaitReason.SYNC_MUTEX_LOCK);
        assertFalse(second.get());
        mu.unlock(); // release its first hold from outside: now its second lock succeeds
        awaitDone(g);
        assertTrue(second.get());
        assertFalse(mu.isLocked());
    }

    @Test
    void plainThreadsBlockOnAMutexHeldByAGoroutine() throws Exception {
        Mutex mu = new Mutex();
        Goroutine holder = Go.go(mu::lock);
        awaitDone(holder);
        AtomicBoolean acquired = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            mu.lock();
            acquired.set(true);
            mu.unlock();
        });
        awaitUntil("the plain thread blocks", () -> t.getState() == Thread.State.WAITING);
        assertFalse(acquired.get());
        mu.unlock();
        t.join(SyncTesting.TIMEOUT);
        assertTrue(acquired.get());
    }

    @Test
    void interruptDoesNotEndTheWaitButIsKept() throws Exception {
        Mutex mu = new Mutex();
        mu.lock();
        AtomicBoolean acquired = new AtomicBoolean();
        AtomicBoolean interruptedAfterLock = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            mu.lock();
            acquired.set(true);
            interruptedAfterLock.set(Thread.currentThread().isInterrupted());
            mu.unlock();
        });
        awaitUntil("the thread blocks", () -> t.getState() == Thread.State.WAITING);
        t.interrupt();
        // If the interrupt ended the wait, the thread would finish instead of parking again.
        awaitUntil("the thread consumes the interrupt and parks again",
                () -> !t.isInterrupted() && t.getState() == Thread.State.WAITING);
        assertFalse(acquired.get());
        mu.unlock();
        t.join(SyncTesting.TIMEOUT);
        assertTrue(acquired.get());
        assertTrue(interruptedAfterLock.get(), "the interrupt status must be set again when lock returns");
    }

    @Test
    void aWaiterIsNotStarvedByGoroutinesThatRelockInALoop() {
        // Without starvation mode a woken waiter keeps losing to goroutines that are already
        // running and relock at once; after 1 ms of waiting it must get the lock by handoff.
        // The hammers hold the lock long enough (tens of µs) that waiters do wait over 1 ms:
        // a probe of this test saw the mutex in starvation mode in a quarter of its samples.
        Mutex mu = new Mutex();
        AtomicBoolean stop = new AtomicBoolean();
        List<Goroutine> hammers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            hammers.add(Go.go(() -> {
                while (!stop.get()) {
                    mu.lock();
                    // Yield while holding the lock, so that waiters run, find it locked and
                    // queue even with GOMAXPROCS=1 (the JVM cannot preempt a goroutine that
                    // never blocks; Go would). Then relock at once after unlocking.
                    Go.yield();
                    for (int k = 0; k < 5_000; k++) {
                        Thread.onSpinWait();
                    }
                    mu.unlock();
                }
            }));
        }
        AtomicInteger got = new AtomicInteger();
        List<Goroutine> waiters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waiters.add(Go.go(() -> {
                for (int j = 0; j < 25; j++) {
                    mu.lock();
                    got.incrementAndGet();
                    mu.unlock();
                }
            }));
        }
        try {
            awaitAllDone(waiters);
        } finally {
            stop.set(true);
        }
        awaitAllDone(hammers);
        assertEquals(200, got.get());
    }

    @Test
    void toStringShowsTheState() {
        Mutex mu = new Mutex();
        assertEquals("Mutex[unlocked]", mu.toString());
        mu.lock();
        assertEquals("Mutex[locked]", mu.toString());
        Goroutine g = Go.go(() -> {
            mu.lock();
            mu.unlock();
        });
        awaitParked(g, WaitReason.SYNC_MUTEX_LOCK);
        assertEquals("Mutex[locked, 1 waiter]", mu.toString());
        mu.unlock();
        awaitDone(g);
    }
}
