package dev.gonode.runtime.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock that never parks, for the scheduler's own short critical sections (Go's runtime
 * {@code mutex} on a spin path).
 *
 * <p>Implementation notes. A {@link java.util.concurrent.locks.ReentrantLock} is wrong here: a
 * goroutine waiting for it unmounts and queues, and carriers or sysmon queued behind it then park
 * their platform threads until that goroutine is scheduled again, which only a carrier can do: a
 * deadlock once every carrier is in the queue. With this lock nobody queues. A holder never blocks
 * inside its critical section, so a goroutine holding it stays mounted and its carrier keeps
 * running it; waiters spin with {@link Thread#onSpinWait} and, after a short burst, give up their
 * time slice with {@link Thread#yield} (on a goroutine that reschedules it, which is safe because
 * a waiter holds nothing). Not reentrant.
 */
final class SpinLock {

    private static final int SPINS_BEFORE_YIELD = 128;
    private static final VarHandle LOCKED;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(SpinLock.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through LOCKED
    private volatile int locked;

    void lock() {
        int spins = 0;
        while (!LOCKED.compareAndSet(this, 0, 1)) {
            do {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    spins = 0;
                    Thread.yield();
                }
            } while (locked != 0);
        }
    }

    void unlock() {
        LOCKED.setRelease(this, 0);
    }
}
