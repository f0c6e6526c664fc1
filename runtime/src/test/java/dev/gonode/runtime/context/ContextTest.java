package dev.gonode.runtime.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Received;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.internal.CancelContext;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ContextTest {

    private static final Context.Key<String> USER = new Context.Key<>("user");
    private static final Context.Key<String> TRACE = new Context.Key<>("trace");

    /** Whether {@code ctx}'s done channel is closed, without blocking. */
    private static boolean isDone(Context ctx) {
        Received<Object> r = ctx.done().tryReceive();
        return r != null && !r.ok();
    }

    @Test
    void backgroundIsNeverDoneAndHasNoDeadlineOrValues() {
        Context bg = Context.background();
        assertNull(bg.err());
        assertTrue(bg.deadline().isEmpty());
        assertNull(bg.value(USER));
        assertSame(Channel.nil(), bg.done());
        Boolean fired = Select.select(Select.receive(bg.done()).map(x -> true), Select.defaultCase().map(x -> false));
        assertFalse(fired, "the nil done channel never fires");
    }

    @Test
    void cancelClosesDoneAndSetsErrCanceled() {
        Context.WithCancel c = Context.withCancel(Context.background());
        assertNull(c.context().err());
        assertFalse(isDone(c.context()));
        c.cancel();
        assertTrue(isDone(c.context()));
        assertSame(Context.CANCELED, c.context().err());
        assertEquals("context canceled", c.context().err().getMessage());
        c.cancel(); // idempotent
        assertSame(Context.CANCELED, c.context().err());
    }

    @Test
    void cancelWakesAGoroutineBlockedOnDone() throws Exception {
        Context.WithCancel c = Context.withCancel(Context.background());
        CountDownLatch woke = new CountDownLatch(1);
        Go.go(() -> {
            Received<Object> r = c.context().done().receiveOk();
            if (!r.ok()) {
                woke.countDown();
            }
        });
        c.cancel();
        assertTrue(woke.await(10, TimeUnit.SECONDS));
    }

    @Test
    void timeoutEndsWithDeadlineExceededNotBeforeTheDeadline() {
        long t0 = System.nanoTime();
        Context.WithCancel c = Context.withTimeout(Context.background(), Duration.ofMillis(50));
        assertTrue(c.context().deadline().isPresent());
        Received<Object> r = c.context().done().receiveOk();
        long waited = System.nanoTime() - t0;
        assertFalse(r.ok());
        assertSame(Context.DEADLINE_EXCEEDED, c.context().err());
        assertTrue(c.context().err().isTimeout());
        assertSame(Context.DEADLINE_EXCEEDED, Context.cause(c.context()));
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(50), "done after " + waited + " ns");
        assertTrue(waited < TimeUnit.SECONDS.toNanos(5), "done after " + waited + " ns");
        c.cancel(); // after the deadline: err stays DEADLINE_EXCEEDED
        assertSame(Context.DEADLINE_EXCEEDED, c.context().err());
    }

    @Test
    void deadlineInThePastIsDoneAtOnce() {
        Context.WithCancel c = Context.withDeadline(Context.background(), Instant.now().minusSeconds(1));
        assertTrue(isDone(c.context()));
        assertSame(Context.DEADLINE_EXCEEDED, c.context().err());
        Context.WithCancel z = Context.withTimeout(Context.background(), Duration.ZERO);
        assertSame(Context.DEADLINE_EXCEEDED, z.context().err());
    }

    @Test
    void deadlineIsReportedExactlyAsGiven() {
        Instant at = Instant.now().plusSeconds(3600);
        Context.WithCancel c = Context.withDeadline(Context.background(), at);
        assertEquals(at, c.context().deadline().orElseThrow());
        c.cancel();
    }

    @Test
    void anEnormousTimeoutIsNotDoneAtOnce() {
        Context.WithCancel c = Context.withTimeout(Context.background(), Duration.ofSeconds(Long.MAX_VALUE));
        assertNull(c.context().err(), "a timeout too long for nanoTime must not wrap round into the past");
        assertEquals(Instant.MAX, c.context().deadline().orElseThrow());
        Context.WithCancel far = Context.withDeadline(Context.background(), Instant.MAX);
        assertNull(far.context().err());
        Context.WithCancel long292Years = Context.withTimeout(Context.background(), Duration.ofNanos(Long.MAX_VALUE));
        assertNull(long292Years.context().err());
        c.cancel();
        far.cancel();
        long292Years.cancel();
    }

    @Test
    void cancelBeforeTheDeadlineGivesCanceled() {
        Context.WithCancel c = Context.withTimeout(Context.background(), Duration.ofHours(1));
        c.cancel();
        assertSame(Context.CANCELED, c.context().err());
    }

    @Test
    void parentCancelReachesAThousandChildrenAndADeepChain() {
        Context.WithCancel root = Context.withCancel(Context.background());
        List<Context> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Context child = Context.withCancel(root.context()).context();
            all.add(child);
            all.add(Context.withCancel(Context.withValue(child, USER, "u" + i)).context());
        }
        Context deep = root.context();
        for (int i = 0; i < 100_000; i++) { // deeper than any stack would allow a recursive cancel
            deep = Context.withCancel(deep).context();
        }
        all.add(deep);
        Context deepTimer = Context.withTimeout(deep, Duration.ofHours(1)).context();
        all.add(deepTimer);
        for (Context c : all) {
            assertNull(c.err());
        }
        root.cancel();
        for (Context c : all) {
            assertSame(Context.CANCELED, c.err(), c::toString);
            assertTrue(isDone(c));
        }
    }

    @Test
    void childCancelNeverCancelsTheParentOrSiblings() {
        Context.WithCancel parent = Context.withCancel(Context.background());
        Context.WithCancel a = Context.withCancel(parent.context());
        Context.WithCancel b = Context.withCancel(parent.context());
        a.cancel();
        assertSame(Context.CANCELED, a.context().err());
        assertNull(parent.context().err());
        assertNull(b.context().err());
        assertFalse(isDone(parent.context()));
    }

    @Test
    void childOfADoneParentIsBornDone() {
        Context.WithCancelCause parent = Context.withCancelCause(Context.background());
        IllegalStateException why = new IllegalStateException("shutdown");
        parent.cancel(why);
        Context child = Context.withCancel(Context.withValue(parent.context(), USER, "x")).context();
        assertSame(Context.CANCELED, child.err());
        assertTrue(isDone(child));
        assertSame(why, Context.cause(child));
        Context timed = Context.withTimeout(parent.context(), Duration.ofHours(1)).context();
        assertSame(Context.CANCELED, timed.err());
    }

    @Test
    void childDeadlineLaterThanTheParentsReportsTheParents() {
        Instant parentDeadline = Instant.now().plusSeconds(60);
        Context parent = Context.withDeadline(Context.background(), parentDeadline).context();
        Context later = Context.withDeadline(parent, parentDeadline.plusSeconds(3600)).context();
        assertEquals(parent.deadline(), later.deadline());
        Context sooner = Context.withTimeout(parent, Duration.ofSeconds(1)).context();
        assertTrue(sooner.deadline().orElseThrow().isBefore(parentDeadline));
        Context plain = Context.withCancel(Context.withValue(parent, USER, "x")).context();
        assertEquals(parent.deadline(), plain.deadline());
    }

    @Test
    void childWithALaterDeadlineEndsWithTheParentsDeadlineExceeded() {
        Context parent = Context.withTimeout(Context.background(), Duration.ofMillis(20)).context();
        Context child = Context.withTimeout(parent, Duration.ofHours(1)).context();
        child.done().receiveOk();
        assertSame(Context.DEADLINE_EXCEEDED, child.err());
    }

    @Test
    void valuesAreFoundNearestFirst() {
        Context a = Context.withValue(Context.background(), USER, "outer");
        Context b = Context.withValue(a, TRACE, "t1");
        Context c = Context.withCancel(b).context();
        Context d = Context.withValue(c, USER, "inner");
        assertEquals("inner", d.value(USER));
        assertEquals("t1", d.value(TRACE));
        assertEquals("outer", c.value(USER));
        assertNull(a.value(TRACE));
        assertNull(d.value(new Context.Key<String>("user")), "keys compare by identity, not by name");
    }

    @Test
    void withoutCancelKeepsValuesButIsNeverDone() {
        Context.WithCancel parent = Context.withTimeout(Context.withValue(Context.background(), USER, "u"),
                Duration.ofHours(1));
        Context detached = Context.withoutCancel(parent.context());
        Context child = Context.withCancel(detached).context();
        parent.cancel();
        assertSame(Context.CANCELED, parent.context().err());
        assertEquals("u", detached.value(USER));
        assertNull(detached.err());
        assertTrue(detached.deadline().isEmpty());
        assertSame(Channel.nil(), detached.done());
        assertNull(Context.cause(detached));
        assertNull(child.err(), "a child of a detached context ignores the original parent");
    }

    @Test
    void causeIsTheCancelCauseOrErr() {
        Context.WithCancelCause c = Context.withCancelCause(Context.background());
        Context child = Context.withCancel(c.context()).context();
        assertNull(Context.cause(c.context()));
        RuntimeException why = new RuntimeException("backend down");
        c.cancel(why);
        c.cancel(new RuntimeException("second cause is ignored"));
        assertSame(Context.CANCELED, c.context().err());
        assertSame(why, Context.cause(c.context()));
        assertSame(why, Context.cause(child));
        assertSame(why, Context.cause(Context.withValue(child, USER, "x")));

        Context.WithCancelCause nil = Context.withCancelCause(Context.background());
        nil.cancel(null);
        assertSame(Context.CANCELED, Context.cause(nil.context()));
        Context.WithCancel plain = Context.withCancel(Context.background());
        plain.cancel();
        assertSame(Context.CANCELED, Context.cause(plain.context()));
    }

    @Test
    void timeoutCauseIsTheCauseWhenTheDeadlinePasses() {
        IllegalStateException slow = new IllegalStateException("backend too slow");
        Context.WithCancel c = Context.withTimeoutCause(Context.background(), Duration.ofMillis(20), slow);
        assertTrue(c.context().deadline().isPresent());
        assertFalse(c.context().done().receiveOk().ok());
        assertSame(Context.DEADLINE_EXCEEDED, c.context().err(), "err stays DeadlineExceeded, as in Go");
        assertSame(slow, Context.cause(c.context()));
        Context child = Context.withCancel(c.context()).context();
        assertSame(slow, Context.cause(child), "children inherit the cause");
        c.cancel();
        assertSame(slow, Context.cause(c.context()), "a cancel after the deadline changes nothing");
    }

    @Test
    void deadlineCauseInThePastIsDoneAtOnceWithTheCause() {
        IllegalStateException late = new IllegalStateException("request arrived after its deadline");
        Context.WithCancel c = Context.withDeadlineCause(Context.background(), Instant.now().minusSeconds(1), late);
        assertTrue(isDone(c.context()));
        assertSame(Context.DEADLINE_EXCEEDED, c.context().err());
        assertSame(late, Context.cause(c.context()));
        Instant at = Instant.now().plusSeconds(3600);
        Context.WithCancel later = Context.withDeadlineCause(Context.background(), at, late);
        assertEquals(at, later.context().deadline().orElseThrow());
        later.cancel();
    }

    @Test
    void cancellingADeadlineCauseContextGivesCanceledNotTheCause() {
        Context.WithCancel c = Context.withDeadlineCause(Context.background(), Instant.now().plusSeconds(3600),
                new IllegalStateException("unused"));
        c.cancel();
        assertSame(Context.CANCELED, c.context().err());
        assertSame(Context.CANCELED, Context.cause(c.context()), "Go: the cause applies only to the deadline");
    }

    @Test
    void aDeadlineCauseLaterThanTheParentsDeadlineIsNeverUsed() {
        IllegalStateException parentCause = new IllegalStateException("parent's");
        Context parent = Context.withTimeoutCause(Context.background(), Duration.ofMillis(20), parentCause).context();
        Context child = Context.withTimeoutCause(parent, Duration.ofHours(1), new IllegalStateException("child's"))
                .context();
        child.done().receiveOk();
        assertSame(Context.DEADLINE_EXCEEDED, child.err());
        assertSame(parentCause, Context.cause(child), "the parent's deadline came first, with its cause");
    }

    @Test
    void aNullCauseMeansDeadlineExceeded() {
        Context.WithCancel c = Context.withTimeoutCause(Context.background(), Duration.ZERO, null);
        assertSame(Context.DEADLINE_EXCEEDED, Context.cause(c.context()));
    }

    @Test
    void afterFuncRunsOnceAfterCancelInItsOwnGoroutine() {
        Context.WithCancel c = Context.withCancel(Context.background());
        AtomicInteger runs = new AtomicInteger();
        Channel<Boolean> ran = Channel.make(2);
        BooleanSupplier stop = Context.afterFunc(c.context(), () -> {
            runs.incrementAndGet();
            ran.send(Go.current() != null);
        });
        assertEquals(0, runs.get());
        c.cancel();
        c.cancel();
        assertTrue(ran.receive(), "ran in a goroutine");
        assertFalse(stop.getAsBoolean(), "stop after it started reports false");
        // a later after-func on the done context runs at once; by then the first has run exactly once
        Channel<Object> later = Channel.make(1);
        Context.afterFunc(c.context(), () -> later.send("x"));
        later.receive();
        assertEquals(1, runs.get());
    }

    @Test
    void afterFuncStoppedBeforeCancelNeverRuns() {
        Context.WithCancel c = Context.withCancel(Context.background());
        CancelContext holder = (CancelContext) c.context();
        AtomicInteger runs = new AtomicInteger();
        BooleanSupplier stop = Context.afterFunc(c.context(), runs::incrementAndGet);
        assertEquals(1, holder.childCount());
        assertTrue(stop.getAsBoolean());
        assertFalse(stop.getAsBoolean(), "a second stop finds nothing to stop");
        assertEquals(0, holder.childCount(), "a stopped after-func is unlinked");
        Channel<Object> sentinel = Channel.make(1);
        Context.afterFunc(c.context(), () -> sentinel.send("x"));
        c.cancel();
        sentinel.receive();
        assertEquals(0, runs.get());
    }

    @Test
    void afterFuncOnANeverDoneContextNeverRunsAndStops() {
        AtomicInteger runs = new AtomicInteger();
        BooleanSupplier stop = Context.afterFunc(Context.background(), runs::incrementAndGet);
        assertTrue(stop.getAsBoolean());
        assertEquals(0, runs.get());
    }

    @Test
    void doneIsUsableInSelect() {
        Context.WithCancel c = Context.withTimeout(Context.background(), Duration.ofMillis(30));
        Channel<String> never = Channel.make();
        String which = Select.select(
                Select.receive(never).map(v -> "value"),
                Select.receiveOk(c.context().done()).map(r -> r.ok() ? "a value on done?" : "done"));
        assertEquals("done", which);
        assertSame(Context.DEADLINE_EXCEEDED, c.context().err());
    }

    @Test
    void cancellationRacingAReadyValueLetsExactlyOneWinAndLosesNothing() throws Exception {
        int iterations = 5_000;
        int valueWins = 0;
        int cancelWins = 0;
        for (int i = 0; i < iterations; i++) {
            Context.WithCancel c = Context.withCancel(Context.background());
            Channel<Integer> values = Channel.make(1);
            CountDownLatch go = new CountDownLatch(1);
            int expected = i;
            Go.go(() -> {
                awaitQuietly(go);
                values.send(expected);
            });
            Go.go(() -> {
                awaitQuietly(go);
                c.cancel();
            });
            go.countDown();
            AtomicInteger fired = new AtomicInteger();
            String winner = Select.select(
                    Select.receive(values).map(v -> {
                        fired.incrementAndGet();
                        assertEquals(expected, v);
                        return "value";
                    }),
                    Select.receiveOk(c.context().done()).map(r -> {
                        fired.incrementAndGet();
                        assertFalse(r.ok());
                        return "cancel";
                    }));
            assertEquals(1, fired.get(), "exactly one case ran");
            if (winner.equals("value")) {
                valueWins++;
                c.context().done().receiveOk(); // the cancellation still arrives
            } else {
                cancelWins++;
                assertEquals(expected, values.receive(), "the value is still there for a later receive");
            }
            assertSame(Context.CANCELED, c.context().err());
        }
        assertEquals(iterations, valueWins + cancelWins);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cancelledChildrenAreUnlinkedFromTheParent() {
        Context.WithCancel parent = Context.withCancel(Context.background());
        CancelContext holder = (CancelContext) parent.context();
        Context valued = Context.withValue(parent.context(), USER, "x");
        for (int i = 0; i < 100_000; i++) {
            Context.WithCancel child = Context.withCancel(i % 2 == 0 ? parent.context() : valued);
            Context.withCancel(child.context()); // a grandchild, held by the child
            child.cancel();
        }
        assertEquals(0, holder.childCount(), "the parent holds no cancelled child");
        Context.WithCancel live = Context.withCancel(parent.context());
        assertEquals(1, holder.childCount());
        live.cancel();
        assertEquals(0, holder.childCount());
    }

    @Test
    void expiredDeadlineChildrenAreUnlinkedFromTheParent() {
        Context.WithCancel parent = Context.withCancel(Context.background());
        CancelContext holder = (CancelContext) parent.context();
        List<Context> children = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            children.add(Context.withTimeout(parent.context(), Duration.ofMillis(1 + i % 10)).context());
        }
        for (Context c : children) {
            c.done().receiveOk();
        }
        Await.until("expired children are unlinked", () -> holder.childCount() == 0);
        assertNull(parent.context().err());
    }

    @Test
    void tenThousandLiveContextsWithDeadlinesStartNoGoroutineOrThread() {
        long goroutinesBefore = Go.numGoroutine();
        int threadsBefore = Thread.activeCount();
        Context.WithCancel root = Context.withCancel(Context.background());
        List<Context.WithCancel> live = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Context parent = i % 2 == 0 ? root.context() : Context.withValue(root.context(), USER, "v");
            live.add(Context.withTimeout(parent, Duration.ofHours(1)));
        }
        assertTrue(Go.numGoroutine() - goroutinesBefore < 10,
                "goroutines grew by " + (Go.numGoroutine() - goroutinesBefore));
        assertTrue(Thread.activeCount() - threadsBefore < 10,
                "threads grew by " + (Thread.activeCount() - threadsBefore));
        root.cancel();
        for (Context.WithCancel c : live) {
            assertNotNull(c.context().err());
        }
    }
}
