package dev.gonode.runtime.leak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * {@link VerifyNoGoroutineLeaks} on real JUnit test classes, run through the JUnit engine. The
 * classes below are nested (surefire skips them): each is run here and its outcome checked.
 */
class GoroutineLeakExtensionTest {

    /** What the "leaking" goroutines of the classes below block on; closed at the end so none outlives this test. */
    static final Channel<String> RELEASE = Channel.make();

    @AfterAll
    static void releaseTheLeakedGoroutines() {
        RELEASE.close();
    }

    static void blockUntilReleased() {
        RELEASE.receive();
    }

    @VerifyNoGoroutineLeaks(gracePeriodMillis = 100)
    static class Leaking {
        @Test
        void startsAGoroutineThatOutlivesTheTest() {
            Go.go("leaker", GoroutineLeakExtensionTest::blockUntilReleased);
        }
    }

    @VerifyNoGoroutineLeaks(gracePeriodMillis = 10_000)
    static class Clean {
        @Test
        void startsGoroutinesThatFinishSoonAfterTheTest() {
            Channel<Integer> ch = Channel.make(10);
            for (int i = 0; i < 10; i++) {
                int n = i;
                Go.go(() -> ch.send(n));
            }
            // returns before the goroutines have necessarily finished: the grace period covers that
        }
    }

    @VerifyNoGoroutineLeaks(gracePeriodMillis = 100, ignoreTopFunctions = "dev.gonode.runtime.leak.GoroutineLeakExtensionTest.blockUntilReleased")
    static class Ignoring {
        @Test
        void startsAGoroutineThatTheRulesForgive() {
            Go.go(GoroutineLeakExtensionTest::blockUntilReleased);
        }

        @Test
        @VerifyNoGoroutineLeaks(gracePeriodMillis = 100, ignoreNames = "other")
        void methodAnnotationOverridesTheClassRules() {
            Go.go("leaker", GoroutineLeakExtensionTest::blockUntilReleased);
        }
    }

    private static Events run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().testEvents();
    }

    private static Throwable failure(Event e) {
        return e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
    }

    @Test
    void testThatLeaksAGoroutineFailsWithTheGoroutineInDumpFormat() {
        Events events = run(Leaking.class);
        events.assertStatistics(s -> s.started(1).succeeded(0).failed(1));
        Throwable t = failure(events.failed().list().get(0));
        GoroutineLeakError leak = assertInstanceOf(GoroutineLeakError.class, t);
        assertEquals(1, leak.leaks().size(), leak.getMessage());
        assertEquals("leaker", leak.leaks().get(0).name());
        assertTrue(leak.getMessage().matches("(?s)found 1 leaked goroutine still alive after the 100ms grace period:\n\n"
                + "goroutine \\d+ \\[chan receive\\]:\n.*"), leak.getMessage());
        assertTrue(leak.getMessage().contains(GoroutineLeakExtensionTest.class.getName() + ".blockUntilReleased(...)"),
                leak.getMessage());
    }

    @Test
    void testWhoseGoroutinesFinishWithinTheGracePeriodPasses() {
        run(Clean.class).assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    @Test
    void ignoreRulesOfTheAnnotationApplyAndAMethodAnnotationOverridesTheClassOne() {
        Events events = run(Ignoring.class);
        events.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        List<Event> failed = events.failed().list();
        assertTrue(failed.get(0).getTestDescriptor().getDisplayName().startsWith("methodAnnotationOverridesTheClassRules"));
        assertInstanceOf(GoroutineLeakError.class, failure(failed.get(0)));
    }
}
