package dev.gonode.runtime.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A carrier thread (Go's {@code m}): a platform thread that runs goroutines while it holds a P.
 *
 * <p>Implementation notes. {@link #status} is the handshake with sysmon, playing the part of Go's
 * {@code _Prunning}/{@code _Psyscall} P states. While a goroutine runs, the carrier is
 * {@code RUNNING_G} and sysmon may CAS it to {@code HANDED_OFF}, taking the P away (the goroutine
 * is stuck in native code, file I/O or a class initialiser). Anything that touches the P from
 * inside a goroutine (readying another goroutine) first CASes {@code RUNNING_G -> PUSHING} and
 * restores it afterwards, so a handoff and a push never overlap; a carrier whose CAS back to
 * {@code IN_SCHEDULER} fails after its goroutine returns knows it lost its P. While
 * {@code IN_SCHEDULER} or {@code PUSHING} the P cannot be taken.
 *
 * <p>{@link #schedTick} counts goroutines started on this carrier; sysmon compares successive
 * readings to spot a carrier that has been under the same goroutine for too long.
 */
final class Carrier extends Thread {

    static final int IN_SCHEDULER = 0;
    static final int RUNNING_G = 1;
    static final int PUSHING = 2;
    static final int HANDED_OFF = 3;

    private static final VarHandle STATUS;
    private static final VarHandle SCHED_TICK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(Carrier.class, "status", int.class);
            SCHED_TICK = l.findVarHandle(Carrier.class, "schedTick", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Scheduler scheduler;
    /** The P this carrier holds; written only by this carrier (and by its waker before unparking it). */
    volatile P p;
    @SuppressWarnings("unused") // accessed through STATUS
    private volatile int status = IN_SCHEDULER;
    @SuppressWarnings("unused") // accessed through SCHED_TICK
    private volatile long schedTick;
    /**
     * The task (a virtual thread's continuation) this carrier is running, or {@code null}; written
     * by this carrier, read racily by sysmon to name the goroutine in handoff and hog events.
     */
    Runnable current;
    /** Set by {@code Go.yield()} just before the JDK yield: the re-submission goes to the global queue. */
    boolean yieldRequested;
    /** Whether this carrier is looking for work (counted in {@code Scheduler.nmspinning}). */
    boolean spinning;
    /** Handed over by a waker while this carrier is parked idle. */
    volatile P nextP;
    volatile boolean nextSpinning;
    /** The Linux thread id of this carrier, for sysmon's look at its OS state; -1 if unknown. */
    volatile int osThreadId = -1;

    Carrier(Scheduler scheduler, int number, P p, boolean spinning) {
        super(null, null, "gonode-carrier-" + number, 0, false);
        this.scheduler = scheduler;
        this.p = p;
        this.spinning = spinning;
        setDaemon(true);
    }

    @Override
    public void run() {
        osThreadId = OsThreads.currentThreadId();
        scheduler.carrierLoop(this);
    }

    int status() {
        return (int) STATUS.getVolatile(this);
    }

    void setStatus(int s) {
        STATUS.setVolatile(this, s);
    }

    /**
     * Sets the status with a release store: enough wherever nobody needs to see the store before
     * this carrier's next load (sysmon may act on a stale status only by waiting another tick), and
     * no fence on x86, unlike {@link #setStatus}.
     */
    void setStatusRelease(int s) {
        STATUS.setRelease(this, s);
    }

    boolean casStatus(int expected, int next) {
        return STATUS.compareAndSet(this, expected, next);
    }

    long schedTick() {
        return (long) SCHED_TICK.getOpaque(this);
    }

    void incrementSchedTick() {
        SCHED_TICK.setOpaque(this, (long) SCHED_TICK.getOpaque(this) + 1);
    }

    /** Parks this idle carrier until a waker hands it a P (or the scheduler shuts down). */
    P awaitP() {
        P next;
        while ((next = nextP) == null && !scheduler.isShutdown()) {
            LockSupport.park(this);
        }
        nextP = null;
        return next;
    }
}
