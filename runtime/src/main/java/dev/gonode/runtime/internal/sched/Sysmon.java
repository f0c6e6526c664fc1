package dev.gonode.runtime.internal.sched;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler's monitor thread (Go's {@code sysmon}): hands off Ps from blocked carriers, reports
 * CPU hogs, keeps queued work from waiting behind a busy goroutine, runs timers no carrier is
 * around to run, and collects the records of goroutines the garbage collector found unreachable.
 *
 * <p>Implementation notes. While any P is busy, sysmon wakes every tick (default 1 ms); when all
 * Ps are idle it sleeps until the earliest timer, or indefinitely, and the scheduler wakes it when
 * a P gets busy ({@link #wake()}) or a timer earlier than its planned wake-up is added
 * ({@link #timerAdded}). Both use the same pattern: sysmon publishes {@link #plannedWake}, then
 * re-checks; the other side publishes its change, then reads {@code plannedWake}; so one of them
 * always sees the other (and an unpark before the park makes the park return).
 *
 * <p>A carrier whose schedule tick has not moved is under one goroutine. After
 * {@code handoffAfter} (default 10 ms), sysmon compares the carrier's CPU time over the window
 * with the wall time: less than half means blocked (native code, file I/O, a class initialiser,
 * a pinned wait), and its P is handed to another carrier (Go's syscall handoff). On Linux the
 * carrier must also be asleep in the kernel right now ({@code S} or {@code D} in
 * {@code /proc/self/task/<tid>/stat}): a carrier that is runnable but starved of CPU by other
 * processes has little CPU time too, and must not lose its P. Wall time alone would hand off on
 * every OS hiccup; CPU time and OS state tell a busy carrier apart, which keeps its P: the
 * JVM cannot preempt it, and GOMAXPROCS stays a hard bound on CPU use. After a whole tick, work
 * queued behind such a goroutine is offered to other Ps. A window in which the garbage collector
 * stopped the world for a quarter of the time or more is discarded: a paused carrier looks blocked.
 */
final class Sysmon extends Thread {

    private final Scheduler scheduler;
    private final GoRuntime runtime;
    private final long tickNanos;
    private final ThreadMXBean threads;
    private final boolean cpuTimeSupported;
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private volatile long plannedWake = System.nanoTime();
    private volatile boolean shutdown;

    Sysmon(Scheduler scheduler, GoRuntime runtime, long tickNanos) {
        super(null, null, "gonode-sysmon", 0, false);
        this.scheduler = scheduler;
        this.runtime = runtime;
        this.tickNanos = tickNanos;
        ThreadMXBean mx = null;
        boolean cpu = false;
        try {
            mx = ManagementFactory.getThreadMXBean();
            cpu = mx.isThreadCpuTimeSupported();
            if (cpu && !mx.isThreadCpuTimeEnabled()) {
                mx.setThreadCpuTimeEnabled(true);
            }
        } catch (RuntimeException | LinkageError e) {
            cpu = false;
        }
        this.threads = mx;
        this.cpuTimeSupported = cpu;
        setDaemon(true);
    }

    @Override
    public void run() {
        while (!shutdown) {
            long now = System.nanoTime();
            long nextTimer = scheduler.runDueTimers(now);
            runtime.registry().expungeCollected();
            boolean busy = retake(now);
            long wake = busy ? now + tickNanos : Long.MAX_VALUE;
            if (nextTimer != Long.MAX_VALUE && (wake == Long.MAX_VALUE || nextTimer - wake < 0)) {
                wake = nextTimer;
            }
            plannedWake = wake;
            // Re-check after publishing plannedWake: a timer or a busy P may have appeared meanwhile.
            if (wake == Long.MAX_VALUE && anyPBusy()) {
                continue;
            }
            long earliest = earliestTimer();
            if (earliest != Long.MAX_VALUE && (wake == Long.MAX_VALUE || earliest - wake < 0)) {
                continue;
            }
            if (wake == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                long delay = wake - System.nanoTime();
                if (delay > 0) {
                    LockSupport.parkNanos(this, delay);
                }
            }
        }
    }

    /** A P is getting busy: make sure sysmon is ticking. */
    void wake() {
        if (plannedWake == Long.MAX_VALUE) {
            LockSupport.unpark(this);
        }
    }

    /** A timer was added: wake sysmon if it would otherwise sleep past the deadline. */
    void timerAdded(long deadline) {
        long planned = plannedWake;
        if (planned == Long.MAX_VALUE || deadline - planned < 0) {
            LockSupport.unpark(this);
        }
    }

    void shutdown() {
        shutdown = true;
        LockSupport.unpark(this);
    }

    private boolean anyPBusy() {
        for (P p : scheduler.allp()) {
            if (p.owner != null) {
                return true;
            }
        }
        return false;
    }

    private long earliestTimer() {
        long next = Long.MAX_VALUE;
        for (P p : scheduler.allp()) {
            long d = p.timers.nextDeadline;
            if (d != Long.MAX_VALUE && (next == Long.MAX_VALUE || d - next < 0)) {
                next = d;
            }
        }
        return next;
    }

    /** Looks at every busy P; returns whether any P is busy. */
    private boolean retake(long now) {
        boolean busy = false;
        for (P p : scheduler.allp()) {
            Carrier m = p.owner;
            if (m == null) {
                p.sysmonTick = -1;
                continue;
            }
            busy = true;
            long tick = m.schedTick();
            if (tick != p.sysmonTick || m.status() == Carrier.IN_SCHEDULER) {
                p.sysmonTick = tick;
                p.sysmonSince = now;
                p.sysmonCpu = -1;
                p.sysmonReportedHog = false;
                continue;
            }
            // The same goroutine has held this P for at least a tick: let others run what waits behind it.
            if (p.hasRunnext()) {
                scheduler.releaseRunnext(p);
            }
            if (p.ringNonEmpty()) {
                scheduler.wakep();
            }
            if (p.sysmonCpu < 0) {
                p.sysmonCpu = cpuTime(m);
                p.sysmonCpuSince = now;
                p.sysmonGcMillis = gcMillis();
                continue;
            }
            if (now - p.sysmonSince < scheduler.handoffAfterNanos) {
                continue;
            }
            long window = now - p.sysmonCpuSince;
            long gc = gcMillis();
            if ((gc - p.sysmonGcMillis) * 1_000_000L * 4 > window) {
                // A garbage collection paused the carrier for much of the window: its CPU time says
                // nothing about the goroutine. Start a new window.
                p.sysmonCpu = -1;
                continue;
            }
            long cpu = cpuTime(m);
            boolean lowCpu = !cpuTimeSupported || cpu < 0 || (cpu - p.sysmonCpu) * 2 < window;
            char osState = OsThreads.state(m.osThreadId);
            boolean sleepingInOs = osState == '?' || osState == 'S' || osState == 'D';
            if (lowCpu && !sleepingInOs) {
                // runnable but starved of CPU by other processes: neither blocked nor a hog
                p.sysmonCpu = -1;
                continue;
            }
            if (lowCpu) {
                if (m.casStatus(Carrier.RUNNING_G, Carrier.HANDED_OFF)) {
                    runtime.events().handoff(p.id, VirtualThreads.goroutineOf(m.current), now - p.sysmonSince);
                    p.sysmonTick = -1;
                    scheduler.handoff(p);
                }
            } else if (!p.sysmonReportedHog) {
                p.sysmonReportedHog = true;
                scheduler.hogs.increment();
                runtime.events().hog(p.id, VirtualThreads.goroutineOf(m.current), now - p.sysmonSince);
            }
        }
        return busy;
    }

    private long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private long cpuTime(Carrier m) {
        if (!cpuTimeSupported) {
            return -1;
        }
        try {
            return threads.getThreadCpuTime(m.threadId());
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
