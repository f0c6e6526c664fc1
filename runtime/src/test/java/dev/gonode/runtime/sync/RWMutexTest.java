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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RWMutexTest {

    @Test
    void readersHoldTheLockTogether() throws Exception {
        RWMutex rw = new RWMutex();
        int n = 8;
        CountDownLatch allInside = new CountDownLatch(n);
        CountDownLatch leave = new CountDownLatch(1);
        List<Goroutine> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            readers.add(Go.go(() -> {
                rw.rLock();
                allInside.countDown();
                try {
                    leave.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                rw.rUnlock();
            }));
        }
        assertTrue(allInside.await(SyncTesting.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                "all readers must be inside at once");
        assertFalse(rw.tryLock(), "a writer must not get in while readers hold the lock");
        assertTrue(rw.tryRLock(), "one more reader may join");
        rw.rUnlock();
        leave.countDown();
        awaitAllDone(readers);
        assertTrue(rw.tryLock());
        rw.unlock();
    }

    @Test
    void aWriterExcludesReadersAndOtherWritersAmong64Goroutines() {
        RWMutex rw = new RWMutex();
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger maxReaders = new AtomicInteger();
        int[] value = {0};
        List<Goroutine> gs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            boolean writer = i % 8 == 0;
            gs.add(Go.go(() -> {
                for (int j = 0; j < 500; j++) {
                    if (writer) {
                        rw.lock();
                        if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                            violations.incrementAndGet();
                        }
                        value[0]++;
                        if (j % 32 == 0) {
                            Go.yield();
                        }
                        writers.decrementAndGet();
                        rw.unlock();
                    } else {
                        rw.rLock();
                        int r = readers.incrementAndGet();
                        maxReaders.accumulateAndGet(r, Math::max);
                        if (writers.get() != 0) {
                            violations.incrementAndGet();
                        }
                        if (j % 32 == 0) {
                            Go.yield();
                        }
                        readers.decrementAndGet();
                        rw.rUnlock();
                    }
                }
            }));
        }
        awaitAllDone(gs);
        assertEquals(0, violations.get(), "a writer overlapped a reader or another writer");
        rw.rLock();
        assertEquals(8 * 500, value[0]);
        rw.rUnlock();
        assertTrue(maxReaders.get() > 1, "readers never overlapped; the test did not exercise sharing");
    }

    @Test
    void aWaitingWriterBlocksNewReadersUntilItHasHadTheLock() {
        RWMutex rw = new RWMutex();
        rw.rLock(); // the reader that is inside when the writer arrives
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        Goroutine writer = Go.go(() -> {
            rw.lock();
            order.add("writer");
            rw.unlock();
        });
        awaitParked(writer, WaitReason.SYNC_RWMUTEX_LOCK);
        assertEquals("sync.RWMutex.Lock", writer.waitReason().goName());

        Goroutine lateReader = Go.go(() -> {
            rw.rLock();
            order.add("late reader");
            rw.rUnlock();
        });
        awaitParked(lateReader, WaitReason.SYNC_RWMUTEX_RLOCK);
        assertEquals("sync.RWMutex.RLock", lateReader.waitReason().goName());
        assertFalse(rw.tryRLock(), "tryRLock must not overtake a waiting writer");

        rw.rUnlock(); // the last reader inside leaves: the writer goes first
        awaitDone(writer);
        awaitDone(lateReader);
        assertEquals(List.of("writer", "late reader"), order);
    }

    @Test
    void aWriterIsNotStarvedByAStreamOfOverlappingReaders() {
        RWMutex rw = new RWMutex();
        AtomicBoolean writerDone = new AtomicBoolean();
        AtomicInteger readersInside = new AtomicInteger();
        // Readers whose read sections overlap: without writer preference there is always a
        // reader inside and a writer would wait for ever.
        List<Goroutine> readers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            readers.add(Go.go(() -> {
                while (!writerDone.get()) {
                    rw.rLock();
                    readersInside.incrementAndGet();
                    for (int k = 0; k < 3; k++) {
                        Go.yield();
                    }
                    readersInside.decrementAndGet();
                    rw.rUnlock();
                }
            }));
        }
        awaitUntil("readers are streaming", () -> readersInside.get() > 0);
        Goroutine writer = Go.go(() -> {
            rw.lock();
            writerDone.set(true);
            rw.unlock();
        });
        awaitDone(writer); // fails after the timeout if the writer starves
        awaitAllDone(readers);
    }

    @Test
    void aWriterWaitingForAnotherWriterShowsRWMutexLock() {
        RWMutex rw = new RWMutex();
        rw.lock();
        Goroutine second = Go.go(() -> {
            rw.lock();
            rw.unlock();
        });
        awaitParked(second, WaitReason.SYNC_RWMUTEX_LOCK);
        rw.unlock();
        awaitDone(second);
    }

    @Test
    void readersWaitingForAWriterAllEnterWhenItUnlocks() {
        RWMutex rw = new RWMutex();
        rw.lock();
        List<Goroutine> readers = new ArrayList<>();
        CountDownLatch inside = new CountDownLatch(5);
        CountDownLatch leave = new CountDownLatch(1);
        for (int i = 0; i < 5; i++) {
            readers.add(Go.go(() -> {
                rw.rLock();
                inside.countDown();
                try {
                    leave.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                rw.rUnlock();
            }));
        }
        awaitParked(readers, 5, WaitReason.SYNC_RWMUTEX_RLOCK);
        rw.unlock();
        awaitUntil("all five readers are inside together", () -> inside.getCount() == 0);
        leave.countDown();
        awaitAllDone(readers);
    }

    @Test
    void rUnlockOfUnlockedRWMutexFailsWithGosMessageAndLeavesTheLockUsable() {
        RWMutex rw = new RWMutex();
        IllegalStateException e = assertThrows(IllegalStateException.class, rw::rUnlock);
        assertEquals("sync: RUnlock of unlocked RWMutex", e.getMessage());
        rw.lock();
        // Write-locked with no reader inside: an RUnlock is just as wrong.
        assertThrows(IllegalStateException.class, rw::rUnlock);
        rw.unlock();
        rw.rLock();
        rw.rUnlock();
        assertTrue(rw.tryLock(), "the failed rUnlocks must not have left a phantom reader");
        rw.unlock();
    }

    @Test
    void unlockOfUnlockedRWMutexFailsWithGosMessageAndLeavesTheLockUsable() {
        RWMutex rw = new RWMutex();
        IllegalStateException e = assertThrows(IllegalStateException.class, rw::unlock);
        assertEquals("sync: Unlock of unlocked RWMutex", e.getMessage());
        rw.rLock();
        assertThrows(IllegalStateException.class, rw::unlock, "read-locked is not write-locked");
        rw.rUnlock();
        assertTrue(rw.tryLock());
        rw.unlock();
    }

    @Test
    void tryLockAndTryRLockNeverWait() {
        RWMutex rw = new RWMutex();
        assertTrue(rw.tryRLock());
        assertFalse(rw.tryLock());
        rw.rUnlock();
        assertTrue(rw.tryLock());
        assertFalse(rw.tryRLock());
        assertFalse(rw.tryLock());
        rw.unlock();
    }

    @Test
    void anyGoroutineMayUnlockAWriteLockAnotherTook() {
        RWMutex rw = new RWMutex();
        awaitDone(Go.go(rw::lock));
        awaitDone(Go.go(rw::unlock));
        assertTrue(rw.tryRLock());
        rw.rUnlock();
    }

    @Test
    void rLockerLocksAndUnlocksTheReadSide() {
        RWMutex rw = new RWMutex();
        Locker r = rw.rLocker();
        r.lock();
        assertFalse(rw.tryLock());
        assertTrue(rw.tryRLock());
        rw.rUnlock();
        r.unlock();
        assertTrue(rw.tryLock());
        rw.unlock();
    }
}
