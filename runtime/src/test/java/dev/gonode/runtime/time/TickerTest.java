package dev.gonode.runtime.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TickerTest {

    @Test
    void tickerTicksEveryPeriodAndNeverEarly() {
        long t0 = System.nanoTime(); // before: the ticker's grid starts inside newTicker
        Ticker t = Time.newTicker(Duration.ofMillis(10));
        Instant previous = Instant.MIN;
        for (int i = 1; i <= 5; i++) {
            Instant tick = t.channel().receive();
            long elapsed = System.nanoTime() - t0;
            assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(10L * i), "tick " + i + " after " + elapsed + " ns");
            assertFalse(tick.isBefore(previous), "ticks carry increasing times");
            previous = tick;
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        t.stop();
    }

    @Test
    void aSlowReceiverMissesTicksInsteadOfGettingABurst() {
        Ticker t = Time.newTicker(Duration.ofMillis(1));
        t.channel().receive();
        Time.sleep(Duration.ofMillis(40)); // a slow receiver: some 40 ticks come due meanwhile
        int queued = 0;
        while (t.channel().tryReceive() != null) {
            queued++;
        }
        t.stop();
        assertTrue(queued >= 1 && queued <= 2, queued + " ticks were waiting; a burst would be ~40");
    }

    @Test
    void aTickersChannelReportsLenAndCapZeroEvenWithATickWaiting() {
        Ticker t = Time.newTicker(Duration.ofMillis(1));
        assertEquals(0, t.channel().cap(), "Go 1.23: cap(t.C) == 0");
        Await.until("a tick is waiting", () -> t.core.sent() >= 1);
        assertEquals(0, t.channel().len(), "Go 1.23: len(t.C) == 0");
        assertNotNull(t.channel().tryReceive(), "the tick is there all the same");
        t.stop();
        assertEquals(0, Time.tick(Duration.ofHours(1)).cap());
    }

    @Test
    void stopEndsTheTicksAndLeavesNoStaleTick() {
        Ticker t = Time.newTicker(Duration.ofMillis(1));
        t.channel().receive();
        Await.until("a tick is waiting", () -> t.core.sent() >= 2);
        t.stop();
        assertNull(t.channel().tryReceive(), "Go 1.23: no stale tick after stop");
        String first = Select.select(
                Select.receive(t.channel()).map(v -> "tick"),
                Select.receive(Time.after(Duration.ofMillis(50))).map(v -> "after"));
        assertEquals("after", first, "a stopped ticker does not tick");
    }

    @Test
    void resetChangesThePeriodAndRestartsTheTicker() {
        Ticker t = Time.newTicker(Duration.ofHours(1));
        long t0 = System.nanoTime();
        t.reset(Duration.ofMillis(15));
        t.channel().receive();
        t.channel().receive();
        long elapsed = System.nanoTime() - t0;
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(30), "two ticks after " + elapsed + " ns");
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(5));
        t.stop();
        t.reset(Duration.ofMillis(1));
        assertNotNull(t.channel().receive(), "a stopped ticker restarts on reset");
        t.stop();
    }

    @Test
    void nonPositiveIntervalsFailAsGoPanics() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Time.newTicker(Duration.ZERO));
        assertEquals("non-positive interval for NewTicker", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Time.newTicker(Duration.ofMillis(-1)));
        Ticker t = Time.newTicker(Duration.ofHours(1));
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> t.reset(Duration.ZERO));
        assertEquals("non-positive interval for Ticker.Reset", r.getMessage());
        t.stop();
    }

    @Test
    void tickDeliversRepeatedlyAndIsNilForANonPositivePeriod() {
        assertSame(Channel.nil(), Time.tick(Duration.ZERO));
        assertSame(Channel.nil(), Time.tick(Duration.ofSeconds(-1)));
        long t0 = System.nanoTime(); // before: the ticker's grid starts inside tick
        ReceiveChannel<Instant> c = Time.tick(Duration.ofMillis(5));
        c.receive();
        c.receive();
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(10));
    }

    @Test
    void aThousandTickersNeedNoThreadEach() {
        int threadsBefore = Thread.activeCount();
        List<Ticker> tickers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tickers.add(Time.newTicker(Duration.ofMillis(1 + i % 5)));
        }
        for (Ticker t : tickers) {
            t.channel().receive();
            t.channel().receive();
        }
        assertTrue(Thread.activeCount() - threadsBefore < 10, "no thread per ticker");
        for (Ticker t : tickers) {
            t.stop();
            assertNull(t.channel().tryReceive());
        }
    }
}
