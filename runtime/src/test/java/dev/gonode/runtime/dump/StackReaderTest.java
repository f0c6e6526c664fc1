package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.dump.internal.Frames;
import dev.gonode.runtime.dump.internal.StackReader;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.ParkedStacks;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The dump's own walk of a parked goroutine's stack ({@link StackReader}) shows exactly what
 * {@code Frames.visible(getStackTrace())} shows, for every kind of wait; frames at the same place
 * are shared; and a goroutine unparked while its stack is being walked still runs afterwards
 * (were the walk to drop that wake-up, the goroutine would stay parked and the join would time out).
 */
class StackReaderTest {

    @Test
    void walkedStackOfEveryKindOfWaitEqualsTheVisiblePartOfGetStackTrace() throws Exception {
        try (LiveGoroutines live = new LiveGoroutines().start()) {
            StackReader reader = new StackReader();
            for (Goroutine g : live.expected.keySet()) {
                StackTraceElement[] walked = reader.visibleStack(g);
                StackTraceElement[] expected = Frames.visible(g.stackTrace());
                assertArrayEquals(expected, walked, () -> "stack of " + g);
                assertTrue(walked.length > 0, () -> g + " shows at least one frame");
            }
        }
    }

    @Test
    void walkedStacksTakeTheFastPathAndShareFramesAtTheSamePlace() throws Exception {
        try (LiveGoroutines live = new LiveGoroutines().start()) {
            Thread thread = ((G) live.named).get();
            assertNotNull(thread);
            assertNotNull(ParkedStacks.walkIfParked(thread, frames -> frames.count()),
                    "a goroutine parked in a channel receive is walked without getStackTrace");
            StackReader reader = new StackReader();
            StackTraceElement[] a = reader.visibleStack(live.named);
            StackTraceElement[] b = reader.visibleStack(live.labelled); // parked at the same receive
            assertSame(a[0], b[0], "one resolved frame per (method, bytecode index) in a dump");
        }
    }

    @Test
    void goroutineUnparkedWhileItsStackIsWalkedRunsAfterTheWalk() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        Goroutine g = Go.go(() -> {
            parked.countDown();
            LockSupport.park(); // a wake-up lost by the walk would leave it here
        });
        parked.await();
        Thread thread = ((G) g).get();
        Await.until(g + " parks", () -> g.state() == GoroutineState.WAITING);
        Long frames = ParkedStacks.walkIfParked(thread, s -> {
            LockSupport.unpark(thread); // sets the permit; the state is held suspended
            return s.count();
        });
        assertNotNull(frames, "the parked goroutine was walked");
        assertTrue(g.join(Duration.ofSeconds(30)), () -> "still parked after the walk: " + GoroutineDump.format(g));
        assertEquals(GoroutineState.DEAD, g.state());
    }

    @Test
    void aRunningGoroutineIsNotWalkedButStillDumped() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Goroutine g = Go.go(() -> {
            running.countDown();
            while (release.getCount() > 0) {
                Thread.onSpinWait(); // mounted: the walk must leave it to getStackTrace
            }
        });
        running.await();
        try {
            assertNull(ParkedStacks.walkIfParked(((G) g).get(), s -> s.count()));
            assertNotNull(new StackReader().visibleStack(g));
        } finally {
            release.countDown();
        }
        assertTrue(g.join(Duration.ofSeconds(30)));
        assertNull(new StackReader().visibleStack(g), "a finished goroutine has no stack to show");
    }
}
