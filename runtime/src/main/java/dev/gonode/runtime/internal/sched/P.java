package dev.gonode.runtime.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A processor (Go's {@code p}): the right to run goroutines, with its own run queue and timers.
 *
 * <p>Implementation notes. The local run queue is Go's {@code runq}: a 256-slot ring where only
 * the owning carrier adds (at {@code tail}, published with a release store) and anyone may take
 * (by CAS on {@code head}): the owner pops one, thieves grab half. A thief reads its slots before
 * its CAS; if the owner reused one of them meanwhile, {@code head} has moved and the CAS fails, so
 * a stale read is never used. {@code runnext} holds the goroutine readied most recently by the
 * running goroutine: it runs next and inherits the time slice, which keeps a communicating pair on
 * one carrier (the heart of fast ping-pong). Thieves never take {@code runnext}: a pair that is
 * about to hand over would otherwise be split across carriers; sysmon moves a {@code runnext}
 * that has waited a whole tick to the global queue instead.
 *
 * <p>Invariants: {@code 0 <= tail - head <= 256}; slots in [head, tail) hold runnable goroutines;
 * only the owner writes slots or {@code tail}. The owner nulls the slots it pops and, when it finds
 * its queue empty, every slot (no thief can succeed on an empty queue, so none is reading one it
 * could use), so a queue never keeps a finished or parked goroutine reachable for long.
 */
final class P {

    static final int LOCAL_QUEUE_SIZE = 256;
    private static final int MASK = LOCAL_QUEUE_SIZE - 1;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle RUNNEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(P.class, "head", int.class);
            TAIL = l.findVarHandle(P.class, "tail", int.class);
            RUNNEXT = l.findVarHandle(P.class, "runnext", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int id;
    private final Runnable[] slots = new Runnable[LOCAL_QUEUE_SIZE];
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile int head;
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile int tail;
    @SuppressWarnings("unused") // accessed through RUNNEXT
    private volatile Runnable runnext;

    final TimerHeap timers = new TimerHeap();

    /** The carrier that owns this P, or {@code null} while the P is idle. */
    volatile Carrier owner;
    /** Set when GOMAXPROCS shrank below this P's id: its owner gives it up at the next schedule. */
    volatile boolean retired;

    // sysmon's last observation of this P (only sysmon touches these)
    long sysmonTick = -1;
    long sysmonSince;
    long sysmonCpu = -1;
    long sysmonCpuSince;
    long sysmonGcMillis;
    boolean sysmonReportedHog;

    P(int id) {
        this.id = id;
    }

    /**
     * Adds a runnable goroutine; owner only. With {@code next} it goes to {@code runnext} and the
     * goroutine it displaces goes to the tail. When the ring is full, half of it moves to the
     * global queue ({@code overflow}). Returns whether the ring (which thieves can take from)
     * received a goroutine, as opposed to only {@code runnext}.
     */
    boolean put(Runnable task, boolean next, Consumer<Runnable[]> overflow) {
        if (next) {
            Runnable old = (Runnable) RUNNEXT.getAndSet(this, task);
            if (old == null) {
                return false;
            }
            task = old;
        }
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getOpaque(this);
            if (t - h < LOCAL_QUEUE_SIZE) {
                slots[t & MASK] = task;
                TAIL.setRelease(this, t + 1);
                return true;
            }
            if (putSlow(task, h, t, overflow)) {
                return true;
            }
            // a thief took some: the ring has room now
        }
    }

    private boolean putSlow(Runnable task, int h, int t, Consumer<Runnable[]> overflow) {
        int n = (t - h) / 2;
        Runnable[] batch = new Runnable[n + 1];
        for (int i = 0; i < n; i++) {
            batch[i] = slots[(h + i) & MASK];
        }
        if (!HEAD.compareAndSet(this, h, h + n)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            slots[(h + i) & MASK] = null;
        }
        batch[n] = task;
        overflow.accept(batch);
        return true;
    }

    /** Takes the next goroutine to run: {@code runnext} first, then the ring's head. Owner only. */
    Runnable get() {
        Runnable next = (Runnable) RUNNEXT.getAcquire(this);
        if (next != null && RUNNEXT.compareAndSet(this, next, null)) {
            return next;
        }
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getOpaque(this);
            if (t == h) {
                return null;
            }
            Runnable task = slots[h & MASK];
            if (HEAD.compareAndSet(this, h, h + 1)) {
                slots[h & MASK] = null;
                return task;
            }
        }
    }

    /** Takes {@code runnext} if it is set; anyone may call this (sysmon does for a stuck P). */
    Runnable takeRunnext() {
        Runnable next = (Runnable) RUNNEXT.getAcquire(this);
        return next != null && RUNNEXT.compareAndSet(this, next, null) ? next : null;
    }

    /**
     * Steals half of {@code victim}'s ring into this P's (empty) ring and returns one of the stolen
     * goroutines, or {@code null}. Called by this P's owner.
     */
    Runnable stealFrom(P victim) {
        int t = (int) TAIL.getOpaque(this);
        int n = victim.grabInto(slots, t);
        if (n == 0) {
            return null;
        }
        n--;
        Runnable task = slots[(t + n) & MASK];
        slots[(t + n) & MASK] = null;
        if (n != 0) {
            TAIL.setRelease(this, t + n);
        }
        return task;
    }

    private int grabInto(Runnable[] into, int intoTail) {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this);
            int n = t - h;
            n = n - n / 2;
            if (n <= 0) {
                return 0;
            }
            if (n > LOCAL_QUEUE_SIZE / 2) {
                continue; // read h and t at different times: inconsistent, retry
            }
            for (int i = 0; i < n; i++) {
                into[(intoTail + i) & MASK] = slots[(h + i) & MASK];
            }
            if (HEAD.compareAndSet(this, h, h + n)) {
                return n;
            }
        }
    }

    /** Whether the ring or {@code runnext} holds anything (a racy hint). */
    boolean hasWork() {
        return ringNonEmpty() || RUNNEXT.getAcquire(this) != null;
    }

    /** Whether the ring holds anything a thief could take (a racy hint). */
    boolean ringNonEmpty() {
        return (int) TAIL.getAcquire(this) != (int) HEAD.getAcquire(this);
    }

    /** Whether {@code runnext} is occupied (a racy hint). */
    boolean hasRunnext() {
        return RUNNEXT.getAcquire(this) != null;
    }

    /** Goroutines queued here, counting {@code runnext} (a racy snapshot, for stats). */
    int length() {
        int n = (int) TAIL.getAcquire(this) - (int) HEAD.getAcquire(this);
        return Math.max(0, Math.min(n, LOCAL_QUEUE_SIZE)) + (RUNNEXT.getAcquire(this) != null ? 1 : 0);
    }

    /** Drops stale references from an empty ring. Owner only; see the class notes for why it is safe. */
    void clearIfEmpty() {
        if ((int) TAIL.getOpaque(this) == (int) HEAD.getAcquire(this)) {
            Arrays.fill(slots, null);
        }
    }

    @Override
    public String toString() {
        return "P" + id;
    }
}
