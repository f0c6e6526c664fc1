package dev.gonode.runtime.sync;

import static dev.gonode.runtime.sync.SyncTesting.awaitDone;
import static dev.gonode.runtime.sync.SyncTesting.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.context.ContextException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Semaphore.acquire(ctx, n) and SingleFlight.doChan: the context-aware halves of x/sync. */
class SemaphoreContextTest {

    @Test
    void acquireWithALiveContextTakesTokens() {
        Semaphore sem = new Semaphore(3);
        sem.acquire(Context.background(), 3);
        assertEquals("Semaphore[3/3 taken]", sem.toString());
    }

    @Test
    void acquireOnADoneContextThrowsItsErrorAndTakesNothing() {
        Semaphore sem = new Semaphore(3);
        Context.WithCancel c = Context.withCancel(Context.background());
        c.cancel();
        ContextException e = assertThrows(ContextException.class, () -> sem.acquire(c.context(), 1));
        assertSame(Context.CANCELED, e);
        assertTrue(sem.tryAcquire(3), "nothing was taken");
    }

    @Test
    void cancellationWhileQueuedTakesNothingAndServesTheWaitersBehind() {
        Semaphore sem = new Semaphore(2);
        sem.acquire(2);
        Context.WithCancel c = Context.withCancel(Context.background());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Goroutine big = Go.go(() -> {
            try {
                sem.acquire(c.context(), 2);
            } catch (ContextException e) {
                failure.set(e);
            }
        });
        awaitParked(big, WaitReason.SEMACQUIRE);
        AtomicInteger small = new AtomicInteger();
        Goroutine behind = Go.go(() -> {
            sem.acquire(1);
            small.incrementAndGet();
        });
        awaitParked(behind, WaitReason.SEMACQUIRE);
        sem.release(1); // one token free: the big head waiter does not fit, so the small one waits behind it
        c.cancel();     // the head leaves; the waiter behind it now fits
        awaitDone(big);
        awaitDone(behind);
        assertSame(Context.CANCELED, failure.get());
        assertEquals(1, small.get());
        sem.release(1);
        sem.release(1);
        assertTrue(sem.tryAcquire(2), "the cancelled waiter took nothing");
    }

    @Test
    void aDeadlineEndsTheWaitWithDeadlineExceeded() {
        Semaphore sem = new Semaphore(1);
        sem.acquire(1);
        Context.WithCancel c = Context.withTimeout(Context.background(), Duration.ofMillis(20));
        ContextException e = assertThrows(ContextException.class, () -> sem.acquire(c.context(), 1));
        assertSame(Context.DEADLINE_EXCEEDED, e);
        sem.release(1);
        assertTrue(sem.tryAcquire(1));
    }

    @Test
    void aRequestLargerThanTheSizeOnADoneContextThrowsTheContextsError() {
        Semaphore sem = new Semaphore(2);
        Context.WithCancel c = Context.withCancel(Context.background());
        c.cancel();
        ContextException e = assertThrows(ContextException.class, () -> sem.acquire(c.context(), 3));
        assertSame(Context.CANCELED, e, "x/sync returns ctx.Err() for a doomed request, not a usage error");
        assertTrue(sem.tryAcquire(2), "nothing was taken");
    }

    @Test
    void aRequestLargerThanTheSizeWaitsForTheContextWithoutHoldingBackOthers() {
        Semaphore sem = new Semaphore(2);
        Context.WithCancel c = Context.withCancel(Context.background());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Goroutine doomed = Go.go(() -> {
            try {
                sem.acquire(c.context(), 3);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        // As in x/sync it waits on the context's done channel ("<-done"), not in the queue.
        awaitParked(doomed, WaitReason.CHAN_RECEIVE);
        sem.acquire(c.context(), 2); // would queue behind the doomed request if it were queued
        assertEquals("Semaphore[2/2 taken]", sem.toString());
        c.cancel();
        awaitDone(doomed);
        assertSame(Context.CANCELED, failure.get());
        sem.release(2);
    }

    @Test
    void aRequestLargerThanTheSizeEndsWithDeadlineExceededAtTheDeadline() {
        Semaphore sem = new Semaphore(1);
        Context.WithCancel c = Context.withTimeout(Context.background(), Duration.ofMillis(20));
        ContextException e = assertThrows(ContextException.class, () -> sem.acquire(c.context(), 2));
        assertSame(Context.DEADLINE_EXCEEDED, e);
    }

    @Test
    void aRequestLargerThanTheSizeOnAContextThatCanNeverBeDoneIsRefused() {
        // x/sync would block for ever on <-ctx.Done() (a nil channel here); a certain deadlock is
        // reported as the caller's mistake instead.
        Semaphore sem = new Semaphore(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sem.acquire(Context.withValue(Context.background(), new Context.Key<>("k"), "v"), 3));
        assertTrue(e.getMessage().contains("could never be granted"), e.getMessage());
    }

    @Test
    void doChanSharesOneExecutionAndDeliversOnChannels() throws Exception {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        ReceiveChannel<SingleFlight.Result<Integer>> first = flight.doChan("k", () -> {
            calls.incrementAndGet();
            release.await();
            return 42;
        });
        assertEquals(1, flight.inFlight(), "doChan has published the call when it returns");
        ReceiveChannel<SingleFlight.Result<Integer>> second = flight.doChan("k", () -> {
            calls.incrementAndGet();
            return 7;
        });
        // The duplicate joined inside doChan (Go's DoChan appends its channel to the call): no
        // goroutine of its own waits for the result.
        release.countDown();
        SingleFlight.Result<Integer> a = first.receive();
        SingleFlight.Result<Integer> b = second.receive();
        assertEquals(42, a.get());
        assertEquals(42, b.get());
        assertEquals(1, calls.get());
        assertTrue(b.shared());
    }
}
