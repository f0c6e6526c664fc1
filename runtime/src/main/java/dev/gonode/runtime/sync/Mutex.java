package dev.gonode.runtime.sync;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.sync.internal.Sema;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code sync.Mutex}: a mutual exclusion lock.
 *
 * <pre>{@code
 * Mutex mu = new Mutex();
 * mu.lock();
 * try {
 *     balance += amount;
 * } finally {
 *     mu.unlock();
 * }
 * }</pre>
 *
 * <p>As in Go, and unlike {@link java.util.concurrent.locks.ReentrantLock}:
 * <ul>
 *   <li>it is <b>not reentrant</b>: a goroutine that locks a mutex it already holds waits forever;
 *   <li>it is <b>not owned</b>: any goroutine (or thread) may unlock a locked mutex, so one may
 *       lock and another unlock;
 *   <li>unlocking an unlocked mutex fails with {@code sync: unlock of unlocked mutex}
 *       (Go's unrecoverable fatal error; here an {@link IllegalStateException}, and the mutex is
 *       left as it was);
 *   <li>waiting cannot be interrupted (the interrupt status is kept and set again on return).
 * </ul>
 *
 * <p>A goroutine waiting in {@link #lock()} shows {@code [sync.Mutex.Lock]} in goroutine dumps.
 * Plain Java threads may use a mutex too; they block their own thread.
 *
 * <p><b>Fairness.</b> Go's two modes. Normally a woken waiter competes with goroutines that are
 * just arriving (and are already running, so usually win); this keeps throughput high. A waiter
 * that has waited for more than 1 ms switches the mutex to <em>starvation mode</em>: unlock then
 * hands the mutex directly to the oldest waiter, newcomers queue behind it instead of trying, and
 * the mode ends when a waiter is the last one or waited less than 1 ms. So no waiter waits for
 * ever behind a stream of newcomers, and latency stays bounded under contention.
 */
public final class Mutex implements Locker {

    /*
     * Implementation notes.
     *
     * A port of Go's sync.Mutex (src/sync/mutex.go, Go 1.22+ internal/sync), with its algorithm
     * and invariants unchanged; the semaphore is a port of Go's runtime semaphore (Sema).
     *
     * state: bit 0 LOCKED, bit 1 WOKEN (a goroutine is awake and contending, so unlock need not
     * wake another), bit 2 STARVING, bits 3.. the number of goroutines waiting (or about to wait)
     * on sema.
     *
     * lock:  CAS 0 -> LOCKED, else lockSlow: spin briefly while the mutex is locked and not
     *        starving (sets WOKEN so unlock does not wake a sleeper we would race with), then
     *        register as a waiter and sleep on sema. A goroutine that comes back from sema and
     *        loses the race re-queues at the head (LIFO), and if it has now waited for more than
     *        1 ms it sets STARVING.
     * unlock: clear LOCKED; if there are waiters and nobody is awake, take the right to wake one
     *        (WOKEN, waiters-1) and release sema. In starvation mode release sema with handoff:
     *        the woken waiter owns the mutex (LOCKED is still clear but STARVING keeps newcomers
     *        out; the waiter sets LOCKED, drops itself from the count, and leaves starvation mode
     *        if it is the last waiter or did not starve).
     *
     * Invariants (as in Go): STARVING implies the mutex is owned or being handed over and at least
     * one waiter is counted; WOKEN is set by at most one goroutine at a time and cleared by it.
     *
     * Differences from Go:
     *  - unlock checks LOCKED before changing state (a CAS loop rather than Go's atomic add), so
     *    misuse throws and leaves the state intact instead of corrupting it before a fatal error.
     *  - spinning: Go spins (4 rounds of 30 PAUSEs) only if GOMAXPROCS > 1, another P is running
     *    and the local run queue is empty. We cannot see the run queue from here, so we spin only
     *    on a multi-core machine with GOMAXPROCS > 1; the spin is short either way.
     *  - handoff in starvation mode readies the waiter into this P's runnext and yields, as Go's
     *    semrelease(handoff=true) + goyield.
     */

    static final int LOCKED = 1;
    static final int WOKEN = 2;
    static final int STARVING = 4;
    static final int WAITER_SHIFT = 3;
    static final int WAITER = 1 << WAITER_SHIFT;
    static final long STARVATION_THRESHOLD_NANOS = 1_000_000;

    private static final int ACTIVE_SPIN = 4;
    private static final int ACTIVE_SPIN_COUNT = 30;
    private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Mutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    private final Sema sema = new Sema();
    private final WaitReason waitReason;

    /** Creates an unlocked mutex (Go's zero {@code sync.Mutex}). */
    public Mutex() {
        this(WaitReason.SYNC_MUTEX_LOCK);
    }

    /** A mutex whose waiters show {@code waitReason} (RWMutex's writer lock). */
    Mutex(WaitReason waitReason) {
        this.waitReason = waitReason;
    }

    /** Locks the mutex, waiting until it is available. */
    @Override
    public void lock() {
        if (STATE.compareAndSet(this, 0, LOCKED)) {
            return;
        }
        lockSlow();
    }

    /**
     * Locks the mutex if it is free right now and reports whether it did (Go's {@code TryLock}).
     * Never waits. As Go says, correct uses of {@code tryLock} are rare: it is often a sign of a
     * deeper problem in the use of mutexes.
     */
    public boolean tryLock() {
        int old = (int) STATE.getVolatile(this);
        if ((old & (LOCKED | STARVING)) != 0) {
            return false;
        }
        // There may be a waiter, but we are running now and may take the mutex before it wakes.
        return STATE.compareAndSet(this, old, old | LOCKED);
    }

    private void lockSlow() {
        long waitStart = 0;
        boolean starving = false;
        boolean awoke = false;
        int iter = 0;
        int old = (int) STATE.getVolatile(this);
        for (;;) {
            // Spin only while the mutex is locked in normal mode: in starvation mode ownership
            // goes to the waiters, so we could not get it anyway.
            if ((old & (LOCKED | STARVING)) == LOCKED && canSpin(iter)) {
                // Tell unlock not to wake a sleeper: we are awake and will take the mutex.
                if (!awoke && (old & WOKEN) == 0 && (old >>> WAITER_SHIFT) != 0
                        && STATE.compareAndSet(this, old, old | WOKEN)) {
                    awoke = true;
                }
                for (int i = 0; i < ACTIVE_SPIN_COUNT; i++) {
                    Thread.onSpinWait();
                }
                iter++;
                old = (int) STATE.getVolatile(this);
                continue;
            }
            int next = old;
            // Do not try to take a starving mutex: newcomers queue.
            if ((old & STARVING) == 0) {
                next |= LOCKED;
            }
            if ((old & (LOCKED | STARVING)) != 0) {
                next += WAITER;
            }
            // Switch to starvation mode, unless the mutex is free right now (unlock expects a
            // starving mutex to have waiters, which would not be true then).
            if (starving && (old & LOCKED) != 0) {
                next |= STARVING;
            }
            if (awoke) {
                // We were woken (or claimed WOKEN while spinning): clear the flag either way.
                if ((next & WOKEN) == 0) {
                    throw new IllegalStateException("sync: inconsistent mutex state");
                }
                next &= ~WOKEN;
            }
            if (STATE.compareAndSet(this, old, next)) {
                if ((old & (LOCKED | STARVING)) == 0) {
                    return; // locked the mutex with the CAS
                }
                // A waiter coming back queues at the front.
                boolean lifo = waitStart != 0;
                if (waitStart == 0) {
                    waitStart = System.nanoTime();
                }
                sema.acquire(waitReason, this, lifo);
                starving = starving || System.nanoTime() - waitStart > STARVATION_THRESHOLD_NANOS;
                old = (int) STATE.getVolatile(this);
                if ((old & STARVING) != 0) {
                    // Handed off to us in starvation mode: LOCKED is clear and we are still
                    // counted as a waiter. Fix both.
                    if ((old & (LOCKED | WOKEN)) != 0 || (old >>> WAITER_SHIFT) == 0) {
                        throw new IllegalStateException("sync: inconsistent mutex state");
                    }
                    int delta = LOCKED - WAITER;
                    if (!starving || (old >>> WAITER_SHIFT) == 1) {
                        // Leave starvation mode. Important to do it here and to consider the wait
                        // time: starvation mode is so slow that two goroutines could otherwise
                        // stay in lock-step in it for ever.
                        delta -= STARVING;
                    }
                    STATE.getAndAdd(this, delta);
                    return;
                }
                awoke = true;
                iter = 0;
            } else {
                old = (int) STATE.getVolatile(this);
            }
        }
    }

    private static boolean canSpin(int iter) {
        if (iter >= ACTIVE_SPIN || !MULTICORE) {
            return false;
        }
        G g = G.current(); // on a plain thread, do not start the runtime just to ask
        return g == null || g.runtime().gomaxprocs() > 1;
    }

    /**
     * Unlocks the mutex. Any goroutine or thread may unlock it, not only the one that locked it.
     *
     * @throws IllegalStateException {@code sync: unlock of unlocked mutex} if it is not locked
     */
    @Override
    public void unlock() {
        if (STATE.compareAndSet(this, LOCKED, 0)) {
            return;
        }
        int old = (int) STATE.getVolatile(this);
        int next;
        for (;;) {
            if ((old & LOCKED) == 0) {
                throw new IllegalStateException("sync: unlock of unlocked mutex");
            }
            next = old - LOCKED;
            int witness = (int) STATE.compareAndExchange(this, old, next);
            if (witness == old) {
                break;
            }
            old = witness;
        }
        if (next != 0) {
            unlockSlow(next);
        }
    }

    private void unlockSlow(int next) {
        if ((next & STARVING) != 0) {
            // Starvation mode: hand ownership to the next waiter and yield so it runs now.
            // LOCKED stays clear (the waiter sets it), but STARVING keeps newcomers out.
            sema.release(true);
            return;
        }
        int old = next;
        for (;;) {
            // No waiters, or someone is already awake or has taken the mutex, or it went into
            // starvation mode meanwhile (then the owner hands it off, not us): nobody to wake.
            if ((old >>> WAITER_SHIFT) == 0 || (old & (LOCKED | WOKEN | STARVING)) != 0) {
                return;
            }
            // Take the right to wake one.
            int wake = (old - WAITER) | WOKEN;
            int witness = (int) STATE.compareAndExchange(this, old, wake);
            if (witness == old) {
                sema.release(false);
                return;
            }
            old = witness;
        }
    }

    /** Whether the mutex is locked right now (a racy snapshot, for diagnostics and assertions). */
    boolean isLocked() {
        int s = (int) STATE.getVolatile(this);
        return (s & (LOCKED | STARVING)) != 0;
    }

    /** The mutex's state, for example {@code Mutex[locked, 3 waiters, starving]}; a racy snapshot. */
    @Override
    public String toString() {
        int s = (int) STATE.getVolatile(this);
        StringBuilder sb = new StringBuilder("Mutex[");
        sb.append((s & (LOCKED | STARVING)) != 0 ? "locked" : "unlocked");
        int waiters = s >>> WAITER_SHIFT;
        if (waiters != 0) {
            sb.append(", ").append(waiters).append(waiters == 1 ? " waiter" : " waiters");
        }
        if ((s & STARVING) != 0) {
            sb.append(", starving");
        }
        return sb.append(']').toString();
    }
}
