package dev.gonode.runtime.internal.sched;

import java.util.concurrent.locks.LockSupport;

/**
 * Timers for runtimes on the JDK's default scheduler, which has no Ps: one heap and one platform
 * thread that sleeps until the earliest deadline.
 */
final class FallbackTimers {

    static final FallbackTimers INSTANCE = new FallbackTimers();

    private final TimerHeap heap = new TimerHeap();
    private final Thread thread;

    private FallbackTimers() {
        thread = new Thread(null, this::loop, "gonode-timers", 0, false);
        thread.setDaemon(true);
        thread.start();
    }

    Timers.Timer schedule(long deadline, Runnable action) {
        TimerHeap.Entry e = heap.add(deadline, action);
        if (heap.nextDeadline == deadline) {
            LockSupport.unpark(thread);
        }
        return e;
    }

    private void loop() {
        for (;;) {
            heap.runDue(System.nanoTime());
            long next = heap.nextDeadline;
            if (next == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                long delay = next - System.nanoTime();
                if (delay > 0) {
                    LockSupport.parkNanos(this, delay);
                }
            }
        }
    }
}
