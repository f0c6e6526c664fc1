package dev.gonode.runtime.leak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The run-time detector finds each of the seed's leaks: as long waits, as proven leaks, and as growth. */
class LeakDetectorTest {

    private GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2));
    private final List<Object> keepAlive = new ArrayList<>();

    @AfterEach
    void shutdown() {
        rt.shutdown();
    }

    private static LeakDetectorOptions fast() {
        return LeakDetectorOptions.defaults().withWaitThreshold(Duration.ofMillis(50)).withInterval(Duration.ofMillis(20));
    }

    private void awaitParked(long baseline, LeakExamples example, int times) {
        Await.until(example + " parked", () -> rt.registry().goroutines()
                .filter(g -> g.id() > baseline && g.waitReason() == example.reason).count() == (long) example.goroutines * times);
    }

    @ParameterizedTest
    @EnumSource(LeakExamples.class)
    void eachSeedLeakIsReportedAsALongWaitGroupedByCreationSiteAndWaitSite(LeakExamples example) {
        LeakDetector detector = LeakDetector.create(rt, fast());
        long baseline = rt.stats().created();
        for (int i = 0; i < 3; i++) {
            keepAlive.add(example.start(rt));
        }
        awaitParked(baseline, example, 3);
        AtomicReference<LeakReport> report = new AtomicReference<>();
        Await.until("the detector reports the long waits", () -> {
            report.set(detector.check());
            return report.get().longWaitingGoroutines() == 3L * example.goroutines;
        });
        LeakReport.LongWait group = report.get().longWaits().get(0);
        assertEquals(3L * example.goroutines, group.count(), "one group (same creation and wait site): " + report.get().format());
        assertEquals(example.reason, group.reason());
        assertEquals(example.waitMethod, group.waitSite().getMethodName(), "wait site from the stack: " + report.get().format());
        assertTrue(group.creationSite().getClassName().startsWith(LeakExamples.class.getName()), String.valueOf(group.creationSite()));
        assertTrue(group.longest().compareTo(Duration.ofMillis(50)) > 0, "longer than the threshold: " + group.longest());
        assertEquals(Math.min(10, group.count()), group.goroutineIds().size());
        assertFalse(report.get().hasLeaks(), "a long wait alone is information, not a proven leak: " + report.get().format());
        assertTrue(report.get().format().contains("long wait: " + group.count() + " goroutines [" + example.reason.goName()),
                report.get().format());
    }

    @ParameterizedTest
    @EnumSource(LeakExamples.class)
    void eachSeedLeakIsProvenByTheGarbageCollectorWithTheWaitSiteRecordedAtPark(LeakExamples example) {
        rt.shutdown();
        rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2).withWaitSites(RuntimeConfig.WaitSites.SITE));
        LeakDetector detector = LeakDetector.create(rt, fast());
        long baseline = rt.stats().created();
        example.start(rt); // nothing keeps the leaked goroutines reachable
        awaitParked(baseline, example, 1);
        List<LeakReport.ProvenLeak> proven = new ArrayList<>();
        Await.until(Duration.ofSeconds(60), "the detector reports the collected goroutines", () -> {
            System.gc();
            proven.addAll(detector.check().provenLeaks());
            return proven.size() >= example.goroutines;
        });
        assertEquals(example.goroutines, proven.size());
        for (LeakReport.ProvenLeak p : proven) {
            assertTrue(p.id() > baseline);
            assertEquals(example.reason, p.reason());
            assertEquals(1, p.waitSite().size(), "site mode records one frame");
            assertEquals(example.waitMethod, p.waitSite().get(0).getMethodName());
            assertTrue(p.creationSite().getClassName().startsWith(LeakExamples.class.getName()), String.valueOf(p.creationSite()));
        }
        LeakReport after = detector.check();
        assertTrue(after.provenLeaks().isEmpty(), "each proven leak is reported once");
        assertEquals(example.goroutines, after.provenLeaksTotal(), after.format());
        assertTrue(after.hasLeaks(), "a proven leak keeps the report failing: " + after.format());
    }

    @Test
    void anIdlePoolOfThousandsParkedPastTheThresholdIsNoLeakAndNewsOnlyOnce() {
        LeakDetector detector = LeakDetector.create(rt, fast().withGrowth(3, 100));
        Queue<LeakReport> told = new ConcurrentLinkedQueue<>();
        detector.addListener(told::add);
        Channel<Runnable> mailbox = Channel.make();
        Object poolSite = new Object();
        int workers = 4096;
        long baseline = rt.stats().created();
        for (int i = 0; i < workers; i++) {
            rt.go("idle-worker", () -> mailbox.receive(), poolSite);
        }
        Await.until("the pool parked", () -> rt.registry().goroutines()
                .filter(g -> g.id() > baseline && g.waitReason() == dev.gonode.runtime.WaitReason.CHAN_RECEIVE).count() == workers);
        AtomicReference<LeakReport> first = new AtomicReference<>();
        Await.until("the whole pool is past the threshold", () -> {
            first.set(detector.check());
            return first.get().longWaitingGoroutines() == workers;
        });
        assertFalse(first.get().hasLeaks(), "an idle pool is no leak: " + first.get().format());
        assertTrue(first.get().growth().isEmpty(), first.get().format());
        int toldBefore = told.size();
        for (int check = 0; check < 5; check++) {
            LeakReport steady = detector.check();
            assertFalse(steady.hasLeaks(), steady.format());
            assertFalse(steady.hasNews(), "a steady pool is not news: " + steady.format());
            assertEquals(1, steady.longWaits().size(), steady.format());
            LeakReport.LongWait pool = steady.longWaits().get(0);
            assertEquals(workers, pool.count());
            assertEquals(workers, pool.baseline(), "the pool's baseline is its size");
            assertTrue(steady.format().contains("(steady: baseline " + workers + ")"), steady.format());
        }
        assertEquals(toldBefore, told.size(), "the listeners (and the log) heard of the pool once, not at every check");
        mailbox.close();
    }

    @Test
    void creationSiteWhoseLiveCountKeepsRisingIsReportedAsGrowthAndASteadyOneIsNot() {
        LeakDetector detector = LeakDetector.create(rt, fast().withWaitThreshold(Duration.ofHours(1)).withGrowth(3, 3));
        Channel<String> never = Channel.make();
        for (int i = 0; i < 5; i++) {
            rt.go("steady", never::receive, (Runnable) never::receive);
        }
        long baseline = rt.stats().created();
        LeakReport report = null;
        for (int round = 1; round <= 4; round++) {
            keepAlive.add(LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.start(rt));
            awaitParked(baseline, LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO, round);
            report = detector.check();
            if (round < 4) {
                assertTrue(report.growth().isEmpty(), "growth needs 3 rises and 3 goroutines: " + report.format());
            }
        }
        assertEquals(1, report.growth().size(), report.format());
        assertTrue(report.hasLeaks(), "sustained growth is a leak: " + report.format());
        LeakReport.Growth growth = report.growth().get(0);
        assertEquals(List.of(1L, 2L, 3L, 4L), growth.counts());
        assertTrue(growth.creationSite().getClassName().startsWith(LeakExamples.class.getName()), String.valueOf(growth.creationSite()));
        assertTrue(report.format().contains("growing: 4 live goroutines"), report.format());
        never.close();
    }

    @Test
    void periodicChecksRunOnARuntimeGoroutineTellTheListenersAndStopOnClose() {
        LeakDetector detector = LeakDetector.create(rt, fast());
        Queue<LeakReport> reports = new ConcurrentLinkedQueue<>();
        detector.addListener(reports::add);
        assertNull(detector.lastReport());
        detector.start();
        assertThrows(IllegalStateException.class, detector::start);
        G checker = rt.registry().goroutines().filter(g -> "gonode-leak-detector".equals(g.name())).findFirst().orElseThrow();
        keepAlive.add(LeakExamples.MUTUAL_CHANNEL_DEADLOCK.start(rt));
        Await.until("a periodic check reported the deadlock", () -> reports.stream().anyMatch(r -> r.longWaitingGoroutines() == 2));
        assertNotNull(detector.lastReport());
        assertTrue(reports.stream().allMatch(r -> r.longWaits().stream().noneMatch(w -> w.goroutineIds().contains(checker.id()))),
                "the detector never reports its own goroutine");
        detector.close();
        Await.until("the detector's goroutine finished", () -> !checker.isAlive());
    }

    @Test
    void findingsAreRecordedAsJfrLeakFoundEvents() {
        LeakDetector detector = LeakDetector.create(rt, fast());
        Queue<RecordedEvent> events = new ConcurrentLinkedQueue<>();
        try (RecordingStream stream = new RecordingStream()) {
            stream.enable("gonode.LeakFound");
            stream.onEvent(events::add);
            stream.startAsync();
            long baseline = rt.stats().created();
            keepAlive.add(LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.start(rt));
            awaitParked(baseline, LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO, 1);
            Await.until(Duration.ofSeconds(30), "a LeakFound event", () -> {
                detector.check();
                return !events.isEmpty();
            });
        }
        RecordedEvent e = events.peek();
        assertEquals("long-wait", e.getString("kind"));
        assertEquals(1, e.getLong("goroutines"));
        assertEquals("chan receive", e.getString("waitReason"));
        assertTrue(e.getString("waitSite").startsWith(LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.waitFunction() + " (LeakExamples.java:"),
                e.getString("waitSite"));
        assertTrue(e.getString("creationSite").startsWith(LeakExamples.class.getName()), e.getString("creationSite"));
    }

    @Test
    void badOptionsAreRejectedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeakDetectorOptions.defaults().withInterval(Duration.ZERO));
        assertTrue(e.getMessage().contains("interval") && e.getMessage().contains("PT0S"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LeakDetectorOptions.defaults().withGrowth(0, 1))
                .getMessage().contains("growthChecks"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LeakDetectorOptions.defaults().withWaitThreshold(Duration.ofSeconds(-1))).getMessage().contains("threshold"));
    }
}
