package dev.gonode.runtime.internal.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.SchedStats;
import dev.gonode.testing.Await;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler's promises, each on a private runtime so that GOMAXPROCS and counters are the
 * test's own. Every wait is on a condition or latch with a timeout.
 */
class SchedulerTest {

    private GoRuntime rt;

    private GoRuntime runtime(int procs) {
        rt = new GoRuntime(RuntimeConfig.withGomaxprocs(procs));
        assertEquals("gonode", rt.stats().scheduler(), "tests run with the JVM options the runtime needs");
        return rt;
    }

    @AfterEach
    void shutdown() {
        if (rt != null) {
            rt.shutdown();
        }
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(20, TimeUnit.SECONDS), "timed out waiting until " + what);
    }

    @Test
    void oneProcRunsOneCpuBoundGoroutineAtATime() throws Exception {
        GoRuntime rt = runtime(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            rt.go(null, () -> {
                int now = inside.incrementAndGet();
                maxInside.accumulateAndGet(now, Math::max);
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
                while (System.nanoTime() < end) {
                    maxInside.accumulateAndGet(inside.get(), Math::max);
                }
                inside.decrementAndGet();
                done.countDown();
            }, this);
        }
        await(done, "both CPU-bound goroutines finished");
        assertEquals(1, maxInside.get(), "with GOMAXPROCS=1 two CPU-bound goroutines overlapped");
    }

    @Test
    void twoProcsRunTwoCpuBoundGoroutinesAtOnce() throws Exception {
        GoRuntime rt = runtime(2);
        AtomicInteger inside = new AtomicInteger();
        CountDownLatch bothInside = new CountDownLatch(2);
        CountDownLatch done = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            rt.go(null, () -> {
                inside.incrementAndGet();
                bothInside.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                // never parks: only a second P can run the other goroutine meanwhile
                while (inside.get() < 2 && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                done.countDown();
            }, this);
        }
        await(bothInside, "both goroutines were running at the same time");
        await(done, "both goroutines finished");
    }

    @Test
    void idleProcStealsABurstSpawnedOnABusyProc() throws Exception {
        GoRuntime rt = runtime(2);
        int burst = 64;
        CountDownLatch ran = new CountDownLatch(burst);
        Set<Thread> childCarriers = ConcurrentHashMap.newKeySet();
        AtomicReference<Thread> parentCarrier = new AtomicReference<>();
        rt.go(null, () -> {
            parentCarrier.set(VirtualThreads.currentCarrier());
            for (int i = 0; i < burst; i++) {
                rt.go(null, () -> {
                    childCarriers.add(VirtualThreads.currentCarrier());
                    ran.countDown();
                }, this);
            }
            // Busy, never parking: the burst sits in this P's queue until another P steals it.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ran.getCount() > 0 && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }, this);
        await(ran, "every goroutine of the burst ran");
        assertTrue(rt.stats().steals() > 0, "the idle P stole: " + rt.stats());
        assertTrue(childCarriers.stream().anyMatch(c -> c != parentCarrier.get()),
                "some of the burst ran on another carrier");
    }

    @Test
    void cpuHogKeepsItsProcButItsQueueRunsElsewhereAndSysmonReportsIt() throws Exception {
        GoRuntime rt = runtime(2);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch childRan = new CountDownLatch(1);
        CountDownLatch hogDone = new CountDownLatch(1);
        rt.go(null, () -> {
            // the child lands in this P's runnext, behind a goroutine that never yields
            rt.go(null, childRan::countDown, this);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!stop.get() && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            hogDone.countDown();
        }, this);
        await(childRan, "the goroutine queued behind the hog ran on the other P");
        Await.until("sysmon reported the hog", () -> rt.stats().hogs() > 0);
        assertEquals(0, rt.stats().handoffs(), "a busy carrier must not be handed off");
        stop.set(true);
        await(hogDone, "the hog finished");
    }

    @Test
    void goroutineBlockedInAFileReadDoesNotStallItsProcQueue(@TempDir Path dir) throws Exception {
        GoRuntime rt = runtime(1);
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo failed");
        CountDownLatch blockedReaderStarted = new CountDownLatch(1);
        CountDownLatch readerDone = new CountDownLatch(1);
        AtomicInteger readByte = new AtomicInteger(-2);
        rt.go(null, () -> {
            blockedReaderStarted.countDown();
            // Opening a FIFO for reading blocks in native code until a writer opens it: the carrier
            // is stuck and the JDK cannot unmount the goroutine.
            try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                readByte.set(in.read());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            readerDone.countDown();
        }, this);
        await(blockedReaderStarted, "the reader started");
        CountDownLatch other = new CountDownLatch(1);
        rt.go(null, other::countDown, this);
        await(other, "a goroutine queued behind the blocked reader ran (GOMAXPROCS=1)");
        assertTrue(rt.stats().handoffs() >= 1, "sysmon handed the P off: " + rt.stats());
        try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
            out.write(42);
        }
        await(readerDone, "the reader finished");
        assertEquals(42, readByte.get());
    }

    // Outside SlowInit: touching them must not start its initialisation.
    static final CountDownLatch SLOW_INIT_RELEASE = new CountDownLatch(1);
    static final CountDownLatch SLOW_INIT_ENTERED = new CountDownLatch(1);

    /** A class whose initialiser blocks until the test lets it finish. */
    static final class SlowInit {
        static final int VALUE;

        static {
            SLOW_INIT_ENTERED.countDown();
            try {
                SLOW_INIT_RELEASE.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            VALUE = 7;
        }

        private SlowInit() {
        }
    }

    @Test
    void goroutineBlockedInAClassInitialiserDoesNotStallItsProcQueue() throws Exception {
        GoRuntime rt = runtime(1);
        CountDownLatch initDone = new CountDownLatch(1);
        rt.go(null, () -> {
            assertEquals(7, SlowInit.VALUE);
            initDone.countDown();
        }, this);
        await(SLOW_INIT_ENTERED, "the initialiser started");
        CountDownLatch other = new CountDownLatch(1);
        rt.go(null, other::countDown, this);
        await(other, "a goroutine queued behind the pinned initialiser ran (GOMAXPROCS=1)");
        assertTrue(rt.stats().handoffs() >= 1, "sysmon handed the P off: " + rt.stats());
        SLOW_INIT_RELEASE.countDown();
        await(initDone, "the initialiser finished");
    }

    @Test
    void runnextKeepsAPingPongPairOnOneCarrier() throws Exception {
        GoRuntime rt = runtime(2);
        int rounds = 2_000;
        AtomicInteger turn = new AtomicInteger();
        Thread[] players = new Thread[2];
        CountDownLatch ready = new CountDownLatch(2);
        CountDownLatch done = new CountDownLatch(2);
        AtomicInteger sameCarrier = new AtomicInteger();
        Thread[] lastCarrier = new Thread[2];
        for (int side = 0; side < 2; side++) {
            int me = side;
            rt.go(null, () -> {
                players[me] = Thread.currentThread();
                ready.countDown();
                try {
                    ready.await();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                for (int i = 0; i < rounds; i++) {
                    while (turn.get() % 2 != me) {
                        LockSupport.park();
                    }
                    lastCarrier[me] = VirtualThreads.currentCarrier();
                    if (me == 1 && lastCarrier[0] == lastCarrier[1]) {
                        sameCarrier.incrementAndGet();
                    }
                    turn.incrementAndGet();
                    LockSupport.unpark(players[1 - me]);
                }
                done.countDown();
            }, this);
        }
        await(done, "the ping-pong finished");
        assertTrue(sameCarrier.get() >= rounds * 9 / 10,
                "the pair shared a carrier in only " + sameCarrier.get() + " of " + rounds + " rounds");
    }

    @Test
    void goroutineLoopingOnYieldDoesNotStarveOthers() throws Exception {
        GoRuntime rt = runtime(1);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch yielderDone = new CountDownLatch(1);
        rt.go(null, () -> {
            while (!stop.get()) {
                rt.yieldNow();
            }
            yielderDone.countDown();
        }, this);
        CountDownLatch others = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            rt.go(null, others::countDown, this);
        }
        await(others, "the other goroutines ran beside a goroutine looping on yield");
        stop.set(true);
        await(yielderDone, "the yielder stopped");
    }

    @Test
    void gomaxprocsChangesAtRunTime() throws Exception {
        GoRuntime rt = runtime(2);
        assertEquals(2, rt.gomaxprocs(3));
        assertEquals(3, rt.stats().gomaxprocs());
        assertEquals(3, rt.stats().localQueues().size());
        assertEquals(3, rt.gomaxprocs(1));
        // with one P left, work still runs
        CountDownLatch ran = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            rt.go(null, ran::countDown, this);
        }
        await(ran, "goroutines ran after shrinking to one P");
        assertEquals(1, rt.stats().gomaxprocs());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> rt.gomaxprocs(0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    @Test
    void aMillionGoroutinesStartAndAreJoined() throws Exception {
        GoRuntime rt = runtime(2);
        int n = 1_000_000;
        CountDownLatch all = new CountDownLatch(n);
        List<G> sample = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            G g = rt.go(null, all::countDown, this);
            if (i % 10_000 == 0) {
                sample.add(g);
            }
        }
        await(all, "a million goroutines ran");
        for (G g : sample) {
            assertTrue(g.join(Duration.ofSeconds(10)), "joined " + g);
        }
        assertEquals(n, rt.stats().created());
        Await.until("the registry emptied", () -> rt.registry().count() == 0);
    }

    @Test
    void idleSchedulerParksEveryCarrier() throws Exception {
        GoRuntime rt = runtime(2);
        CountDownLatch ran = new CountDownLatch(10_000);
        for (int i = 0; i < 10_000; i++) {
            rt.go(null, ran::countDown, this);
        }
        await(ran, "the work ran");
        Await.until("every P is idle and no carrier spins", () -> {
            SchedStats s = rt.stats();
            return s.idleProcs() == 2 && s.spinning() == 0;
        });
        assertTrue(rt.stats().carrierParks() > 0);
    }

    @Test
    void goroutinesReadiedByOutsideThreadsRunOnTheScheduler() throws Exception {
        GoRuntime rt = runtime(2);
        AtomicReference<Thread> parked = new AtomicReference<>();
        CountDownLatch woke = new CountDownLatch(1);
        AtomicBoolean flag = new AtomicBoolean();
        rt.go(null, () -> {
            parked.set(Thread.currentThread());
            while (!flag.get()) {
                LockSupport.park();
            }
            woke.countDown();
        }, this);
        Await.until("the goroutine parked", () -> parked.get() != null
                && rt.registry().goroutines().anyMatch(g -> g.state() == dev.gonode.runtime.GoroutineState.WAITING));
        flag.set(true);
        LockSupport.unpark(parked.get());
        await(woke, "the goroutine unparked by a plain thread ran");
        assertNotEquals(0, rt.stats().created());
    }
}
