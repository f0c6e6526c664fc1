package dev.gonode.runtime.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.testing.Await;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Go 1.23: a timer or ticker that nothing refers to any more can be garbage collected even if it
 * was never stopped, while one that a goroutine waits on keeps firing.
 *
 * <p>Collection is observed through reference queues after explicit collections, in a bounded
 * loop (never a sleep): {@link #collect} returns as soon as the collector has enqueued the
 * reference, and fails after {@value #GC_ROUNDS} full collections.
 */
class TimerCollectionTest {

    private static final int GC_ROUNDS = 50;

    /**
     * Runs full collections until {@code ref} is enqueued on {@code queue}; returns whether it was
     * within {@value #GC_ROUNDS} rounds.
     */
    private static boolean collect(Reference<?> ref, ReferenceQueue<?> queue) throws InterruptedException {
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
            for (Reference<?> r; (r = queue.remove(100)) != null; ) {
                if (r == ref) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Runs full collections until a fresh object is provably collected: a full GC has happened. */
    private static void fullGc() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> canary = new WeakReference<>(new Object(), queue);
        assertTrue(collect(canary, queue), "no collection happened after " + GC_ROUNDS + " System.gc() calls");
    }

    /**
     * A running ticker that has ticked once; the caller keeps only a weak reference to its state
     * (the {@link Ticker} object is a mere handle: the scheduler holds the state, if anything).
     */
    private static WeakReference<TimerCore> runningTicker(ReferenceQueue<Object> queue) {
        Ticker t = Time.newTicker(Duration.ofMillis(1));
        assertNotNull(t.channel().receive(), "it ticks");
        return new WeakReference<>(t.core, queue);
    }

    @Test
    void aRunningTickerThatNothingRefersToIsCollectedWithoutBeingStopped() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<TimerCore> ticker = runningTicker(queue);
        assertTrue(collect(ticker, queue), "an unreferenced, running ticker was not collected: the scheduler holds it");
    }

    @Test
    void theChannelOfTickIsCollectedOnceNothingRefersToIt() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<ReceiveChannel<Instant>> tick = new WeakReference<>(Time.tick(Duration.ofMillis(1)), queue);
        assertTrue(collect(tick, queue), "time.Tick's ticker was not collected");
    }

    @Test
    void aPendingTimerThatNothingRefersToIsCollectedBeforeItFires() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<ReceiveChannel<Instant>> after = new WeakReference<>(Time.after(Duration.ofHours(1)), queue);
        assertTrue(collect(after, queue), "time.After(1h) stays for an hour: Go 1.22's leak in select loops");
        WeakReference<TimerCore> timer = new WeakReference<>(Time.newTimer(Duration.ofHours(1)).core, queue);
        assertTrue(collect(timer, queue));
    }

    @Test
    void anAfterFuncTimerIsKeptUntilItRuns() throws InterruptedException {
        ConcurrentLinkedQueue<String> ran = new ConcurrentLinkedQueue<>();
        Time.afterFunc(Duration.ofMillis(300), () -> ran.add("ran")); // the Timer is dropped at once
        fullGc();
        Await.until("the after-func ran", () -> !ran.isEmpty());
    }

    /**
     * A goroutine parked on a timer channel that only it refers to: the timer must keep it (and
     * itself) alive until it fires. Parked goroutines are collectable in gonode (that is how leaks
     * are proven), so without that the goroutine would be collected as a leak and never wake.
     */
    private static void assertWokenAfterCollection(String name, Runnable waitOnATimerNobodyElseHas)
            throws InterruptedException {
        ConcurrentLinkedQueue<String> woke = new ConcurrentLinkedQueue<>();
        Goroutine g = Go.go(() -> {
            waitOnATimerNobodyElseHas.run();
            woke.add(name);
        });
        Await.until(g + " is parked", () -> g.state() == GoroutineState.WAITING
                && (g.waitReason() == WaitReason.CHAN_RECEIVE || g.waitReason() == WaitReason.SELECT));
        long leakedBefore = GoRuntime.get().registry().leakedTotal();
        fullGc();
        fullGc();
        Await.until(name + " woke up", () -> !woke.isEmpty());
        assertEquals(leakedBefore, GoRuntime.get().registry().leakedTotal(), "a goroutine waiting on a timer is no leak");
    }

    @Test
    void aGoroutineWaitingOnTickKeepsItTicking() throws InterruptedException {
        assertWokenAfterCollection("tick", () -> {
            ReceiveChannel<Instant> c = Time.tick(Duration.ofMillis(400));
            c.receive();
            c.receive();
        });
    }

    @Test
    void aGoroutineWaitingOnAfterInASelectIsWokenByIt() throws InterruptedException {
        assertWokenAfterCollection("select", () -> {
            String first = Select.select(
                    Select.receive(Channel.<String>make()).map(v -> "never"),
                    Select.receive(Time.after(Duration.ofMillis(400))).map(v -> "after"));
            assertEquals("after", first);
        });
    }

    @Test
    void aStoppedTickerWithAGoroutineWaitingOnItIsAProvableLeak() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<TimerCore> ticker = stoppedTickerWithAWaiter(queue);
        assertTrue(collect(ticker, queue), "a stopped ticker must not be kept by the scheduler");
        Await.until("the blocked goroutine is reported as leaked",
                () -> GoRuntime.get().registry().leaked().stream().anyMatch(l -> l.id() == waiterId));
    }

    private long waiterId;

    /** A stopped ticker with a goroutine parked on its channel; the caller keeps a weak reference. */
    private WeakReference<TimerCore> stoppedTickerWithAWaiter(ReferenceQueue<Object> queue) {
        Ticker t = Time.newTicker(Duration.ofHours(1));
        t.stop();
        ReceiveChannel<Instant> c = t.channel();
        Goroutine g = Go.go(() -> c.receive());
        Await.until(g + " is parked", () -> g.waitReason() == WaitReason.CHAN_RECEIVE);
        waiterId = g.id();
        return new WeakReference<>(t.core, queue);
    }
}
