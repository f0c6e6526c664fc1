package dev.gonode.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ErrGroupTest {

    @Test
    void firstErrorIsReturnedAndCancelsTheContextWithItAsCause() {
        ErrGroup.WithContext g = ErrGroup.withContext(Context.background());
        Context ctx = g.context();
        IOException first = new IOException("first");
        AtomicInteger sawCancel = new AtomicInteger();
        for (int i = 0; i < 4; i++) {
            g.group().go(() -> {
                ctx.done().receiveOk(); // only the failure below can end this wait
                sawCancel.incrementAndGet();
                throw new IllegalStateException("late: " + ctx.err());
            });
        }
        g.group().go(() -> {
            throw first;
        });
        assertSame(first, g.group().await());
        assertEquals(4, sawCancel.get(), "await waited for every goroutine");
        assertSame(Context.CANCELED, ctx.err());
        assertSame(first, Context.cause(ctx));
    }

    @Test
    void awaitWithNoErrorReturnsNullAndCancelsTheContext() {
        ErrGroup.WithContext g = ErrGroup.withContext(Context.background());
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            g.group().go(ran::incrementAndGet);
        }
        assertNull(g.context().err());
        assertNull(g.group().await());
        assertEquals(100, ran.get());
        assertSame(Context.CANCELED, g.context().err());
        assertSame(Context.CANCELED, Context.cause(g.context()));
    }

    @Test
    void groupWithoutContextReturnsTheFirstErrorAfterWaitingForAll() {
        ErrGroup g = new ErrGroup();
        Channel<Object> release = Channel.make();
        AtomicInteger finished = new AtomicInteger();
        Exception boom = new Exception("boom");
        g.go(() -> {
            release.receiveOk();
            finished.incrementAndGet();
        });
        g.go(() -> {
            try {
                throw boom;
            } finally {
                release.close();
            }
        });
        assertSame(boom, g.await());
        assertEquals(1, finished.get());
        assertNull(new ErrGroup().await(), "an empty group has nothing to report");
    }

    @Test
    void setLimitBoundsTheGoroutinesInFlight() {
        int limit = 3;
        ErrGroup g = new ErrGroup();
        g.setLimit(limit);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger highWater = new AtomicInteger();
        Channel<Object> gate = Channel.make();
        Goroutine submitter = Go.go(() -> {
            for (int i = 0; i < 50; i++) {
                g.go(() -> {
                    highWater.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    gate.receiveOk();
                    Go.yield();
                    inFlight.decrementAndGet();
                });
            }
        });
        SyncTesting.awaitUntil("the limit is reached", () -> inFlight.get() == limit);
        SyncTesting.awaitParked(submitter, WaitReason.CHAN_SEND); // go() waits for a slot
        assertEquals(limit, inFlight.get());
        gate.close();
        SyncTesting.awaitDone(submitter);
        assertNull(g.await());
        assertEquals(limit, highWater.get(), "never more than the limit at once");
        assertEquals(0, inFlight.get());
    }

    @Test
    void tryGoDeclinesWhenEverySlotIsTaken() {
        ErrGroup g = new ErrGroup();
        g.setLimit(2);
        Channel<Object> gate = Channel.make();
        AtomicInteger ran = new AtomicInteger();
        assertTrue(g.tryGo(() -> gate.receiveOk()));
        assertTrue(g.tryGo(() -> gate.receiveOk()));
        assertFalse(g.tryGo(ran::incrementAndGet));
        gate.close();
        assertNull(g.await());
        assertEquals(0, ran.get(), "a declined task never runs");
        assertTrue(g.tryGo(ran::incrementAndGet), "slots are free again");
        assertNull(g.await());
        assertEquals(1, ran.get());
    }

    @Test
    void setLimitWhileLimitedGoroutinesAreActiveFailsWithGosMessage() {
        ErrGroup g = new ErrGroup();
        g.setLimit(4);
        Channel<Object> gate = Channel.make();
        g.go(() -> gate.receiveOk());
        g.go(() -> gate.receiveOk());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.setLimit(8));
        assertEquals("errgroup: modify limit while 2 goroutines in the group are still active", e.getMessage());
        g.setLimit(-1); // removing the limit is allowed, as in Go
        gate.close();
        assertNull(g.await());
        g.setLimit(8);
    }

    @Test
    void aLimitOfZeroFailsInsteadOfBlockingForever() {
        ErrGroup g = new ErrGroup();
        g.setLimit(0);
        assertThrows(IllegalStateException.class, () -> g.go(() -> { }));
        assertFalse(g.tryGo(() -> { }));
        assertNull(g.await());
    }

    @Test
    void anErrorFromATaskIsRethrownByAwaitAfterEveryTaskEnded() {
        ErrGroup.WithContext g = ErrGroup.withContext(Context.background());
        Error panic = new AssertionError("panic");
        AtomicInteger after = new AtomicInteger();
        g.group().go(() -> {
            g.context().done().receiveOk();
            after.incrementAndGet();
        });
        g.group().go(() -> {
            throw panic;
        });
        Error thrown = assertThrows(Error.class, () -> g.group().await());
        assertSame(panic, thrown);
        assertEquals(1, after.get());
        assertSame(Context.CANCELED, g.context().err());
    }

    @Test
    void cancellationRacingWithSuccessReportsExactlyWhatTheTasksSaw() {
        int iterations = 2_000;
        int tasks = 4;
        for (int i = 0; i < iterations; i++) {
            Context.WithCancel parent = Context.withCancel(Context.background());
            ErrGroup.WithContext g = ErrGroup.withContext(parent.context());
            Channel<Integer> ready = Channel.make(tasks);
            AtomicInteger succeeded = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            for (int t = 0; t < tasks; t++) {
                g.group().go(() -> Select.select(
                        Select.receive(ready, v -> succeeded.incrementAndGet()),
                        Select.receiveOk(g.context().done(), r -> {
                            if (r.ok()) {
                                unexpected.set(new AssertionError("a value on a done channel"));
                            }
                            throw g.context().err();
                        })));
            }
            Go.go(parent::cancel);
            for (int t = 0; t < tasks; t++) {
                ready.send(t);
            }
            Exception err = g.group().await();
            assertNull(unexpected.get());
            if (err == null) {
                assertEquals(tasks, succeeded.get(), "no error means every task succeeded");
            } else {
                assertSame(Context.CANCELED, err);
                assertTrue(succeeded.get() < tasks, "an error means some task saw the cancellation");
                assertEquals(tasks - succeeded.get(), ready.len(), "values not taken are still there");
            }
            assertSame(Context.CANCELED, g.context().err(), "the group's context ends with await");
        }
    }
}
