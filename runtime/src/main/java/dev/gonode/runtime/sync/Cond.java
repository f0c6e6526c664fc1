package dev.gonode.runtime.sync;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.sync.internal.NotifyList;
import java.util.Objects;

/**
 * Go's {@code sync.Cond}: a rendezvous point for goroutines waiting for, or announcing, a change
 * of some state guarded by a {@link Locker}.
 *
 * <pre>{@code
 * Mutex mu = new Mutex();
 * Cond ready = new Cond(mu);           // Go's sync.NewCond(&mu)
 *
 * mu.lock();
 * try {
 *     while (!isReady) {               // always re-check the condition in a loop
 *         ready.await();
 *     }
 *     use();
 * } finally {
 *     mu.unlock();
 * }
 *
 * mu.lock(); isReady = true; mu.unlock();
 * ready.broadcast();
 * }</pre>
 *
 * <p>{@link #await()} (Go's {@code Wait}; {@link Object#wait()} is final) unlocks the locker,
 * parks, and locks it again before returning. It returns only after a {@link #signal()} or
 * {@link #broadcast()} that came after it started waiting; since other goroutines may run in
 * between, the caller cannot assume the condition holds and re-checks it in a loop. Signals are
 * delivered in FIFO order and are never lost on a goroutine that is between unlocking and
 * parking. Signalling with or without holding the locker are both allowed.
 *
 * <p>A waiting goroutine shows {@code [sync.Cond.Wait]} in goroutine dumps. Waiting cannot be
 * interrupted. For most simple uses Go recommends channels instead (gonode's are on their way).
 */
public final class Cond {

    /*
     * Implementation notes.
     *
     * Go's sync.Cond (src/sync/cond.go) over a port of the runtime's notifyList (NotifyList):
     * Wait takes a ticket before unlocking L, then waits for that ticket. Signal wakes the
     * oldest outstanding ticket, Broadcast all of them. Because the ticket is taken while L is
     * held, a signal sent after the waiter released L but before it parked still finds it: the
     * waiter's await sees its ticket already notified and returns without parking.
     *
     * Misuse: await without holding L fails in L.unlock() (Go: a fatal error) after the ticket
     * was taken. That ticket has no waiter, so it absorbs the next signal (a later broadcast is
     * unaffected). Go does not get this far; we accept it rather than track abandoned tickets.
     */

    private final Locker l;
    private final NotifyList notify = new NotifyList();

    /** A condition variable over {@code l} (Go's {@code sync.NewCond(l)}). */
    public Cond(Locker l) {
        this.l = Objects.requireNonNull(l, "l");
    }

    /** The locker held while observing or changing the condition (Go's {@code c.L}). */
    public Locker locker() {
        return l;
    }

    /**
     * Atomically unlocks the locker and suspends the calling goroutine until woken by
     * {@link #signal()} or {@link #broadcast()}; locks the locker again before returning. The
     * caller must hold the locker.
     */
    public void await() {
        int ticket = notify.add();
        l.unlock();
        try {
            notify.await(ticket, WaitReason.SYNC_COND_WAIT, this);
        } finally {
            l.lock();
        }
    }

    /** Wakes one goroutine waiting on this condition, the one that has waited longest, if any. */
    public void signal() {
        notify.wakeOne();
    }

    /** Wakes all goroutines waiting on this condition. */
    public void broadcast() {
        notify.wakeAll();
    }

    @Override
    public String toString() {
        return "Cond[" + l + "]";
    }
}
