package dev.gonode.runtime.internal.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.WaitReason;
import dev.gonode.testing.Await;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** gonode.wait-sites: what a goroutine remembers of where it parked, in each mode. */
class WaitSiteTest {

    private static G parkInNamedMethod(GoRuntime rt, AtomicBoolean release, Object blocker) {
        G g = rt.go(null, () -> parkHere(release, blocker), (Runnable) () -> { });
        Await.until("the goroutine parked", () -> g.waitReason() == WaitReason.CHAN_RECEIVE);
        return g;
    }

    private static void parkHere(AtomicBoolean release, Object blocker) {
        while (!release.get()) {
            Park.park(WaitReason.CHAN_RECEIVE, blocker);
        }
    }

    private static StackTraceElement[] waitSiteIn(RuntimeConfig.WaitSites mode) throws Exception {
        GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(1).withWaitSites(mode));
        try {
            AtomicBoolean release = new AtomicBoolean();
            Object blocker = new Object();
            G g = parkInNamedMethod(rt, release, blocker);
            StackTraceElement[] site = g.waitSite();
            assertSame(site, g.waitSite(), "resolved once, then kept");
            release.set(true);
            Park.unpark(g.get());
            assertTrue(g.join(java.time.Duration.ofSeconds(10)));
            return site;
        } finally {
            rt.shutdown();
        }
    }

    @Test
    void offRecordsNothing() throws Exception {
        assertNull(waitSiteIn(RuntimeConfig.WaitSites.OFF));
    }

    @Test
    void siteRecordsTheUserFrameThatParked() throws Exception {
        StackTraceElement[] site = waitSiteIn(RuntimeConfig.WaitSites.SITE);
        assertEquals(1, site.length, Arrays.toString(site));
        assertEquals(getClass().getName(), site[0].getClassName());
        assertEquals("parkHere", site[0].getMethodName());
    }

    @Test
    void fullRecordsTheWholeStackThroughTheRuntime() throws Exception {
        StackTraceElement[] site = waitSiteIn(RuntimeConfig.WaitSites.FULL);
        assertTrue(Arrays.stream(site).anyMatch(f -> f.getClassName().equals(Park.class.getName())), Arrays.toString(site));
        assertTrue(Arrays.stream(site).anyMatch(f -> f.getMethodName().equals("parkHere")), Arrays.toString(site));
    }

    @Test
    void userFrameSkipsTheJdkAndTheRuntime() {
        StackTraceElement[] stack = {
                new StackTraceElement("java.base", null, null, "java.util.concurrent.locks.LockSupport", "park", "LockSupport.java", 1),
                new StackTraceElement(Park.class.getName(), "park", "Park.java", 2),
                new StackTraceElement("com.example.Handler", "serve", "Handler.java", 3),
        };
        assertEquals("com.example.Handler", UserFrames.userFrame(stack).getClassName());
        assertEquals(Park.class.getName(), UserFrames.userFrame(Arrays.copyOf(stack, 2)).getClassName(),
                "no user frame: the outermost");
        assertNull(UserFrames.userFrame(new StackTraceElement[0]));
    }

    @Test
    void configAcceptsOffSiteFullAndTheOldBooleansAndIgnoresTypos() {
        Map<String, RuntimeConfig.WaitSites> cases = Map.of("off", RuntimeConfig.WaitSites.OFF, "false", RuntimeConfig.WaitSites.OFF,
                "site", RuntimeConfig.WaitSites.SITE, "full", RuntimeConfig.WaitSites.FULL, "true", RuntimeConfig.WaitSites.FULL,
                "sites", RuntimeConfig.WaitSites.OFF);
        cases.forEach((text, expected) -> assertEquals(expected,
                RuntimeConfig.from(Map.of(), key -> key.equals("gonode.wait-sites") ? text : null).waitSites(), text));
        assertEquals(RuntimeConfig.WaitSites.OFF, RuntimeConfig.from(Map.of(), key -> null).waitSites());
    }
}
