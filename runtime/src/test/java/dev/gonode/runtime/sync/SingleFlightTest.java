package dev.gonode.runtime.sync;

import static dev.gonode.runtime.sync.SyncTesting.awaitAllDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

    private static final int CALLERS = 32;

    /**
     * Runs {@code CALLERS} calls of {@code flight.doCall(key, fn)} such that they all overlap:
     * the first is held inside {@code fn} until the others are parked waiting for it. Returns
     * what each call returned or threw.
     */
    private static <V> List<Object> overlappingCalls(SingleFlight<String, V> flight, String key,
                                                     Callable<V> fn, CountDownLatch firstInside,
                                                     CountDownLatch releaseFirst) throws Exception {
        ConcurrentLinkedQueue<Object> outcomes = new ConcurrentLinkedQueue<>();
        Runnable call = () -> {
            try {
                outcomes.add(flight.doCall(key, fn));
            } catch (Throwable t) {
                outcomes.add(t);
            }
        };
        List<Goroutine> gs = new ArrayList<>();
        gs.add(Go.go(call));
        assertTrue(firstInside.await(SyncTesting.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        List<Goroutine> dups = new ArrayList<>();
        for (int i = 1; i < CALLERS; i++) {
            dups.add(Go.go(call));
        }
        // Duplicates wait for the call in flight on its WaitGroup, as in x/sync.
        awaitParked(dups, CALLERS - 1, WaitReason.SYNC_WAITGROUP_WAIT);
        releaseFirst.countDown();
        gs.addAll(dups);
        awaitAllDone(gs);
        return new ArrayList<>(outcomes);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void overlappingCallsForOneKeyRunTheFunctionOnceAndAllShareItsResult() throws Exception {
        SingleFlight<String, String> flight = new SingleFlight<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<Object> outcomes = overlappingCalls(flight, "user:1", () -> {
            calls.incrementAndGet();
            firstInside.countDown();
            await(releaseFirst);
            return "alice";
        }, firstInside, releaseFirst);
        assertEquals(1, calls.get(), "duplicate calls must be suppressed");
        assertEquals(CALLERS, outcomes.size());
        for (Object o : outcomes) {
            SingleFlight.Result<?> r = (SingleFlight.Result<?>) o;
            assertEquals("alice", r.value());
            assertNull(r.err());
            assertTrue(r.shared(), "every caller, the one that ran fn included, shared the result");
        }
        assertEquals(0, flight.inFlight());
    }

    @Test
    void aCallWithNoOverlapIsNotShared() {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        SingleFlight.Result<Integer> r = flight.doCall("k", () -> 7);
        assertEquals(new SingleFlight.Result<>(7, null, false), r);
    }

    @Test
    void callsThatDoNotOverlapEachRunTheFunction() {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        AtomicInteger calls = new AtomicInteger();
        assertEquals(1, flight.doCall("k", calls::incrementAndGet).value());
        assertEquals(2, flight.doCall("k", calls::incrementAndGet).value());
    }

    @Test
    void aCheckedExceptionComesBackAsTheErrOfEveryOverlappingCaller() throws Exception {
        SingleFlight<String, String> flight = new SingleFlight<>();
        IOException notFound = new IOException("not found");
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<Object> outcomes = overlappingCalls(flight, "k", () -> {
            firstInside.countDown();
            await(releaseFirst);
            throw notFound;
        }, firstInside, releaseFirst);
        assertEquals(CALLERS, outcomes.size());
        for (Object o : outcomes) {
            SingleFlight.Result<?> r = (SingleFlight.Result<?>) o;
            assertSame(notFound, r.err());
            assertNull(r.value());
            assertTrue(r.shared());
            assertSame(notFound, assertThrows(IOException.class, r::get));
        }
    }

    @Test
    void anUncheckedExceptionIsThrownToEveryOverlappingCaller() throws Exception {
        SingleFlight<String, String> flight = new SingleFlight<>();
        IllegalStateException panic = new IllegalStateException("bug");
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<Object> outcomes = overlappingCalls(flight, "k", () -> {
            firstInside.countDown();
            await(releaseFirst);
            throw panic;
        }, firstInside, releaseFirst);
        assertEquals(CALLERS, outcomes.size());
        assertTrue(outcomes.stream().allMatch(o -> o == panic), "every caller must see the panic: " + outcomes);
        assertEquals(0, flight.inFlight(), "a panicking call must still be removed");
        assertEquals("ok", flight.doCall("k", () -> "ok").value());
    }

    @Test
    void forgetLetsTheNextCallRunWhileTheFirstIsStillInFlight() throws Exception {
        SingleFlight<String, String> flight = new SingleFlight<>();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        ConcurrentLinkedQueue<SingleFlight.Result<String>> firstResult = new ConcurrentLinkedQueue<>();
        Goroutine first = Go.go(() -> firstResult.add(flight.doCall("k", () -> {
            firstInside.countDown();
            await(releaseFirst);
            return "old";
        })));
        assertTrue(firstInside.await(SyncTesting.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        flight.forget("k");
        SingleFlight.Result<String> second = flight.doCall("k", () -> "new"); // runs, does not wait
        assertEquals(new SingleFlight.Result<>("new", null, false), second);
        releaseFirst.countDown();
        awaitDone(first);
        assertEquals("old", firstResult.peek().value());
        assertFalse(firstResult.peek().shared());
        assertEquals(0, flight.inFlight());
    }

    @Test
    void callsForDifferentKeysDoNotWaitForEachOther() throws Exception {
        SingleFlight<String, String> flight = new SingleFlight<>();
        CountDownLatch aInside = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        Goroutine a = Go.go(() -> flight.doCall("a", () -> {
            aInside.countDown();
            await(releaseA);
            return "A";
        }));
        assertTrue(aInside.await(SyncTesting.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("B", flight.doCall("b", () -> "B").value()); // would hang if keyed calls were serialised
        assertEquals(1, flight.inFlight());
        releaseA.countDown();
        awaitDone(a);
    }
}
