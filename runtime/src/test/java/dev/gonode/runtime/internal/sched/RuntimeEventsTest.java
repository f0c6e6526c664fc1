package dev.gonode.runtime.internal.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.WaitReason;
import dev.gonode.testing.Await;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Several diagnostics listeners on one runtime: each sees its own events, and removal works. */
class RuntimeEventsTest {

    /** Records park tokens it handed out and the latencies it was sent. */
    private static final class Recorder implements RuntimeEvents {
        final String name;
        final boolean wantsParks;
        final int sampling;
        final Queue<String> parksEnded = new ConcurrentLinkedQueue<>();
        final LongAdder latencies = new LongAdder();

        Recorder(String name, boolean wantsParks, int sampling) {
            this.name = name;
            this.wantsParks = wantsParks;
            this.sampling = sampling;
        }

        @Override
        public Object parkBegin() {
            return wantsParks ? name : null;
        }

        @Override
        public void parkEnd(Object token, G g, WaitReason reason, Object blocker) {
            parksEnded.add(token + ":" + reason.goName());
        }

        @Override
        public int schedLatencySampling() {
            return sampling;
        }

        @Override
        public void schedLatency(long nanos) {
            latencies.increment();
        }
    }

    @Test
    void combinedListenersGetOnlyTheirOwnParkTokensAndTheSmallestSamplingRateApplies() {
        Recorder parks = new Recorder("parks", true, 0);
        Recorder quiet = new Recorder("quiet", false, 0);
        Recorder latency = new Recorder("latency", false, 4);
        RuntimeEvents all = RuntimeEvents.combine(List.of(parks, quiet, latency));
        assertEquals(4, all.schedLatencySampling());
        Object token = all.parkBegin();
        all.parkEnd(token, null, WaitReason.SELECT, null);
        assertEquals(List.of("parks:select"), List.copyOf(parks.parksEnded));
        assertTrue(quiet.parksEnded.isEmpty(), "a listener that returned no token is not told the park ended");
        all.schedLatency(1);
        assertEquals(1, latency.latencies.sum());
        assertEquals(0, parks.latencies.sum(), "only listeners that asked for latency get it");
        assertNull(RuntimeEvents.combine(List.of(quiet, latency)).parkBegin(), "no listener wants parks: no token");
        assertSame(RuntimeEvents.NONE, RuntimeEvents.combine(List.of()));
        assertSame(parks, RuntimeEvents.combine(List.of(parks)));
    }

    @Test
    void installedListenersSeeRealParksAndLatenciesUntilRemoved() throws Exception {
        GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2));
        try {
            Recorder a = new Recorder("a", true, 1);
            Recorder b = new Recorder("b", true, 0);
            rt.addEvents(a);
            rt.addEvents(b);
            AtomicBoolean release = new AtomicBoolean();
            Object blocker = new Object();
            G g = rt.go(null, () -> {
                while (!release.get()) {
                    Park.park(WaitReason.CHAN_RECEIVE, blocker);
                }
            }, this);
            Await.until("the goroutine parked", () -> g.waitReason() == WaitReason.CHAN_RECEIVE);
            release.set(true);
            Park.unpark(g.get());
            assertTrue(g.join(java.time.Duration.ofSeconds(10)));
            assertTrue(a.parksEnded.contains("a:chan receive") && b.parksEnded.contains("b:chan receive"));
            assertTrue(a.latencies.sum() >= 1, "sampling every submission: the start and the wake-up were timed");
            rt.removeEvents(a);
            rt.removeEvents(b);
            assertSame(RuntimeEvents.NONE, rt.events());
            long before = a.latencies.sum();
            assertTrue(rt.go(null, () -> { }, this).join(java.time.Duration.ofSeconds(10)));
            assertEquals(before, a.latencies.sum(), "no sampling once removed");
        } finally {
            rt.shutdown();
        }
    }

    @Test
    void samplingRateMustBeAPowerOfTwo() {
        GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(1));
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rt.addEvents(new Recorder("bad", false, 3)));
            assertTrue(e.getMessage().contains("got 3"), e.getMessage());
            assertSame(RuntimeEvents.NONE, rt.events(), "the rejected listener was not installed");
        } finally {
            rt.shutdown();
        }
    }
}
