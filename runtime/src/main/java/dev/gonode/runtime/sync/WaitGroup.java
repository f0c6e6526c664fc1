package dev.gonode.runtime.sync;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.CreationSites;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.sync.internal.Sema;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Go's {@code sync.WaitGroup}: waits for a collection of goroutines to finish.
 *
 * <pre>{@code
 * WaitGroup wg = new WaitGroup();
 * for (String url : urls) {
 *     wg.go(() -> fetch(url));     // Go 1.25's wg.Go: add(1), start, done() when it returns
 * }
 * wg.waitAll();                    // blocks until every fetch has returned
 * }</pre>
 *
 * <p>The classic form: {@link #add(int)} before starting each goroutine (never inside it), and
 * {@link #done()} when it finishes, in a {@code finally}. A WaitGroup may be reused once every
 * {@link #waitAll()} of the previous round has returned.
 *
 * <p>Misuse fails as in Go, with an {@link IllegalStateException}: a counter that would go
 * negative ({@code sync: negative WaitGroup counter}, and the counter is left unchanged), an add
 * racing with the release of waiters, and reuse before the previous wait returned.
 *
 * <p>A goroutine blocked in {@code waitAll} shows {@code [sync.WaitGroup.Wait]} in goroutine
 * dumps. Waiting cannot be interrupted. {@code wait()} would be Go's name, but
 * {@link Object#wait()} is final, so the method is {@code waitAll}.
 */
public final class WaitGroup {

    /*
     * Implementation notes.
     *
     * A port of Go's sync.WaitGroup (src/sync/waitgroup.go). One 64-bit word: the counter in the
     * high 32 bits, the number of waiters in the low 32, so that "counter is zero" and "register
     * as a waiter" are decided by one CAS and cannot interleave with an add.
     *
     * add:  changes the counter (a CAS loop, so a counter that would go negative or overflow is
     *       refused without changing it; Go adds first and then panics). When it reaches zero with
     *       waiters registered, the caller owns the state: Wait never registers on a zero counter
     *       and Add must not race with it, so it resets the word to 0 and releases the semaphore
     *       once per waiter.
     * wait: returns at once on a zero counter; otherwise CAS waiters+1 and sleep on the
     *       semaphore. On waking the word must be 0 again; if it is not, another goroutine reused
     *       the group before this wait returned (Go's panic, kept).
     *
     * Happens-before: everything before a done() that brought the counter to zero happens before
     * the return of the waits it releases (the CAS on the word, then the semaphore).
     */

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WaitGroup.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // Goroutines started by go(...) report their caller, not this class, as their creation site.
        CreationSites.registerSpawner(WaitGroup.class.getName());
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;
    private final Sema sema = new Sema();

    /** Creates a WaitGroup with a zero counter (Go's zero {@code sync.WaitGroup}). */
    public WaitGroup() {
    }

    /**
     * Adds {@code delta}, which may be negative, to the counter. When the counter becomes zero,
     * every goroutine blocked in {@link #waitAll()} is released.
     *
     * <p>Calls with a positive delta that start from a zero counter must happen before
     * {@code waitAll}: typically, call {@code add} before the statement that starts the goroutine.
     *
     * @throws IllegalStateException if the counter would go negative
     *                               ({@code sync: negative WaitGroup counter}) or past
     *                               {@link Integer#MAX_VALUE}, or if this add raced with the
     *                               release of waiters
     */
    public void add(int delta) {
        if (delta == 0) {
            // Nothing changes. (Go goes on, and an Add(0) that met a zero counter with waiters not
            // yet released would release them a second time.)
            return;
        }
        long old = (long) STATE.getVolatile(this);
        long next;
        for (;;) {
            long v = (old >> 32) + delta;
            if (v < 0) {
                throw new IllegalStateException("sync: negative WaitGroup counter");
            }
            if (v > Integer.MAX_VALUE) {
                throw new IllegalStateException("sync: WaitGroup counter overflow: adding " + delta
                        + " to " + (old >> 32) + " exceeds " + Integer.MAX_VALUE);
            }
            next = (v << 32) | (old & 0xFFFF_FFFFL);
            long witness = (long) STATE.compareAndExchange(this, old, next);
            if (witness == old) {
                break;
            }
            old = witness;
        }
        int v = (int) (next >> 32);
        int waiters = (int) next;
        if (waiters != 0 && delta > 0 && v == delta) {
            throw new IllegalStateException("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if (v > 0 || waiters == 0) {
            return;
        }
        // We brought the counter to zero with waiters registered: nobody else may change the word
        // now (waits do not register on a zero counter, adds must not race with waits).
        if ((long) STATE.getVolatile(this) != next) {
            throw new IllegalStateException("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        STATE.setVolatile(this, 0L);
        for (; waiters != 0; waiters--) {
            sema.release(false);
        }
    }

    /** Decrements the counter by one: {@code add(-1)}. */
    public void done() {
        add(-1);
    }

    /**
     * Blocks until the counter is zero (Go's {@code Wait}). Returns at once if it already is.
     *
     * @throws IllegalStateException if the group was reused (a new {@code add}) before this wait
     *                               returned
     */
    public void waitAll() {
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            if ((s >> 32) == 0) {
                return;
            }
            long witness = (long) STATE.compareAndExchange(this, s, s + 1);
            if (witness == s) {
                sema.acquire(WaitReason.SYNC_WAITGROUP_WAIT, this, false);
                if ((long) STATE.getVolatile(this) != 0) {
                    throw new IllegalStateException("sync: WaitGroup is reused before previous Wait has returned");
                }
                return;
            }
            s = witness;
        }
    }

    /**
     * Starts {@code task} in a new goroutine counted by this group (Go 1.25's {@code wg.Go}):
     * {@code add(1)}, then a goroutine that runs {@code task} and calls {@link #done()} however
     * it ends. An exception escaping {@code task} is still a panic of that goroutine (see
     * {@link dev.gonode.runtime.PanicHandler}); the group is released either way.
     *
     * <p>The goroutine's creation site is the caller of {@code go}, as with {@code Go.go}.
     *
     * @return the started goroutine
     */
    public Goroutine go(Runnable task) {
        return go(null, task);
    }

    /** {@link #go(Runnable)} with a goroutine name, shown in dumps and profiles. */
    public Goroutine go(String name, Runnable task) {
        Objects.requireNonNull(task, "task");
        add(1);
        try {
            return GoRuntime.current().go(name, () -> {
                try {
                    task.run();
                } finally {
                    done();
                }
            }, task);
        } catch (RuntimeException | Error e) {
            done(); // the goroutine never started
            throw e;
        }
    }

    /** The current counter (a racy snapshot, for diagnostics). */
    public int count() {
        return (int) ((long) STATE.getVolatile(this) >> 32);
    }

    @Override
    public String toString() {
        long s = (long) STATE.getVolatile(this);
        return "WaitGroup[count=" + (s >> 32) + ", waiters=" + (int) s + "]";
    }
}
