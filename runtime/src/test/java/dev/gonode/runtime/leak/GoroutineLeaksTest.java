package dev.gonode.runtime.leak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.testing.Await;
import dev.gonode.runtime.time.Time;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The test-time verifier: survivors fail the check, listed in debug=2 format; ignore rules forgive. */
class GoroutineLeaksTest {

    private static final Pattern HEADER = Pattern.compile("(?m)^goroutine (\\d+) \\[([^\\]]+)\\]:$");

    private final GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2)
            .withWaitSites(RuntimeConfig.WaitSites.SITE));

    @AfterEach
    void shutdown() {
        rt.shutdown();
    }

    private LeakOptions options(long baseline) {
        return LeakOptions.defaults().runtime(rt).startedAfter(baseline).gracePeriod(Duration.ofMillis(100));
    }

    private void awaitParked(long baseline, LeakExamples example) {
        Await.until(example.goroutines + " goroutines of " + example + " parked in " + example.reason,
                () -> rt.registry().goroutines().filter(g -> g.id() > baseline && g.waitReason() == example.reason)
                        .count() == example.goroutines);
    }

    @ParameterizedTest
    @EnumSource(LeakExamples.class)
    void eachSeedLeakFailsTheCheckListingItsGoroutinesInDebug2Format(LeakExamples example) {
        long baseline = rt.stats().created();
        Object keep = example.start(rt);
        awaitParked(baseline, example);
        GoroutineLeakError e = assertThrows(GoroutineLeakError.class, () -> GoroutineLeaks.verifyNone(options(baseline)));
        String report = e.getMessage();
        assertTrue(report.startsWith("found " + example.goroutines + " leaked goroutine"), report);
        Matcher m = HEADER.matcher(report);
        int headers = 0;
        while (m.find()) {
            headers++;
            assertEquals(example.reason.goName(), m.group(2), report);
            assertTrue(Long.parseLong(m.group(1)) > baseline, report);
        }
        assertEquals(example.goroutines, headers, report);
        assertTrue(report.contains(example.waitFunction() + "(...)\n\tLeakExamples.java:"), "the stack shows the wait: " + report);
        assertTrue(report.contains("\ncreated by "), report);
        assertEquals(example.goroutines, e.leaks().size());
        assertTrue(keep != null);
    }

    @Test
    void goroutinesThatFinishWithinTheGracePeriodAreNotLeaks() {
        long baseline = rt.stats().created();
        Channel<String> done = Channel.make();
        rt.go(null, () -> {
            Time.sleep(Duration.ofMillis(200));
            done.close();
        }, this);
        GoroutineLeaks.verifyNone(options(baseline).gracePeriod(Duration.ofSeconds(20)));
        assertEquals(null, done.receive(), "verifyNone returned only after the goroutine finished");
    }

    @Test
    void goroutinesStartedBeforeTheBaselineOrAliveAtIgnoreCurrentAreNotChecked() {
        long before = rt.stats().created();
        Object keep = LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.start(rt);
        awaitParked(before, LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO);
        GoroutineLeaks.verifyNone(options(rt.stats().created()));
        GoroutineLeaks.verifyNone(options(0).ignoreCurrent());
        assertThrows(GoroutineLeakError.class, () -> GoroutineLeaks.verifyNone(options(before)));
        assertTrue(keep != null);
    }

    @Test
    void ignoreTopFunctionForgivesGoroutinesBlockedInThatFunctionOnly() {
        long baseline = rt.stats().created();
        Object keep1 = LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.start(rt);
        awaitParked(baseline, LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO);
        GoroutineLeaks.verifyNone(options(baseline).ignoreTopFunction(LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.waitFunction()));
        long second = rt.stats().created();
        Object keep2 = LeakExamples.SELECT_LOOP_WITHOUT_EXIT.start(rt);
        awaitParked(second, LeakExamples.SELECT_LOOP_WITHOUT_EXIT);
        GoroutineLeakError e = assertThrows(GoroutineLeakError.class, () -> GoroutineLeaks.verifyNone(
                options(baseline).ignoreTopFunction(LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.waitFunction())));
        assertEquals(1, e.leaks().size(), e.getMessage());
        assertTrue(e.getMessage().contains(LeakExamples.SELECT_LOOP_WITHOUT_EXIT.waitFunction() + "(...)"), e.getMessage());
        GoroutineLeaks.verifyNone(options(baseline)
                .ignoreTopFunction(LeakExamples.BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO.waitFunction())
                .ignoreAnyFunction(LeakExamples.SELECT_LOOP_WITHOUT_EXIT.waitFunction()));
        assertTrue(keep1 != null && keep2 != null);
    }

    @Test
    void ignoreNameForgivesNamedGoroutines() {
        long baseline = rt.stats().created();
        Channel<String> never = Channel.make();
        rt.go("metrics-flusher", never::receive, this);
        rt.go("worker-7", never::receive, this);
        Await.until("both parked", () -> rt.registry().goroutines().filter(g -> g.id() > baseline)
                .allMatch(g -> g.waitReason() != null) && rt.registry().count() >= 2);
        GoroutineLeaks.verifyNone(options(baseline).ignoreName("metrics-flusher").ignoreNameMatching("worker-\\d+"));
        GoroutineLeakError e = assertThrows(GoroutineLeakError.class,
                () -> GoroutineLeaks.verifyNone(options(baseline).ignoreName("metrics-flusher")));
        assertEquals("worker-7", e.leaks().get(0).name());
        never.close();
    }

    @ParameterizedTest
    @EnumSource(LeakExamples.class)
    void goroutineCollectedWhileParkedDuringTheTestIsReportedWithItsCreationAndWaitSite(LeakExamples example) {
        long baseline = rt.stats().created();
        long leakedBefore = rt.registry().leakedTotal();
        startAndForget(example);
        awaitParked(baseline, example);
        Await.until(Duration.ofSeconds(60), "the garbage collector collected the leaked goroutines", () -> {
            System.gc();
            return rt.registry().leakedTotal() - leakedBefore >= example.goroutines;
        });
        GoroutineLeakError e = assertThrows(GoroutineLeakError.class,
                () -> GoroutineLeaks.verifyNone(options(baseline).gracePeriod(Duration.ZERO)));
        String report = e.getMessage();
        assertTrue(report.contains("collected by the garbage collector while parked"), report);
        assertTrue(report.contains("[" + example.reason.goName() + "]:"), report);
        assertTrue(report.contains(example.waitFunction() + "(...)"), "the wait site recorded at park: " + report);
        assertTrue(report.contains("created by " + LeakExamples.class.getName()), report);
        assertTrue(e.leaks().stream().noneMatch(Goroutine::isAlive));
    }

    private void startAndForget(LeakExamples example) {
        example.start(rt);
    }

    @Test
    void badIgnoreRulesAreRejectedNamingTheInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeakOptions.defaults().ignoreTopFunction("Poller.poll(Poller.java:12)"));
        assertTrue(e.getMessage().contains("\"Poller.poll(Poller.java:12)\"") && e.getMessage().contains("pkg.Class.method"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LeakOptions.defaults().gracePeriod(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> LeakOptions.defaults().startedAfter(-1));
    }

    @Test
    void verifyNoneCalledFromAGoroutineDoesNotReportItself() throws Exception {
        long baseline = rt.stats().created();
        G checker = rt.go(null, () -> GoroutineLeaks.verifyNone(options(baseline)), this);
        assertTrue(checker.join(Duration.ofSeconds(20)));
        assertEquals(0, rt.registry().leakedTotal());
    }
}
