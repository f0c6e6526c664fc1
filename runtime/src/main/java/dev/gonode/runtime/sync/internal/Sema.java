package dev.gonode.runtime.sync.internal;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.Park;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counting semaphore for gonode's sync primitives: Go's runtime semaphore
 * ({@code runtime/sema.go}, {@code semacquire1} / {@code semrelease1}), one per primitive.
 *
 * <p>Implementation notes.
 *
 * <p><b>State.</b> {@code count} is the semaphore's value (Go's {@code *addr}); {@code nwait}
 * counts the queued waiters (changed only under the monitor, read without it on the release fast
 * path); the wait queue is a singly linked list guarded by this object's monitor. The monitor is held only for a few field writes and never
 * while parking, so contention on it is brief (a virtual thread that does block on it unmounts,
 * JDK 24+).
 *
 * <p><b>No lost wake-ups.</b> {@link #acquire} increments {@code nwait} and then re-reads
 * {@code count}; {@link #release} increments {@code count} and then reads {@code nwait}. Both are
 * volatile read-modify-writes followed by volatile reads, so at least one side sees the other:
 * either the acquirer takes the new count, or the releaser sees a waiter and (under the monitor,
 * where the acquirer enqueued itself before releasing it) wakes it. A woken waiter that was not
 * handed the count directly competes for it again and re-queues if it loses, as in Go.
 *
 * <p><b>Handoff and LIFO.</b> {@code release(true)} hands the count directly to the woken waiter
 * (Go's {@code ticket}) and, on a goroutine, yields so that the waiter runs now: the waiter was
 * readied into this P's {@code runnext}, so the yield runs it next on the same carrier. This is
 * what the mutex's starvation mode uses. {@code acquire(.., lifo=true)} queues at the head: a
 * waiter that already waited once goes back to the front.
 *
 * <p><b>Parking.</b> Waiters park through {@link Park}, so the goroutine dump shows the caller's
 * wait reason. Like Go's semaphores these waits cannot be interrupted: an interrupt is remembered
 * and the thread's interrupt status is set again on return. The queue refers to waiting threads
 * only through this object, so a goroutine parked on a primitive that nothing references any more
 * can be collected and reported as a leak.
 */
public final class Sema {

    private static final VarHandle COUNT;
    private static final VarHandle NWAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(Sema.class, "count", int.class);
            NWAIT = l.findVarHandle(Sema.class, "nwait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through COUNT
    private volatile int count;
    @SuppressWarnings("unused") // accessed through NWAIT
    private volatile int nwait;
    private Waiter head; // guarded by this
    private Waiter tail; // guarded by this

    /** A parked acquirer. {@code ticket} is written before the volatile {@code woken}. */
    private static final class Waiter {
        final Thread thread;
        Waiter next;
        boolean ticket;
        volatile boolean woken;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    /** Creates a semaphore with value 0. */
    public Sema() {
    }

    /** Takes one unit if the value is positive (Go's {@code cansemacquire}). */
    public boolean tryAcquire() {
        for (;;) {
            int v = (int) COUNT.getVolatile(this);
            if (v == 0) {
                return false;
            }
            if (COUNT.compareAndSet(this, v, v - 1)) {
                return true;
            }
        }
    }

    /**
     * Waits until the value is positive and decrements it.
     *
     * @param reason  the wait reason the goroutine dump shows while parked
     * @param blocker the user-visible object waited on (shown by JDK thread dumps)
     * @param lifo    queue at the head rather than the tail (a waiter coming back)
     */
    public void acquire(WaitReason reason, Object blocker, boolean lifo) {
        if (tryAcquire()) {
            return;
        }
        Waiter w = new Waiter(Thread.currentThread());
        boolean interrupted = false;
        for (;;) {
            synchronized (this) {
                NWAIT.getAndAdd(this, 1);
                if (tryAcquire()) {
                    NWAIT.getAndAdd(this, -1);
                    break;
                }
                w.woken = false;
                w.ticket = false;
                enqueue(w, lifo);
            }
            while (!w.woken) {
                Park.park(reason, blocker);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (w.ticket || tryAcquire()) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Increments the value and wakes the longest-queued waiter, if any. With {@code handoff}, the
     * unit goes straight to that waiter and the caller yields so that the waiter runs next.
     */
    public void release(boolean handoff) {
        COUNT.getAndAdd(this, 1);
        if ((int) NWAIT.getVolatile(this) == 0) {
            return;
        }
        Waiter w;
        synchronized (this) {
            if ((int) NWAIT.getVolatile(this) == 0) {
                return;
            }
            w = dequeue();
            if (w != null) {
                NWAIT.getAndAdd(this, -1);
            }
        }
        if (w == null) {
            return; // a waiter counted in nwait has not queued yet: it will see the count
        }
        boolean ticket = handoff && tryAcquire();
        w.ticket = ticket;
        w.woken = true;
        Park.unpark(w.thread);
        if (ticket && Thread.currentThread().isVirtual()) {
            Thread.yield(); // Go's goyield: let the waiter run now, on this carrier
        }
    }

    /** The number of queued waiters (a racy snapshot, for diagnostics). */
    public int waiters() {
        return Math.max(0, (int) NWAIT.getVolatile(this));
    }

    private void enqueue(Waiter w, boolean lifo) {
        w.next = null;
        if (head == null) {
            head = w;
            tail = w;
        } else if (lifo) {
            w.next = head;
            head = w;
        } else {
            tail.next = w;
            tail = w;
        }
    }

    private Waiter dequeue() {
        Waiter w = head;
        if (w != null) {
            head = w.next;
            if (head == null) {
                tail = null;
            }
            w.next = null;
        }
        return w;
    }
}
