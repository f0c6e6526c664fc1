package dev.gonode.runtime.internal.sched;

import dev.gonode.runtime.WaitReason;
import java.util.concurrent.locks.LockSupport;

/**
 * How gonode's primitives block (Go's {@code gopark} / {@code goready}): park the current goroutine
 * with a wait reason that goroutine dumps show, and wake it again.
 *
 * <p>A goroutine parks by unmounting its virtual thread, so its carrier runs other goroutines.
 * Called on a plain Java thread, the thread itself blocks. Like {@link LockSupport#park}, every
 * method here may return spuriously: callers re-check their condition in a loop.
 */
public final class Park {

    private Park() {
    }

    /** Parks the current goroutine until {@link #unpark(Thread)} (or spuriously). */
    public static void park(WaitReason reason, Object blocker) {
        G g = G.current();
        if (g == null) {
            LockSupport.park(blocker);
            return;
        }
        GoRuntime rt = g.runtime();
        g.beginWait(reason, rt.waitSite());
        rt.countPark();
        RuntimeEvents events = rt.events();
        Object token = events.parkBegin();
        try {
            LockSupport.park(blocker);
        } finally {
            g.endWait();
            if (token != null) {
                events.parkEnd(token, g, reason, blocker);
            }
        }
    }

    /**
     * Parks the current goroutine until unparked, until {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) has passed, or spuriously. The deadline is kept by the
     * scheduler's own timers, not by a thread per wait.
     */
    public static void parkUntil(WaitReason reason, Object blocker, long deadlineNanos) {
        Thread self = Thread.currentThread();
        Timers.Timer timer = Timers.schedule(deadlineNanos, () -> LockSupport.unpark(self));
        try {
            if (System.nanoTime() - deadlineNanos < 0) {
                park(reason, blocker);
            }
        } finally {
            timer.cancel();
        }
    }

    /**
     * Starts a batch of wake-ups on a plain thread (Go's {@code injectglist}): until
     * {@link #endWakeBatch()}, the goroutines it unparks are collected and handed to the scheduler
     * in chunks rather than one by one. Returns whether a batch was started (never on a goroutine,
     * whose wake-ups already go to its own P); call {@link #endWakeBatch()} in a {@code finally}
     * exactly when it returned {@code true}, and do not block in between.
     */
    public static boolean beginWakeBatch() {
        return Scheduler.beginInjection();
    }

    /** Ends the batch begun by {@link #beginWakeBatch()}: every goroutine unparked in it becomes runnable. */
    public static void endWakeBatch() {
        Scheduler.endInjection();
    }

    /** Makes {@code thread} runnable again if it is parked, or its next park return at once. */
    public static void unpark(Thread thread) {
        LockSupport.unpark(thread);
    }
}
