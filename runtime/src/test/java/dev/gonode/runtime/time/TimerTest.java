package dev.gonode.runtime.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimerTest {

    private static final long GENEROUS = TimeUnit.SECONDS.toNanos(5);

    /** Which of {@code ch} and a fresh {@code after(d)} delivers first: "channel" or "after". */
    private static String firstOf(ReceiveChannel<Instant> ch, Duration d) {
        return Select.select(
                Select.receive(ch).map(v -> "channel"),
                Select.receive(Time.after(d)).map(v -> "after"));
    }

    @Test
    void newTimerDeliversTheTimeOnceAndNotBeforeItsDeadline() {
        Instant before = Instant.now();
        long t0 = System.nanoTime();
        Timer t = Time.newTimer(Duration.ofMillis(30));
        Instant fired = t.channel().receive();
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(30), "fired after " + waited + " ns");
        assertTrue(waited < GENEROUS, "fired after " + waited + " ns");
        assertFalse(fired.isBefore(before), "the value is the time of firing");
        assertNull(t.channel().tryReceive(), "a timer fires once");
        assertFalse(t.stop(), "stopping a fired, received timer reports false");
    }

    @Test
    void afterIsUsableInSelectAndNonPositiveFiresAtOnce() {
        Channel<String> never = Channel.make();
        long t0 = System.nanoTime();
        String which = Select.select(
                Select.receive(never).map(v -> "never"),
                Select.receive(Time.after(Duration.ofMillis(20))).map(v -> "after"));
        assertEquals("after", which);
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(20));
        assertNotNull(Time.after(Duration.ZERO).receive());
        assertNotNull(Time.after(Duration.ofSeconds(-5)).receive());
    }

    @Test
    void aTimersChannelReportsLenAndCapZeroEvenWithAValueWaiting() {
        Timer t = Time.newTimer(Duration.ofMillis(1));
        assertEquals(0, t.channel().cap(), "Go 1.23: cap(t.C) == 0");
        Await.until("the timer fired into its channel", () -> t.core.sent() == 1);
        assertEquals(0, t.channel().len(), "Go 1.23: len(t.C) == 0, even when a receive would not block");
        assertNotNull(t.channel().tryReceive(), "the value is there all the same");
        assertEquals(0, Time.after(Duration.ZERO).cap());
    }

    @Test
    void stopBeforeFiringReportsTrueAndNothingIsEverDelivered() {
        Timer t = Time.newTimer(Duration.ofMillis(20));
        assertTrue(t.stop());
        assertFalse(t.stop(), "a second stop finds nothing to stop");
        assertEquals("after", firstOf(t.channel(), Duration.ofMillis(100)), "a stopped timer never fires");
    }

    @Test
    void stopAfterFiringUnreceivedDrainsTheValueAndReportsTrue() {
        Timer t = Time.newTimer(Duration.ofMillis(1));
        Await.until("the timer fired into its channel", () -> t.core.sent() == 1);
        assertTrue(t.stop(), "Go 1.23: not yet received counts as not yet fired");
        assertNull(t.channel().tryReceive(), "no stale value after stop");
    }

    @Test
    void resetAfterFiringUnreceivedDeliversOnlyTheNewFiring() {
        Timer t = Time.newTimer(Duration.ofMillis(1));
        Await.until("the timer fired into its channel", () -> t.core.sent() == 1);
        long t0 = System.nanoTime();
        Instant resetAt = Instant.now();
        assertTrue(t.reset(Duration.ofMillis(40)));
        Instant fired = t.channel().receive();
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(40), "the stale value was received after " + waited + " ns");
        assertFalse(fired.isBefore(resetAt));
    }

    @Test
    void resetOfAStoppedTimerMakesItFireAgain() {
        Timer t = Time.newTimer(Duration.ofHours(1));
        assertTrue(t.stop());
        assertFalse(t.reset(Duration.ofMillis(5)), "it was not pending");
        assertNotNull(t.channel().receive());
        assertFalse(t.reset(Duration.ofMillis(5)), "fired and received: not pending");
        assertTrue(t.reset(Duration.ofMillis(5)), "pending again after the reset");
        assertNotNull(t.channel().receive());
    }

    @Test
    void anEnormousDurationDoesNotWrapRoundIntoThePast() {
        Timer t = Time.newTimer(Duration.ofSeconds(Long.MAX_VALUE));
        Ticker k = Time.newTicker(Duration.ofNanos(Long.MAX_VALUE));
        assertEquals("after", firstOf(t.channel(), Duration.ofMillis(20)));
        assertEquals("after", firstOf(k.channel(), Duration.ofMillis(1)));
        assertTrue(t.stop());
        k.stop();
    }

    @Test
    void stopRacingWithFiringNeverLeavesAStaleValue() {
        int n = 5_000;
        List<Timer> timers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Timer t = Time.newTimer(Duration.ofNanos(i % 3 == 0 ? 0 : (i % 50) * 1_000L));
            if (i % 7 == 0) {
                Go.yield();
            }
            if (i % 2 == 0) {
                t.stop();
            } else {
                t.reset(Duration.ofHours(1));
            }
            assertNull(t.channel().tryReceive(), "no value right after stop/reset (timer " + i + ")");
            timers.add(t);
        }
        // any firing that lost the race to stop/reset has had time to (wrongly) deliver by now
        Time.after(Duration.ofMillis(50)).receive();
        for (int i = 0; i < n; i++) {
            assertNull(timers.get(i).channel().tryReceive(), "timer " + i + " delivered after stop/reset");
            timers.get(i).stop();
        }
    }

    @Test
    void afterFuncRunsInItsOwnGoroutineNotBeforeTheDelay() {
        Channel<Boolean> ran = Channel.make(1);
        long t0 = System.nanoTime();
        Timer t = Time.afterFunc(Duration.ofMillis(30), () -> ran.send(Go.current() != null));
        assertSame(Channel.nil(), t.channel());
        assertTrue(ran.receive(), "ran in a goroutine");
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(30), "ran after " + waited + " ns");
        assertTrue(waited < GENEROUS);
        assertFalse(t.stop(), "already started");
    }

    @Test
    void afterFuncStoppedInTimeNeverRuns() {
        AtomicInteger runs = new AtomicInteger();
        Timer t = Time.afterFunc(Duration.ofMillis(20), runs::incrementAndGet);
        assertTrue(t.stop());
        Channel<Object> later = Channel.make(1);
        Time.afterFunc(Duration.ofMillis(80), () -> later.send("x"));
        later.receive();
        assertEquals(0, runs.get());
    }

    @Test
    void afterFuncResetRunsTheFunctionAgain() {
        Channel<Integer> ran = Channel.make(2);
        AtomicInteger runs = new AtomicInteger();
        Timer t = Time.afterFunc(Duration.ofMillis(1), () -> ran.send(runs.incrementAndGet()));
        assertEquals(1, ran.receive());
        assertFalse(t.reset(Duration.ofMillis(1)), "it had run: not pending");
        assertEquals(2, ran.receive());
    }

    @Test
    void hundredThousandPendingTimersAreCreatedAndStoppedWithoutAThreadEach() {
        int n = 100_000;
        int threadsBefore = Thread.activeCount();
        long goroutinesBefore = Go.numGoroutine();
        List<Timer> timers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            timers.add(i % 2 == 0 ? Time.newTimer(Duration.ofMinutes(10 + i % 100))
                    : Time.afterFunc(Duration.ofMinutes(10 + i % 100), () -> { }));
        }
        assertTrue(Thread.activeCount() - threadsBefore < 10, "no thread per timer");
        assertTrue(Go.numGoroutine() - goroutinesBefore < 10, "no goroutine per timer");
        int stopped = 0;
        for (Timer t : timers) {
            if (t.stop()) {
                stopped++;
            }
        }
        assertEquals(n, stopped, "every pending timer was stopped by its first stop");
        for (Timer t : timers) {
            assertFalse(t.stop());
        }
    }
}
