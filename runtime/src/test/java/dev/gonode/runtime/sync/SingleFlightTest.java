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
import dev.gonode.runtime.chan.ReceiveChannel;
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

    /**
     * Runs {@code body} in a goroutine and waits for it, failing with whatever it threw. doChan
     * called from a goroutine is where the race would show: the goroutine doChan starts sits in
     * the caller's runnext until the caller parks, so it cannot have registered anything yet.
     */
    private static void inGoroutine(Runnable body) {
        SyncTesting.Failures failures = new SyncTesting.Failures();
        awaitDone(Go.go(failures.guard(body)));
        failures.assertNone();
    }

    @Test
    void doChanRegistersItsCallBeforeReturningSoADoChanRightAfterItJoins() {
        inGoroutine(() -> {
            SingleFlight<String, Integer> flight = new SingleFlight<>();
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            ReceiveChannel<SingleFlight.Result<Integer>> first = flight.doChan("k", () -> {
                calls.incrementAndGet();
                await(release);
                return 42;
            });
            // No waiting here: Go's DoChan has put the call in the map by the time it returns.
            assertEquals(1, flight.inFlight(), "doChan must register its call before it returns");
            ReceiveChannel<SingleFlight.Result<Integer>> second = flight.doChan("k", () -> {
                calls.incrementAndGet();
                return 7;
            });
            release.countDown();
            assertEquals(new SingleFlight.Result<>(42, null, true), first.receive());
            assertEquals(new SingleFlight.Result<>(42, null, true), second.receive());
            assertEquals(1, calls.get(), "the second doChan must join the first call, not run its own");
            assertEquals(0, flight.inFlight());
        });
    }

    @Test
    void doCallRightAfterDoChanWaitsForTheCallDoChanStarted() {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        ConcurrentLinkedQueue<SingleFlight.Result<Integer>> outcomes = new ConcurrentLinkedQueue<>();
        CountDownLatch ranOwn = new CountDownLatch(1);
        SyncTesting.Failures failures = new SyncTesting.Failures();
        Goroutine caller = Go.go(failures.guard(() -> {
            ReceiveChannel<SingleFlight.Result<Integer>> viaChannel = flight.doChan("k", () -> {
                calls.incrementAndGet();
                await(release);
                return 42;
            });
            outcomes.add(flight.doCall("k", () -> {  // must join, not lead
                calls.incrementAndGet();
                ranOwn.countDown();
                return 7;
            }));
            outcomes.add(viaChannel.receive());
        }));
        // A joined doCall parks on the call's WaitGroup; one that led would run its fn and finish.
        SyncTesting.awaitUntil("the doCall has joined or run its own fn", () -> ranOwn.getCount() == 0
                || caller.waitReason() == WaitReason.SYNC_WAITGROUP_WAIT);
        release.countDown();
        awaitDone(caller);
        failures.assertNone();
        assertEquals(1, calls.get(), "the doCall must join the call doChan started, not run its own");
        assertEquals(List.of(new SingleFlight.Result<>(42, null, true), new SingleFlight.Result<>(42, null, true)),
                List.copyOf(outcomes));
    }

    @Test
    void doChanJoinsACallThatDoCallLeads() throws Exception {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ConcurrentLinkedQueue<SingleFlight.Result<Integer>> led = new ConcurrentLinkedQueue<>();
        Goroutine leader = Go.go(() -> led.add(flight.doCall("k", () -> {
            inside.countDown();
            await(release);
            return 42;
        })));
        assertTrue(inside.await(SyncTesting.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        ReceiveChannel<SingleFlight.Result<Integer>> joined = flight.doChan("k", () -> 7);
        assertEquals(0, joined.len(), "nothing arrives before the leader's call completes");
        release.countDown();
        assertEquals(new SingleFlight.Result<>(42, null, true), joined.receive());
        awaitDone(leader);
        assertEquals(new SingleFlight.Result<>(42, null, true), led.peek(), "the leader saw that it was shared");
    }

    @Test
    void aCheckedExceptionReachesDoChanReceiversAsErr() {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        IOException failure = new IOException("down");
        SingleFlight.Result<Integer> r = flight.doChan("k", () -> {
            throw failure;
        }).receive();
        assertSame(failure, r.err());
        assertNull(r.value());
        assertFalse(r.shared());
    }

    @Test
    void aPanicUnderDoChanIsAnUnrecoveredPanicAndSendsNothing() {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        ConcurrentLinkedQueue<Throwable> panics = new ConcurrentLinkedQueue<>();
        IllegalStateException boom = new IllegalStateException("boom");
        Go.setPanicHandler((g, panic) -> panics.add(panic));
        try {
            // doChan leads: its goroutine panics.
            ReceiveChannel<SingleFlight.Result<Integer>> led = flight.doChan("k", () -> {
                throw boom;
            });
            SyncTesting.awaitUntil("the panic reaches the panic handler", () -> !panics.isEmpty());
            assertSame(boom, panics.poll());
            assertNull(led.tryReceive(), "a panicked call sends no result");

            // doCall leads and a doChan joined: the caller gets the panic, and it is also reported
            // as unrecovered, because the doChan receiver would otherwise wait unnoticed.
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
            Goroutine leader = Go.go(() -> {
                try {
                    flight.doCall("k", () -> {
                        inside.countDown();
                        await(release);
                        throw boom;
                    });
                } catch (IllegalStateException e) {
                    thrown.add(e);
                }
            });
            await(inside);
            ReceiveChannel<SingleFlight.Result<Integer>> joined = flight.doChan("k", () -> 7);
            release.countDown();
            awaitDone(leader);
            assertSame(boom, thrown.peek(), "the leading doCall sees the panic");
            SyncTesting.awaitUntil("the panic reaches the panic handler", () -> !panics.isEmpty());
            assertSame(boom, panics.poll());
            assertNull(joined.tryReceive());
            assertEquals(0, flight.inFlight());
        } finally {
            Go.setPanicHandler(null);
        }
    }
}
