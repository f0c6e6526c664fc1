package dev.gonode.runtime.sync;

import static dev.gonode.runtime.sync.SyncTesting.awaitAllDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OnceTest {

    private static final int CALLERS = 64;

    /**
     * Starts {@code CALLERS - 1} goroutines running {@code call} while the first caller is held
     * inside the once-function until all the others are parked waiting for it, so that every
     * call really overlaps the first one. Returns all {@code CALLERS} goroutines.
     */
    private static List<Goroutine> overlappingCallers(Runnable call, CountDownLatch firstInside,
                                                      CountDownLatch releaseFirst) {
        List<Goroutine> gs = new ArrayList<>();
        gs.add(Go.go(call));
        try {
            assertTrue(firstInside.await(SyncTesting.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        List<Goroutine> others = new ArrayList<>();
        for (int i = 1; i < CALLERS; i++) {
            others.add(Go.go(call));
        }
        // Late callers wait on the Once's mutex, as in Go.
        awaitParked(others, CALLERS - 1, WaitReason.SYNC_MUTEX_LOCK);
        releaseFirst.countDown();
        gs.addAll(others);
        return gs;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void doOnceRunsTheFunctionOnceFor64OverlappingCallersAndNoneReturnsBeforeItFinished() {
        Once once = new Once();
        AtomicInteger runs = new AtomicInteger();
        int[] value = {0}; // a plain write inside f, read by every caller after doOnce
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger sawValue = new AtomicInteger();
        SyncTesting.Failures failures = new SyncTesting.Failures();
        List<Goroutine> gs = overlappingCallers(failures.guard(() -> {
            once.doOnce(() -> {
                runs.incrementAndGet();
                firstInside.countDown();
                await(releaseFirst);
                value[0] = 42;
            });
            if (value[0] == 42) {
                sawValue.incrementAndGet();
            }
        }), firstInside, releaseFirst);
        awaitAllDone(gs);
        failures.assertNone();
        assertEquals(1, runs.get());
        assertEquals(CALLERS, sawValue.get(), "a caller returned before f's effects were visible");
        assertTrue(once.isDone());
    }

    @Test
    void laterCallsDoNotRunEvenADifferentFunction() {
        Once once = new Once();
        AtomicInteger runs = new AtomicInteger();
        once.doOnce(runs::incrementAndGet);
        once.doOnce(runs::incrementAndGet);
        once.doOnce(() -> runs.addAndGet(100));
        assertEquals(1, runs.get());
    }

    @Test
    void aPanicInDoOnceReachesOnlyItsCallerAndCountsAsDoneAsInGo() {
        Once once = new Once();
        RuntimeException boom = new IllegalStateException("boom");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> once.doOnce(() -> {
            throw boom;
        }));
        assertSame(boom, thrown);
        assertTrue(once.isDone());
        AtomicInteger runs = new AtomicInteger();
        once.doOnce(runs::incrementAndGet); // returns without calling f, no exception
        assertEquals(0, runs.get());
    }

    @Test
    void doOnceCalledFromInsideItsOwnFunctionFailsInsteadOfDeadlocking() {
        Once once = new Once();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> once.doOnce(() -> once.doOnce(() -> { })));
        assertTrue(e.getMessage().startsWith("sync: Once.doOnce called from inside its own function"), e.getMessage());
        assertTrue(once.isDone());
    }

    @Test
    void onceValueCallsTheFunctionOnceAndAll64OverlappingCallersSeeItsResult() {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        Object result = new Object();
        Supplier<Object> value = Once.onceValue(() -> {
            calls.incrementAndGet();
            firstInside.countDown();
            await(releaseFirst);
            return result;
        });
        ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
        SyncTesting.Failures failures = new SyncTesting.Failures();
        List<Goroutine> gs = overlappingCallers(failures.guard(() -> seen.add(value.get())), firstInside, releaseFirst);
        awaitAllDone(gs);
        failures.assertNone();
        assertEquals(1, calls.get());
        assertEquals(CALLERS, seen.size());
        assertTrue(seen.stream().allMatch(v -> v == result));
        assertSame(result, value.get());
        assertEquals(1, calls.get());
    }

    @Test
    void onceValueRethrowsTheFunctionsExceptionToAll64OverlappingCallersAndLaterOnes() {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        RuntimeException boom = new IllegalArgumentException("bad config");
        Supplier<String> value = Once.onceValue(() -> {
            calls.incrementAndGet();
            firstInside.countDown();
            await(releaseFirst);
            throw boom;
        });
        ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
        List<Goroutine> gs = overlappingCallers(() -> {
            try {
                value.get();
            } catch (Throwable t) {
                thrown.add(t);
            }
        }, firstInside, releaseFirst);
        awaitAllDone(gs);
        assertEquals(1, calls.get());
        assertEquals(CALLERS, thrown.size(), "every caller must see the panic");
        assertTrue(thrown.stream().allMatch(t -> t == boom), "the same exception, as Go re-panics with the same value");
        assertSame(boom, assertThrows(IllegalArgumentException.class, value::get));
        assertEquals(1, calls.get());
    }

    @Test
    void onceFuncRunsOnceAndRethrowsItsPanicOnEveryCall() {
        AtomicInteger runs = new AtomicInteger();
        Runnable ok = Once.onceFunc(runs::incrementAndGet);
        ok.run();
        ok.run();
        assertEquals(1, runs.get());

        Error oops = new AssertionError("oops");
        AtomicInteger failingRuns = new AtomicInteger();
        Runnable failing = Once.onceFunc(() -> {
            failingRuns.incrementAndGet();
            throw oops;
        });
        assertSame(oops, assertThrows(AssertionError.class, failing::run));
        assertSame(oops, assertThrows(AssertionError.class, failing::run));
        assertEquals(1, failingRuns.get());
    }

    @Test
    void onceValueDoesNotKeepTheFunctionAliveAfterCallingIt() throws Exception {
        Supplier<String> value = Once.onceValue(() -> "v");
        assertEquals("v", value.get());
        var field = value.getClass().getDeclaredField("f");
        field.setAccessible(true);
        assertNull(field.get(value), "f must be dropped once called, as Go's OnceValue does");
    }
}
