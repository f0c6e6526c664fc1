package dev.gonode.runtime.sync;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.sync.internal.Sema;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code sync.RWMutex}: a reader/writer mutual exclusion lock, held by any number of readers
 * or by one writer.
 *
 * <pre>{@code
 * RWMutex mu = new RWMutex();
 * mu.rLock();                      // many readers at once
 * try { return cache.get(key); } finally { mu.rUnlock(); }
 *
 * mu.lock();                       // one writer, no readers
 * try { cache.put(key, value); } finally { mu.unlock(); }
 * }</pre>
 *
 * <p><b>Writers are not starved.</b> Once a writer calls {@link #lock()}, new {@link #rLock()}
 * calls wait until that writer has had the lock and released it; the writer waits only for the
 * readers that were already inside. A consequence, as in Go: a reader must not call
 * {@code rLock} again while it holds a read lock (recursive read locking), because a writer
 * arriving in between makes both wait for each other.
 *
 * <p>As with {@link Mutex}: not reentrant, not owned (any goroutine may unlock), waiting cannot be
 * interrupted. Misuse fails with Go's messages as an {@link IllegalStateException}, leaving the
 * lock as it was: {@code sync: RUnlock of unlocked RWMutex} and
 * {@code sync: Unlock of unlocked RWMutex}.
 *
 * <p>Goroutines waiting in {@code rLock} show {@code [sync.RWMutex.RLock]} in goroutine dumps,
 * writers waiting in {@code lock} {@code [sync.RWMutex.Lock]}.
 */
public final class RWMutex implements Locker {

    /*
     * Implementation notes.
     *
     * A port of Go's sync.RWMutex (src/sync/rwmutex.go).
     *
     * w           a Mutex held by the writer that is pending or active: writers queue on it
     *             (with Mutex's fairness and starvation mode).
     * readerCount the readers holding or waiting for a read lock; while a writer is pending or
     *             active, MAX_READERS is subtracted from it, so it is negative. RLock is a single
     *             atomic increment: a non-negative result means no writer, so the reader is in.
     * readerWait  the readers the pending writer still waits for: those that were inside when it
     *             announced itself. Each leaving reader that sees a negative readerCount
     *             decrements it; the one that takes it to zero releases writerSem.
     * writerSem   where the pending writer sleeps until those readers have left.
     * readerSem   where readers that arrived after the writer sleep; Unlock releases it once per
     *             such reader (the positive readerCount it finds when adding MAX_READERS back).
     *
     * Lock: w.lock(); r = readerCount.add(-MAX) + MAX (readers inside); if r != 0 and
     * readerWait.add(r) != 0, sleep on writerSem. (readerWait can already be negative: readers
     * that left between the two adds decremented it first; the sum says who is still inside.)
     *
     * Differences from Go:
     *  - RUnlock and Unlock check for misuse before changing state (CAS loops instead of Go's
     *    atomic adds), so misuse throws and leaves the lock usable instead of a fatal error.
     *  - A writer waiting for another writer (on w) shows sync.RWMutex.Lock, not Go's
     *    sync.Mutex.Lock: the dump then says which lock it waits for.
     */

    static final int MAX_READERS = 1 << 30;

    private static final VarHandle READER_COUNT;
    private static final VarHandle READER_WAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            READER_COUNT = l.findVarHandle(RWMutex.class, "readerCount", int.class);
            READER_WAIT = l.findVarHandle(RWMutex.class, "readerWait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Mutex w = new Mutex(WaitReason.SYNC_RWMUTEX_LOCK);
    private final Sema writerSem = new Sema();
    private final Sema readerSem = new Sema();
    @SuppressWarnings("unused") // accessed through READER_COUNT
    private volatile int readerCount;
    @SuppressWarnings("unused") // accessed through READER_WAIT
    private volatile int readerWait;

    /** Creates an unlocked reader/writer mutex (Go's zero {@code sync.RWMutex}). */
    public RWMutex() {
    }

    /**
     * Locks for reading, waiting while a writer holds the lock or is waiting for it. Do not use
     * for recursive read locking: see the class comment.
     */
    public void rLock() {
        if ((int) READER_COUNT.getAndAdd(this, 1) + 1 < 0) {
            // A writer is pending or active: wait for it.
            readerSem.acquire(WaitReason.SYNC_RWMUTEX_RLOCK, this, false);
        }
    }

    /** Locks for reading if no writer holds or awaits the lock, and reports whether it did. */
    public boolean tryRLock() {
        for (;;) {
            int c = (int) READER_COUNT.getVolatile(this);
            if (c < 0) {
                return false;
            }
            if (READER_COUNT.compareAndSet(this, c, c + 1)) {
                return true;
            }
        }
    }

    /**
     * Undoes one {@link #rLock()}. It does not affect other readers.
     *
     * @throws IllegalStateException {@code sync: RUnlock of unlocked RWMutex} if no read lock is held
     */
    public void rUnlock() {
        int c = (int) READER_COUNT.getVolatile(this);
        for (;;) {
            if (c == 0 || c == -MAX_READERS) {
                throw new IllegalStateException("sync: RUnlock of unlocked RWMutex");
            }
            int witness = (int) READER_COUNT.compareAndExchange(this, c, c - 1);
            if (witness == c) {
                break;
            }
            c = witness;
        }
        if (c - 1 < 0 && (int) READER_WAIT.getAndAdd(this, -1) - 1 == 0) {
            // A writer is pending and we were the last reader it waited for.
            writerSem.release(false);
        }
    }

    /** Locks for writing, waiting until no reader or writer holds the lock. */
    @Override
    public void lock() {
        // First, resolve competition with other writers.
        w.lock();
        // Announce to readers that a writer is pending.
        int r = (int) READER_COUNT.getAndAdd(this, -MAX_READERS);
        // Wait for the readers that are inside.
        if (r != 0 && (int) READER_WAIT.getAndAdd(this, r) + r != 0) {
            writerSem.acquire(WaitReason.SYNC_RWMUTEX_LOCK, this, false);
        }
    }

    /** Locks for writing if nobody holds or awaits the lock, and reports whether it did. */
    public boolean tryLock() {
        if (!w.tryLock()) {
            return false;
        }
        if (!READER_COUNT.compareAndSet(this, 0, -MAX_READERS)) {
            w.unlock();
            return false;
        }
        return true;
    }

    /**
     * Unlocks for writing and lets the readers that waited in, then the next writer. Any
     * goroutine may unlock, not only the one that locked.
     *
     * @throws IllegalStateException {@code sync: Unlock of unlocked RWMutex} if it is not write-locked
     */
    @Override
    public void unlock() {
        int c = (int) READER_COUNT.getVolatile(this);
        for (;;) {
            if (c >= 0) {
                throw new IllegalStateException("sync: Unlock of unlocked RWMutex");
            }
            int witness = (int) READER_COUNT.compareAndExchange(this, c, c + MAX_READERS);
            if (witness == c) {
                break;
            }
            c = witness;
        }
        // Announced that no writer is active; wake the readers that arrived meanwhile.
        int r = c + MAX_READERS;
        for (int i = 0; i < r; i++) {
            readerSem.release(false);
        }
        // Allow other writers to proceed.
        w.unlock();
    }

    /**
     * A {@link Locker} whose {@code lock} and {@code unlock} are this mutex's {@link #rLock()} and
     * {@link #rUnlock()} (Go's {@code RLocker}), for example to wait on a {@link Cond} as a reader.
     */
    public Locker rLocker() {
        return new Locker() {
            @Override
            public void lock() {
                rLock();
            }

            @Override
            public void unlock() {
                rUnlock();
            }

            @Override
            public String toString() {
                return "RLocker[" + RWMutex.this + "]";
            }
        };
    }

    /** The lock's state, for example {@code RWMutex[3 readers]}; a racy snapshot. */
    @Override
    public String toString() {
        int c = (int) READER_COUNT.getVolatile(this);
        if (c >= 0) {
            return c == 0 ? "RWMutex[unlocked]" : "RWMutex[" + c + (c == 1 ? " reader]" : " readers]");
        }
        int readers = c + MAX_READERS;
        return "RWMutex[writer" + (readers == 0 ? "" : ", " + readers + " readers inside or waiting") + "]";
    }
}
