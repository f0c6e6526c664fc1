package dev.gonode.runtime.sync.internal;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.Park;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A ticket-based list of waiters for {@code Cond}: Go's {@code notifyList}
 * ({@code runtime/sema.go}, {@code notifyListAdd} / {@code notifyListWait} /
 * {@code notifyListNotifyOne} / {@code notifyListNotifyAll}).
 *
 * <p>Implementation notes. A waiter takes a ticket with {@link #add()} <em>while it still holds
 * the condition's lock</em>, then releases the lock and calls {@link #await(int, WaitReason, Object)}.
 * {@code wait} is the next ticket to hand out, {@code notify} the next ticket to wake; tickets
 * below {@code notify} have been signalled. Taking the ticket before unlocking is what makes a
 * signal sent between the unlock and the park count: {@code await} sees its ticket below
 * {@code notify} and returns at once. {@link #wakeOne()} wakes exactly the holder of ticket
 * {@code notify} (the oldest unsignalled waiter), whether or not it has parked yet, so signals
 * are FIFO and never lost; {@link #wakeAll()} wakes every ticket issued so far.
 *
 * <p>Invariants: {@code notify - wait <= 0} (counters wrap, compared by subtraction as in Go);
 * every queued waiter's ticket is in {@code [notify, wait)}. The queue and {@code notify} are
 * changed only under this object's monitor; {@code wait} is an atomic counter read without it by
 * the notify fast paths (no waiters since the last notify: nothing to do).
 */
public final class NotifyList {

    private static final VarHandle WAIT;
    private static final VarHandle NOTIFY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WAIT = l.findVarHandle(NotifyList.class, "wait", int.class);
            NOTIFY = l.findVarHandle(NotifyList.class, "notify", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through WAIT
    private volatile int wait;
    @SuppressWarnings("unused") // accessed through NOTIFY; written under the monitor
    private volatile int notify;
    private Waiter head; // guarded by this
    private Waiter tail; // guarded by this

    private static final class Waiter {
        final Thread thread;
        final int ticket;
        Waiter next;
        volatile boolean woken;

        Waiter(Thread thread, int ticket) {
            this.thread = thread;
            this.ticket = ticket;
        }
    }

    /** Creates an empty list. */
    public NotifyList() {
    }

    /** Takes the next ticket; call it before releasing the lock the condition is about. */
    public int add() {
        return (int) WAIT.getAndAdd(this, 1);
    }

    /** Waits until ticket {@code t} has been notified (returns at once if it already has). */
    public void await(int t, WaitReason reason, Object blocker) {
        Waiter w;
        synchronized (this) {
            if (t - (int) NOTIFY.getVolatile(this) < 0) {
                return;
            }
            w = new Waiter(Thread.currentThread(), t);
            if (tail == null) {
                head = w;
            } else {
                tail.next = w;
            }
            tail = w;
        }
        boolean interrupted = false;
        while (!w.woken) {
            Park.park(reason, blocker);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wakes the oldest waiter that has not been notified yet, if there is one. */
    public void wakeOne() {
        if ((int) WAIT.getVolatile(this) == (int) NOTIFY.getVolatile(this)) {
            return;
        }
        Waiter found = null;
        synchronized (this) {
            int t = (int) NOTIFY.getVolatile(this);
            if (t == (int) WAIT.getVolatile(this)) {
                return;
            }
            NOTIFY.setVolatile(this, t + 1);
            for (Waiter prev = null, w = head; w != null; prev = w, w = w.next) {
                if (w.ticket == t) {
                    if (prev == null) {
                        head = w.next;
                    } else {
                        prev.next = w.next;
                    }
                    if (tail == w) {
                        tail = prev;
                    }
                    w.next = null;
                    found = w;
                    break;
                }
            }
        }
        // Not found: ticket t is taken but its holder has not queued yet; it will see t < notify.
        if (found != null) {
            found.woken = true;
            Park.unpark(found.thread);
        }
    }

    /** Wakes every waiter that has taken a ticket so far. */
    public void wakeAll() {
        if ((int) WAIT.getVolatile(this) == (int) NOTIFY.getVolatile(this)) {
            return;
        }
        Waiter w;
        synchronized (this) {
            w = head;
            head = null;
            tail = null;
            NOTIFY.setVolatile(this, (int) WAIT.getVolatile(this));
        }
        while (w != null) {
            Waiter next = w.next;
            w.next = null;
            w.woken = true;
            Park.unpark(w.thread);
            w = next;
        }
    }
}
