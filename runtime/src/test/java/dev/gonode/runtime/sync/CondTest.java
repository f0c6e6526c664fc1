package dev.gonode.runtime.sync;

import static dev.gonode.runtime.sync.SyncTesting.awaitAllDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitParked;
import static dev.gonode.runtime.sync.SyncTesting.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CondTest {

    /** A goroutine that waits once on {@code cond} (holding {@code mu}) and then records {@code name}. */
    private static Goroutine waiter(Mutex mu, Cond cond, List<String> woke, String name) {
        return Go.go(() -> {
            mu.lock();
            try {
                cond.await();
                woke.add(name);
            } finally {
                mu.unlock();
            }
        });
    }

    @Test
    void aWaitingGoroutineShowsSyncCondWaitAndHasReleasedTheLock() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        List<String> woke = Collections.synchronizedList(new ArrayList<>());
        Goroutine g = waiter(mu, cond, woke, "g");
        awaitParked(g, WaitReason.SYNC_COND_WAIT);
        assertEquals("sync.Cond.Wait", g.waitReason().goName());
        assertTrue(mu.tryLock(), "await must release the locker while waiting");
        mu.unlock();
        cond.signal();
        awaitDone(g);
        assertEquals(List.of("g"), woke);
    }

    @Test
    void signalWakesOneWaiterAtATimeInTheOrderTheyStartedWaiting() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        List<String> woke = Collections.synchronizedList(new ArrayList<>());
        List<Goroutine> gs = new ArrayList<>();
        for (String name : List.of("first", "second", "third")) {
            Goroutine g = waiter(mu, cond, woke, name);
            awaitParked(g, WaitReason.SYNC_COND_WAIT); // fixes the order in which they wait
            gs.add(g);
        }
        for (int i = 0; i < 3; i++) {
            cond.signal();
            Goroutine expected = gs.get(i);
            awaitDone(expected);
            assertEquals(i + 1, woke.size(), "one signal must wake exactly one waiter");
            for (int j = i + 1; j < 3; j++) {
                assertEquals(WaitReason.SYNC_COND_WAIT, gs.get(j).waitReason(), "a later waiter woke early");
            }
        }
        assertEquals(List.of("first", "second", "third"), woke);
    }

    @Test
    void broadcastWakesEveryWaiter() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        List<String> woke = Collections.synchronizedList(new ArrayList<>());
        List<Goroutine> gs = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            gs.add(waiter(mu, cond, woke, "w" + i));
        }
        awaitParked(gs, 32, WaitReason.SYNC_COND_WAIT);
        cond.broadcast();
        awaitAllDone(gs);
        assertEquals(32, woke.size());
    }

    @Test
    void aSignalWithNobodyWaitingIsNotRemembered() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        cond.signal();
        cond.broadcast();
        List<String> woke = Collections.synchronizedList(new ArrayList<>());
        Goroutine g = waiter(mu, cond, woke, "g");
        awaitParked(g, WaitReason.SYNC_COND_WAIT);
        assertTrue(g.isAlive(), "earlier signals must not wake a later waiter");
        cond.signal();
        awaitDone(g);
    }

    @Test
    void awaitHoldsTheLockAgainWhenItReturns() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        AtomicBoolean lockedAfterWake = new AtomicBoolean();
        AtomicBoolean proceed = new AtomicBoolean();
        Goroutine g = Go.go(() -> {
            mu.lock();
            cond.await();
            lockedAfterWake.set(mu.isLocked());
            while (!proceed.get()) {
                Go.yield(); // keep holding the lock until the test has checked it
            }
            mu.unlock();
        });
        awaitParked(g, WaitReason.SYNC_COND_WAIT);
        cond.signal();
        awaitUntil("the waiter has woken", lockedAfterWake::get);
        assertFalse(mu.tryLock(), "the woken waiter must hold the lock");
        proceed.set(true);
        awaitDone(g);
        assertTrue(mu.tryLock());
        mu.unlock();
    }

    @Test
    void theClassicConditionLoopHandsOffEveryItemBetweenProducerAndConsumers() {
        Mutex mu = new Mutex();
        Cond nonEmpty = new Cond(mu);
        java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
        AtomicInteger consumed = new AtomicInteger();
        AtomicInteger sum = new AtomicInteger();
        int items = 2_000;
        List<Goroutine> consumers = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            consumers.add(Go.go(() -> {
                for (;;) {
                    int item;
                    mu.lock();
                    try {
                        while (queue.isEmpty()) {
                            nonEmpty.await();
                        }
                        item = queue.removeFirst();
                    } finally {
                        mu.unlock();
                    }
                    if (item < 0) {
                        return; // poison pill
                    }
                    sum.addAndGet(item);
                    consumed.incrementAndGet();
                }
            }));
        }
        for (int i = 1; i <= items + 4; i++) {
            int item = i <= items ? i : -1;
            mu.lock();
            queue.addLast(item);
            mu.unlock();
            nonEmpty.signal();
        }
        awaitAllDone(consumers);
        assertEquals(items, consumed.get());
        assertEquals(items * (items + 1) / 2, sum.get());
    }

    @Test
    void aCondOverTheReadSideOfAnRWMutexWaitsAsAReader() {
        RWMutex rw = new RWMutex();
        Cond cond = new Cond(rw.rLocker());
        Goroutine g = Go.go(() -> {
            rw.rLock();
            cond.await();
            rw.rUnlock();
        });
        awaitParked(g, WaitReason.SYNC_COND_WAIT);
        assertTrue(rw.tryLock(), "the waiting reader must have released its read lock");
        rw.unlock();
        cond.broadcast();
        awaitDone(g);
    }
}
