package dev.gonode.runtime.internal.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.Labels;
import dev.gonode.runtime.WaitReason;
import dev.gonode.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the registry knows about each goroutine, and that it never keeps one alive. */
class GoroutineRegistryTest {

    private final GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2));

    @AfterEach
    void shutdown() {
        rt.shutdown();
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(20, TimeUnit.SECONDS), "timed out waiting until " + what);
    }

    @Test
    void idsAreUniqueAndIncreaseInCreationOrder() throws Exception {
        CountDownLatch done = new CountDownLatch(100);
        long previous = 0;
        for (int i = 0; i < 100; i++) {
            G g = rt.go(null, done::countDown, this);
            assertTrue(g.id() > previous, "id " + g.id() + " after " + previous);
            previous = g.id();
        }
        await(done, "the goroutines finished");
    }

    @Test
    void parentIdIsTheCreatingGoroutineOrZeroForAPlainThread() throws Exception {
        AtomicReference<G> child = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        G parent = rt.go("parent", () -> {
            child.set(rt.go("child", done::countDown, this));
        }, this);
        await(done, "the child ran");
        assertEquals(0, parent.parentId());
        assertEquals(parent.id(), child.get().parentId());
        assertEquals("child", child.get().name());
    }

    @Test
    void parkedGoroutineIsWaitingWithGoWaitReasonAndWaitTime() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        Object blocker = new Object();
        CountDownLatch done = new CountDownLatch(1);
        G g = rt.go(null, () -> {
            while (!release.get()) {
                Park.park(WaitReason.CHAN_RECEIVE, blocker);
            }
            done.countDown();
        }, this);
        Await.until("the goroutine parked in chan receive",
                () -> g.state() == GoroutineState.WAITING && g.waitReason() == WaitReason.CHAN_RECEIVE);
        Await.until("its wait time grows", () -> g.waitDuration().toNanos() > 0);
        assertEquals("chan receive", g.waitReason().goName());
        release.set(true);
        Park.unpark(g.get());
        await(done, "the goroutine finished");
        Await.until("it is dead", () -> g.state() == GoroutineState.DEAD);
        assertNull(g.waitReason());
        assertFalse(g.isAlive());
    }

    @Test
    void goroutineSeesItselfRunningAndQueuedOnesAreRunnable() throws Exception {
        GoRuntime one = new GoRuntime(RuntimeConfig.withGomaxprocs(1));
        try {
            AtomicReference<GoroutineState> selfState = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch hogStarted = new CountDownLatch(1);
            one.go(null, () -> {
                selfState.set(G.current().state());
                hogStarted.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!stop.get() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }, this);
            await(hogStarted, "the hog started");
            G queued = one.go(null, () -> { }, this);
            assertEquals(GoroutineState.RUNNABLE, queued.state(), "queued behind the only P's running goroutine");
            assertEquals(GoroutineState.RUNNING, selfState.get());
            stop.set(true);
            assertTrue(queued.join(Duration.ofSeconds(10)));
        } finally {
            one.shutdown();
        }
    }

    @Test
    void labelsAreInheritedByChildren() throws Exception {
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Labels.with(Map.of("handler", "echo"), () -> rt.go(null, () ->
                Labels.with(Map.of("job", "7"), () -> rt.go(null, () -> {
                    seen.set(Labels.current());
                    done.countDown();
                }, this)), this));
        await(done, "the grandchild ran");
        assertEquals(Map.of("handler", "echo", "job", "7"), seen.get());
        assertEquals(Map.of(), Labels.current(), "the caller's labels are restored");
    }

    @Test
    void creationSiteIsTheFrameThatCalledGo() throws Exception {
        G g = rt.go(null, () -> { }, (Runnable) () -> { });
        assertTrue(g.join(Duration.ofSeconds(10)));
        StackTraceElement site = g.creationSite().get(0);
        assertEquals(getClass().getName(), site.getClassName());
        assertEquals("creationSiteIsTheFrameThatCalledGo", site.getMethodName());
    }

    @Test
    void fullCreationStacksRecordTheWholeCreatingStack() throws Exception {
        GoRuntime full = new GoRuntime(RuntimeConfig.withGomaxprocs(1).withFullCreationStacks(true));
        try {
            G g = full.go(null, () -> { }, this);
            assertTrue(g.join(Duration.ofSeconds(10)));
            assertEquals("fullCreationStacksRecordTheWholeCreatingStack", g.creationSite().get(0).getMethodName());
            assertTrue(g.creationSite().size() > 3, "the whole stack: " + g.creationSite());
        } finally {
            full.shutdown();
        }
    }

    @Test
    void finishedGoroutinesAreForgottenAndCollected() throws Exception {
        G g = rt.go(null, () -> { }, this);
        WeakReference<Thread> thread = new WeakReference<>(g.get());
        assertTrue(g.join(Duration.ofSeconds(10)));
        Await.until("the registry forgot the finished goroutine", () -> rt.registry().goroutines().noneMatch(x -> x == g));
        awaitCollected(thread);
    }

    @Test
    void parkedGoroutineNothingCanWakeIsCollectedAndReportedAsLeaked() throws Exception {
        assertTrue(rt.stats().weakContainer(), "tests run with --add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
        CountDownLatch parked = new CountDownLatch(1);
        long leakedBefore = rt.registry().leakedTotal();
        WeakReference<Thread> thread = startGoroutineBlockedForever(parked);
        await(parked, "the goroutine is about to park");
        Await.until("it parked", () -> {
            Thread t = thread.get();
            return t != null && t.getState() == Thread.State.WAITING;
        });
        awaitCollected(thread);
        Await.until("sysmon reported the leak", () -> rt.registry().leakedTotal() > leakedBefore);
        G leaked = rt.registry().leaked().get(rt.registry().leaked().size() - 1);
        assertSame(WaitReason.CHAN_RECEIVE, leaked.waitReason(), "the wait reason survives the stack");
        assertEquals("startGoroutineBlockedForever", leaked.creationSite().get(0).getMethodName());
    }

    private WeakReference<Thread> startGoroutineBlockedForever(CountDownLatch parked) {
        G g = rt.go(null, () -> {
            Object nobodyElseHasThis = new Object();
            parked.countDown();
            for (;;) {
                Park.park(WaitReason.CHAN_RECEIVE, nobodyElseHasThis);
            }
        }, (Runnable) () -> { });
        return new WeakReference<>(g.get());
    }

    private static void awaitCollected(WeakReference<?> ref) {
        Await.until(Duration.ofSeconds(30), "the garbage collector cleared " + ref, () -> {
            System.gc();
            return ref.get() == null;
        });
    }

    @Test
    void panicIsPrintedInGoShapeAndTheRuntimeCarriesOn() throws Exception {
        AtomicReference<String> printed = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        rt.setPanicHandler((g, panic) -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            GoRuntime.printPanic(g, panic, new PrintStream(buf, true, StandardCharsets.UTF_8));
            printed.set(buf.toString(StandardCharsets.UTF_8));
            handled.countDown();
        });
        G g = rt.go(null, () -> {
            throw new IllegalStateException("boom");
        }, this);
        await(handled, "the panic handler ran");
        String out = printed.get();
        assertTrue(out.startsWith("panic: java.lang.IllegalStateException: boom\n\ngoroutine " + g.id() + " [running]:\n"), out);
        assertTrue(out.contains(getClass().getName() + ".lambda$"), out);
        assertTrue(out.contains("\tGoroutineRegistryTest.java:"), out);
        assertTrue(out.contains("created by " + getClass().getName() + ".panicIsPrintedInGoShapeAndTheRuntimeCarriesOn"), out);
        CountDownLatch after = new CountDownLatch(1);
        rt.go(null, after::countDown, this);
        await(after, "goroutines still run after a panic");
    }
}
