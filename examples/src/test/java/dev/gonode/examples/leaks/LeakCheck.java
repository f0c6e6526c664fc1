package dev.gonode.examples.leaks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.leak.GoroutineLeaks;
import dev.gonode.runtime.leak.LeakOptions;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.List;

/** Leak assertions over the goroutines a test started, built on gonode's leak verifier. */
final class LeakCheck {

    private LeakCheck() {
    }

    /** The id of the newest goroutine so far: goroutines started later have larger ids. */
    static long lastGoroutineId() {
        return Go.schedStats().created();
    }

    /** Fails unless every goroutine started after {@code baseline} finishes within the verifier's grace period. */
    static void assertNoLeak(long baseline) {
        GoroutineLeaks.verifyNone(LeakOptions.defaults().startedAfter(baseline));
    }

    /**
     * Waits until exactly {@code count} goroutines started after {@code baseline} are left, each
     * parked with {@code reason} (or already collected by the garbage collector while parked there,
     * which proves that nothing could ever wake it), and fails if that does not happen.
     */
    static void assertLeaked(long baseline, int count, WaitReason reason) {
        LeakOptions startedByTheTest = LeakOptions.defaults().startedAfter(baseline).gracePeriod(Duration.ZERO);
        Await.until(count + " goroutines blocked in '" + reason + "'", () -> {
            List<Goroutine> left = GoroutineLeaks.find(startedByTheTest);
            return left.size() == count && left.stream().allMatch(g -> g.waitReason() == reason);
        });
        assertEquals(count, GoroutineLeaks.find(startedByTheTest).size());
    }
}
