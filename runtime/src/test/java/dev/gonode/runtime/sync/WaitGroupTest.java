package dev.gonode.runtime.sync;

import static dev.gonode.runtime.sync.SyncTesting.awaitAllDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WaitGroupTest {

    @Test
    void waitReturnsOnlyAfterEveryGoroutineCalledDone() {
        WaitGroup wg = new WaitGroup();
        int[] results = new int[64]; // plain writes: waitAll must make them visible
        for (int i = 0; i < 64; i++) {
            int slot = i;
            wg.add(1);
            Go.go(() -> {
                try {
                    Go.yield();
                    results[slot] = slot + 1;
                } finally {
                    wg.done();
                }
            });
        }
        wg.waitAll();
        for (int i = 0; i < 64; i++) {
            assertEquals(i + 1, results[i], "result " + i + " not visible after waitAll");
        }
        assertEquals(0, wg.count());
    }

    @Test
    void waitOnAZeroCounterReturnsAtOnce() {
        WaitGroup wg = new WaitGroup();
        wg.waitAll();
        wg.add(2);
        wg.add(-2);
        wg.waitAll();
    }

    @Test
    void aGoroutineBlockedInWaitShowsSyncWaitGroupWait() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Goroutine waiter = Go.go(wg::waitAll);
        awaitParked(waiter, WaitReason.SYNC_WAITGROUP_WAIT);
        assertEquals("sync.WaitGroup.Wait", waiter.waitReason().goName());
        wg.done();
        awaitDone(waiter);
    }

    @Test
    void everyWaiterIsReleasedWhenTheCounterReachesZero() {
        WaitGroup wg = new WaitGroup();
        wg.add(3);
        List<Goroutine> waiters = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            waiters.add(Go.go(wg::waitAll));
        }
        awaitParked(waiters, 16, WaitReason.SYNC_WAITGROUP_WAIT);
        wg.done();
        wg.done();
        assertTrue(waiters.stream().allMatch(Goroutine::isAlive), "released before the counter reached zero");
        wg.done();
        awaitAllDone(waiters);
    }

    @Test
    void aNegativeCounterFailsWithGosMessageAndLeavesTheCounterUnchanged() {
        WaitGroup wg = new WaitGroup();
        IllegalStateException e = assertThrows(IllegalStateException.class, wg::done);
        assertEquals("sync: negative WaitGroup counter", e.getMessage());
        assertEquals(0, wg.count());
        wg.add(2);
        e = assertThrows(IllegalStateException.class, () -> wg.add(-3));
        assertEquals("sync: negative WaitGroup counter", e.getMessage());
        assertEquals(2, wg.count(), "the refused add must not have changed the counter");
        wg.done();
        wg.done();
        wg.waitAll();
    }

    @Test
    void addingZeroChangesNothingAndReleasesNoWaiter() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Goroutine waiter = Go.go(wg::waitAll);
        awaitParked(waiter, WaitReason.SYNC_WAITGROUP_WAIT);
        wg.add(0);
        assertEquals(1, wg.count());
        assertTrue(waiter.isAlive());
        wg.done();
        awaitDone(waiter);
    }

    @Test
    void aWaitGroupCanBeReusedAfterWaitReturns() {
        WaitGroup wg = new WaitGroup();
        AtomicInteger ran = new AtomicInteger();
        for (int round = 1; round <= 20; round++) {
            // Go's rule for reuse: the adds of a round happen before its waits start (an add
            // from zero racing with a wait is the misuse that Wait reports).
            wg.add(8);
            Goroutine waiter = Go.go(wg::waitAll); // a second waiter besides this thread
            for (int i = 0; i < 8; i++) {
                Go.go(() -> {
                    ran.incrementAndGet();
                    wg.done();
                });
            }
            wg.waitAll();
            awaitDone(waiter);
            assertEquals(round * 8, ran.get());
        }
    }

    @Test
    void goRunsTheTaskInANewGoroutineCountedByTheGroup() {
        WaitGroup wg = new WaitGroup();
        ConcurrentLinkedQueue<Long> ids = new ConcurrentLinkedQueue<>();
        CountDownLatch release = new CountDownLatch(1);
        List<Goroutine> gs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            gs.add(wg.go(() -> {
                ids.add(Go.current().id());
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        assertEquals(10, wg.count());
        release.countDown();
        wg.waitAll();
        assertEquals(10, ids.size());
        assertEquals(gs.stream().map(Goroutine::id).sorted().toList(), ids.stream().sorted().toList());
    }

    @Test
    void goReleasesTheGroupEvenWhenTheTaskThrows() {
        WaitGroup wg = new WaitGroup();
        ConcurrentLinkedQueue<Throwable> panics = new ConcurrentLinkedQueue<>();
        RuntimeException boom = new IllegalStateException("boom");
        Go.setPanicHandler((g, panic) -> panics.add(panic));
        try {
            Goroutine g = wg.go(() -> {
                throw boom;
            });
            wg.waitAll();
            awaitDone(g);
            SyncTesting.awaitUntil("the panic reaches the panic handler", () -> !panics.isEmpty());
            assertSame(boom, panics.peek(), "the task's exception is the goroutine's panic");
        } finally {
            Go.setPanicHandler(null);
        }
    }

    @Test
    void goReportsItsCallerNotWaitGroupAsTheCreationSite() throws Exception {
        // With full creation stacks: in the default per-class mode the scheduler currently
        // reports CreationSites' own ClassValue frame for every goroutine (a scheduler bug,
        // reported, not fixed here), so only the full mode can show that WaitGroup's frames
        // are skipped.
        GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2).withFullCreationStacks(true));
        try {
            AtomicReference<Goroutine> started = new AtomicReference<>();
            WaitGroup wg = new WaitGroup();
            G parent = rt.go(null, () -> started.set(wg.go("named", () -> { })), "site key");
            awaitDone(parent);
            wg.waitAll();
            Goroutine g = started.get();
            assertEquals("named", g.name());
            List<StackTraceElement> site = g.creationSite();
            assertFalse(site.isEmpty());
            assertEquals(WaitGroupTest.class.getName(), site.get(0).getClassName(), "creation site: " + site);
            assertTrue(site.stream().noneMatch(f -> f.getClassName().equals(WaitGroup.class.getName())),
                    "WaitGroup's own frames must be skipped: " + site);
        } finally {
            rt.shutdown();
        }
    }
}
