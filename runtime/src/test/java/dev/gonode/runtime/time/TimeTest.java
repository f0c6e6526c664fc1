package dev.gonode.runtime.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimeTest {

    @Test
    void sleepLastsAtLeastItsDurationAndShowsAsSleep() throws Exception {
        AtomicLong slept = new AtomicLong();
        CountDownLatch started = new CountDownLatch(1);
        Goroutine g = Go.go(() -> {
            started.countDown();
            long t0 = System.nanoTime();
            Time.sleep(Duration.ofMillis(300));
            slept.set(System.nanoTime() - t0);
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Await.until("the goroutine is asleep", () -> g.waitReason() == WaitReason.SLEEP && g.state() == GoroutineState.WAITING);
        assertTrue(g.join(Duration.ofSeconds(10)));
        assertTrue(slept.get() >= TimeUnit.MILLISECONDS.toNanos(300), "slept " + slept.get() + " ns");
    }

    @Test
    void thousandsOfSleepersAllWakeWithoutAThreadEach() throws Exception {
        int n = 10_000;
        CountDownLatch woke = new CountDownLatch(n);
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < n; i++) {
            int ms = 1 + i % 20;
            Go.go(() -> {
                Time.sleep(Duration.ofMillis(ms));
                woke.countDown();
            });
        }
        assertTrue(woke.await(20, TimeUnit.SECONDS), "every sleeper woke");
        assertTrue(Thread.activeCount() - threadsBefore < 50, "no platform thread per sleeper");
    }

    @Test
    void zeroOrNegativeSleepReturnsAtOnceAndInterruptsDoNotCutASleepShort() throws Exception {
        Time.sleep(Duration.ZERO);
        Time.sleep(Duration.ofSeconds(-1));
        Thread.currentThread().interrupt();
        long t0 = System.nanoTime();
        Time.sleep(Duration.ofMillis(50));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(Thread.interrupted(), "the interrupt status is kept");
        assertEquals(false, Thread.currentThread().isInterrupted());
    }
}
