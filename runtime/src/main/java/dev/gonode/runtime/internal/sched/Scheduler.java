package dev.gonode.runtime.internal.sched;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * gonode's M:N scheduler: Go's GMP design (Go's {@code runtime/proc.go}) as the carrier scheduler
 * of JDK virtual threads. The JDK hands us each virtual thread's {@code runContinuation} task on
 * start, unpark, yield and timeout; we decide where and when it runs.
 *
 * <p>Implementation notes.
 *
 * <p><b>Roles.</b> A goroutine (G) is a virtual thread. A {@link P} is the right to run goroutines;
 * there are GOMAXPROCS of them, each with a 256-slot local run queue, a {@code runnext} slot and a
 * timer heap. A {@link Carrier} (M) is a platform thread that runs goroutines while it holds a P.
 * A global queue (lock-free) takes submissions from outside the scheduler (plain threads, the
 * JDK's unparker threads, sysmon) and overflow from full local queues.
 *
 * <p><b>Where a task goes ({@link #execute}).</b> A goroutine readied by the goroutine running on a
 * carrier goes to that P's {@code runnext} (as Go's {@code ready} and {@code newproc} do); a
 * goroutine re-submitting itself after unmounting (the JDK's yield, or a park that raced with its
 * unpark) goes to the tail of the local queue, or to the global queue after {@code Go.yield()}
 * (Go's {@code Gosched}); anything else goes to the global queue.
 *
 * <p><b>Finding work ({@link #findRunnable}).</b> As Go's {@code findRunnable}: due timers; every
 * 61st schedule one goroutine from the global queue first (so the global queue cannot starve);
 * the local queue; a batch from the global queue; then, if fewer than half of the busy Ps' carriers
 * are already spinning, steal half of a random victim's queue (four rounds over all Ps). A carrier
 * that finds nothing releases its P and parks.
 *
 * <p><b>Waking carriers without losing wake-ups.</b> Go's "delicate dance": whoever adds work calls
 * {@link #wakep()}, which starts a spinning carrier only if there is an idle P and nobody is
 * spinning already. A carrier that stops spinning decrements {@code nmspinning} and then re-checks
 * every queue; a carrier that releases its P increments {@code npidle} and then re-checks the global
 * queue. All of these are volatile (sequentially consistent) accesses, so for each piece of work
 * either its submitter sees a spinner / an idle P, or the spinner / idler sees the work. Work that
 * is only in some {@code runnext} is not stealable and does not wake anyone: its own P runs it
 * next, and sysmon moves it to the global queue if that P stays busy for a whole tick.
 *
 * <p><b>Handoff.</b> Sysmon takes the P away from a carrier that has been under one goroutine for
 * longer than {@code handoffAfter} while using (almost) no CPU: the goroutine is pinned in native
 * code, file I/O, {@code Object.wait} while pinned, or a class initialiser. See {@link Carrier} for
 * the handshake and {@link Sysmon} for the policy. The carrier count can then exceed GOMAXPROCS,
 * as in Go; idle carriers beyond GOMAXPROCS exit. A goroutine that keeps the CPU busy is not handed
 * off (GOMAXPROCS stays a hard CPU bound) and cannot be preempted on the JVM: idle Ps steal the rest
 * of its queue and sysmon reports it.
 *
 * <p><b>Waking many goroutines from outside.</b> A plain thread that readies many goroutines at
 * once (closing a channel with a million receivers) can bracket the wake-ups with
 * {@link #beginInjection()} / {@link #endInjection()}: its submissions are then collected and put
 * on the global queue a chunk of 1024 at a time (one linked append instead of one CAS per
 * goroutine), starting as many idle Ps as there is work (Go's {@code injectglist}), instead of a
 * {@code globalPut} and a {@code wakep} per goroutine. A goroutine needs none of this: what it
 * readies goes to its own P, which overflows to the global queue in halves of its ring.
 *
 * <p><b>Scheduling latency.</b> When a diagnostics listener asks for it
 * ({@link RuntimeEvents#schedLatencySampling()}), one submission in N (chosen at random, N a power
 * of two) is wrapped in a {@link Stamped} task carrying the time it became runnable; the carrier
 * that picks it up unwraps it and reports the wait (Go's {@code /sched/latencies:seconds}). Off,
 * this costs a field read per submission and a type check per run.
 *
 * <p><b>Locks.</b> {@link #lock} guards the idle P and idle carrier lists, the carrier count and
 * GOMAXPROCS changes. It is a {@link SpinLock}: never held while running goroutines, nothing
 * blocks under it, and a goroutine waiting for it never unmounts.
 */
final class Scheduler implements Executor {

    private final GoRuntime runtime;
    final SpinLock lock = new SpinLock();
    private volatile P[] allp;
    private volatile int gomaxprocs;
    private final ConcurrentLinkedQueue<Runnable> globalQueue = new ConcurrentLinkedQueue<>();
    /** Approximate length of the global queue (striped: the spawner and the carriers do not contend on it). */
    private final LongAdder globalLength = new LongAdder();
    private final ArrayDeque<P> idleP = new ArrayDeque<>(); // guarded by lock
    private final ArrayDeque<Carrier> idleM = new ArrayDeque<>(); // guarded by lock
    private final AtomicInteger npidle = new AtomicInteger();
    private final AtomicInteger nmspinning = new AtomicInteger();
    private int carrierCount; // guarded by lock
    private int carrierSequence; // guarded by lock
    private final int maxCarriers;
    final long handoffAfterNanos;
    private final Consumer<Runnable[]> overflowToGlobal = this::globalPutBatch;
    private volatile boolean shutdown;
    /** {@code N - 1} to sample one submission in N for scheduling latency; -1 for none. */
    private volatile int latencySampleMask = -1;

    final LongAdder steals = new LongAdder();
    final LongAdder handoffs = new LongAdder();
    final LongAdder hogs = new LongAdder();
    final LongAdder carrierParks = new LongAdder();

    final Sysmon sysmon;

    Scheduler(GoRuntime runtime, int gomaxprocs, long handoffAfterNanos, long sysmonTickNanos, int maxCarriers) {
        this.runtime = runtime;
        this.handoffAfterNanos = handoffAfterNanos;
        this.maxCarriers = maxCarriers;
        P[] ps = new P[gomaxprocs];
        for (int i = 0; i < gomaxprocs; i++) {
            ps[i] = new P(i);
            idleP.addLast(ps[i]);
        }
        npidle.set(gomaxprocs);
        this.allp = ps;
        this.gomaxprocs = gomaxprocs;
        this.sysmon = new Sysmon(this, runtime, sysmonTickNanos);
        sysmon.start();
    }

    // ---------------------------------------------------------------- submission

    @Override
    public void execute(Runnable task) {
        int sampleMask = latencySampleMask;
        if (sampleMask >= 0 && (ThreadLocalRandom.current().nextInt() & sampleMask) == 0) {
            task = new Stamped(task, System.nanoTime());
        }
        if (VirtualThreads.currentCarrier() instanceof Carrier m && m.scheduler == this) {
            int s = m.status();
            if (s == Carrier.IN_SCHEDULER) {
                P p = m.p;
                if (p != null) {
                    if (p.put(task, false, overflowToGlobal)) {
                        wakep();
                    }
                    return;
                }
            } else if (s == Carrier.RUNNING_G && m.casStatus(Carrier.RUNNING_G, Carrier.PUSHING)) {
                P p = m.p;
                boolean ringGotWork;
                if (Thread.currentThread() != m) {
                    // readied (or started) by the goroutine running here: it runs next
                    ringGotWork = p.put(task, true, overflowToGlobal);
                } else if (m.yieldRequested) {
                    m.yieldRequested = false;
                    m.setStatusRelease(Carrier.RUNNING_G);
                    globalPut(task);
                    wakep();
                    return;
                } else {
                    ringGotWork = p.put(task, false, overflowToGlobal);
                }
                m.setStatusRelease(Carrier.RUNNING_G);
                if (ringGotWork) {
                    wakep();
                }
                return;
            }
        }
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("the gonode scheduler is shut down");
        }
        Injection batch = INJECTION.get();
        if (batch != null && batch.add(this, task)) {
            return;
        }
        globalPut(task);
        wakep();
    }

    // ---------------------------------------------------------------- batch injection (Go's injectglist)

    /** The wake-up batch the current plain thread is collecting, or {@code null}. */
    private static final ThreadLocal<Injection> INJECTION = new ThreadLocal<>();

    /** Goroutines readied by one plain thread inside a batch, not yet in the global queue. */
    private static final class Injection {
        static final int CHUNK = 1024;
        Scheduler scheduler;
        final Runnable[] tasks = new Runnable[CHUNK];
        int n;

        /** Collects {@code task} for {@code s}; {@code false} if the batch belongs to another scheduler. */
        boolean add(Scheduler s, Runnable task) {
            if (scheduler == null) {
                scheduler = s;
            } else if (scheduler != s) {
                return false;
            }
            tasks[n++] = task;
            if (n == CHUNK) {
                flush();
            }
            return true;
        }

        void flush() {
            if (n > 0) {
                scheduler.inject(tasks, n);
                Arrays.fill(tasks, 0, n, null);
                n = 0;
            }
        }
    }

    /**
     * Starts collecting the goroutines that the current thread readies, until
     * {@link #endInjection}; returns {@code false} (and collects nothing) on a goroutine or a
     * carrier, whose wake-ups already go to their P, or inside another batch.
     */
    static boolean beginInjection() {
        if (VirtualThreads.currentCarrier() instanceof Carrier || INJECTION.get() != null) {
            return false;
        }
        INJECTION.set(new Injection());
        return true;
    }

    /** Ends the current thread's batch: every collected goroutine goes to its scheduler. */
    static void endInjection() {
        Injection batch = INJECTION.get();
        INJECTION.remove();
        if (batch != null) {
            batch.flush();
        }
    }

    /**
     * Puts {@code n} readied goroutines on the global queue at once and starts as many idle Ps as
     * there is work for (Go's {@code injectglist}): one append to the queue instead of one per
     * goroutine, and no carrier woken to find a queue that another carrier has just drained.
     */
    private void inject(Runnable[] tasks, int n) {
        globalQueue.addAll(Arrays.asList(tasks).subList(0, n));
        globalLength.add(n);
        for (int i = 0; i < n && npidle.get() > 0; i++) {
            startCarrier(null, false);
        }
    }

    /** A submission sampled for scheduling latency: the task and when it became runnable. */
    private record Stamped(Runnable task, long readyAt) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    /** Samples scheduling latency as {@code events} asks ({@link RuntimeEvents#schedLatencySampling()}). */
    void setLatencySampling(RuntimeEvents events) {
        int n = events.schedLatencySampling();
        if (n < 0 || Integer.bitCount(Math.max(n, 1)) != 1) {
            throw new IllegalArgumentException("schedLatencySampling must be 0 or a power of two, got " + n);
        }
        latencySampleMask = n == 0 ? -1 : n - 1;
    }

    /** Marks the carrier running the current goroutine so that its next re-submission goes global. */
    boolean requestYieldToGlobal() {
        if (VirtualThreads.currentCarrier() instanceof Carrier m && m.scheduler == this) {
            m.yieldRequested = true;
            return true;
        }
        return false;
    }

    /** Clears a yield request that did not lead to a re-submission (the goroutine was pinned). */
    void cancelYieldRequest() {
        if (VirtualThreads.currentCarrier() instanceof Carrier m && m.scheduler == this) {
            m.yieldRequested = false;
        }
    }

    private void globalPut(Runnable task) {
        globalQueue.offer(task);
        globalLength.increment();
    }

    private void globalPutBatch(Runnable[] batch) {
        for (Runnable task : batch) {
            globalQueue.offer(task);
        }
        globalLength.add(batch.length);
    }

    private Runnable globalPoll() {
        Runnable task = globalQueue.poll();
        if (task != null) {
            globalLength.decrement();
        }
        return task;
    }

    boolean globalNonEmpty() {
        return !globalQueue.isEmpty();
    }

    /** Takes one goroutine from the global queue and moves a fair share of the rest to {@code p}. */
    private Runnable globalGet(P p) {
        Runnable first = globalPoll();
        if (first == null) {
            return null;
        }
        long len = Math.max(0, globalLength.sum()) + 1; // approximate: the adder may lag the queue
        int batch = (int) Math.min(len / gomaxprocs + 1, P.LOCAL_QUEUE_SIZE / 2) - 1;
        for (int i = 0; i < batch; i++) {
            Runnable t = globalPoll();
            if (t == null) {
                break;
            }
            p.put(t, false, overflowToGlobal);
        }
        return first;
    }

    // ---------------------------------------------------------------- waking carriers

    /** Starts a spinning carrier if there is an idle P and nobody is spinning (Go's {@code wakep}). */
    void wakep() {
        if (npidle.get() == 0 || nmspinning.get() != 0 || !nmspinning.compareAndSet(0, 1)) {
            return;
        }
        startCarrier(null, true);
    }

    /**
     * Gives {@code p} (or an idle P) to an idle carrier, or to a new one (Go's {@code startm}).
     * With {@code spinning}, the caller has already counted the carrier in {@code nmspinning}.
     */
    void startCarrier(P p, boolean spinning) {
        Carrier created = null;
        Carrier woken = null;
        lock.lock();
        try {
            if (p == null) {
                p = idleP.pollFirst();
                if (p == null) {
                    if (spinning) {
                        nmspinning.decrementAndGet();
                    }
                    return;
                }
                npidle.decrementAndGet();
            }
            Carrier m = idleM.pollFirst();
            if (m == null) {
                if (carrierCount >= maxCarriers) {
                    runtime.fatal("gonode: program exceeds the " + maxCarriers + "-carrier limit"
                            + " (gonode.sched.max-carriers): too many goroutines are blocked in native code,"
                            + " file I/O or class initialisation at once");
                }
                carrierCount++;
                created = new Carrier(this, ++carrierSequence, p, spinning);
                p.owner = created;
            } else {
                p.owner = m;
                m.nextSpinning = spinning;
                m.nextP = p;
                woken = m;
            }
        } finally {
            lock.unlock();
        }
        if (created != null) {
            created.start();
        } else {
            LockSupport.unpark(woken);
        }
        sysmon.wake();
    }

    // ---------------------------------------------------------------- the carrier loop

    void carrierLoop(Carrier m) {
        try {
            for (;;) {
                Runnable task = findRunnable(m);
                if (task == null) {
                    return; // shut down, or an excess idle carrier
                }
                if (m.spinning) {
                    m.spinning = false;
                    if (nmspinning.decrementAndGet() == 0) {
                        wakep(); // keep one carrier looking while there may be more work
                    }
                }
                run(m, task);
            }
        } finally {
            lock.lock();
            try {
                carrierCount--;
            } finally {
                lock.unlock();
            }
        }
    }

    private void run(Carrier m, Runnable task) {
        if (task instanceof Stamped stamped) {
            task = stamped.task;
            runtime.events().schedLatency(System.nanoTime() - stamped.readyAt);
        }
        m.current = task;
        m.incrementSchedTick();
        m.setStatusRelease(Carrier.RUNNING_G);
        try {
            task.run();
        } catch (Throwable t) {
            runtime.internalError("a goroutine's continuation threw on " + m.getName(), t);
        }
        m.current = null;
        m.yieldRequested = false;
        if (!m.casStatus(Carrier.RUNNING_G, Carrier.IN_SCHEDULER)) {
            // sysmon handed our P to another carrier while the goroutine was blocked
            m.setStatus(Carrier.IN_SCHEDULER);
            m.p = null;
        }
    }

    /** Returns the next goroutine to run with {@code m.p} held, or {@code null} if {@code m} should exit. */
    private Runnable findRunnable(Carrier m) {
        for (;;) {
            if (shutdown) {
                return null;
            }
            P p = m.p;
            if (p == null) {
                if (!acquireIdleP(m)) {
                    if (!stopCarrier(m)) {
                        return null;
                    }
                }
                continue;
            }
            if (p.retired) {
                retire(m, p);
                continue;
            }
            if (p.timers.nextDeadline != Long.MAX_VALUE) {
                p.timers.runDue(System.nanoTime());
            }
            Runnable task;
            if (m.schedTick() % 61 == 0 && globalNonEmpty() && (task = globalPoll()) != null) {
                return task;
            }
            if ((task = p.get()) != null) {
                return task;
            }
            if ((task = globalGet(p)) != null) {
                return task;
            }
            if (m.spinning || 2 * nmspinning.get() < gomaxprocs - npidle.get()) {
                if (!m.spinning) {
                    m.spinning = true;
                    nmspinning.incrementAndGet();
                }
                if ((task = steal(p)) != null) {
                    return task;
                }
            }

            // Nothing to do: give up the P, then look once more before parking.
            p.clearIfEmpty();
            lock.lock();
            try {
                if (globalNonEmpty() && (task = globalPoll()) != null) {
                    return task;
                }
                releaseP(m, p);
            } finally {
                lock.unlock();
            }
            if (m.spinning) {
                m.spinning = false;
                nmspinning.decrementAndGet();
            }
            if (stealableWorkExists() && acquireIdleP(m)) {
                m.spinning = true;
                nmspinning.incrementAndGet();
                continue;
            }
            if (!stopCarrier(m)) {
                return null;
            }
        }
    }

    private Runnable steal(P p) {
        P[] ps = allp;
        int n = ps.length;
        if (n <= 1) {
            return null;
        }
        for (int round = 0; round < 4; round++) {
            int start = ThreadLocalRandom.current().nextInt(n);
            for (int i = 0; i < n; i++) {
                P victim = ps[(start + i) % n];
                if (victim == p) {
                    continue;
                }
                Runnable task = p.stealFrom(victim);
                if (task != null) {
                    steals.increment();
                    return task;
                }
            }
            if (globalNonEmpty()) {
                Runnable task = globalGet(p);
                if (task != null) {
                    return task;
                }
            }
        }
        return null;
    }

    private boolean stealableWorkExists() {
        if (globalNonEmpty()) {
            return true;
        }
        for (P p : allp) {
            if (p.ringNonEmpty()) {
                return true;
            }
        }
        return false;
    }

    private boolean acquireIdleP(Carrier m) {
        lock.lock();
        try {
            P p = idleP.pollFirst();
            if (p == null) {
                return false;
            }
            npidle.decrementAndGet();
            p.owner = m;
            m.p = p;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Called with {@link #lock} held. */
    private void releaseP(Carrier m, P p) {
        p.owner = null;
        m.p = null;
        if (!p.retired) {
            idleP.addLast(p);
            npidle.incrementAndGet();
        }
    }

    /** Parks an idle carrier until it is handed a P; returns {@code false} if it should exit instead. */
    private boolean stopCarrier(Carrier m) {
        lock.lock();
        try {
            if (shutdown || idleM.size() >= gomaxprocs) {
                return false; // enough idle carriers already (there were handoffs): let this one go
            }
            idleM.addLast(m);
        } finally {
            lock.unlock();
        }
        carrierParks.increment();
        P p = m.awaitP();
        if (p == null) {
            return false;
        }
        m.p = p;
        m.spinning = m.nextSpinning;
        return true;
    }

    /** The owner of a P that GOMAXPROCS no longer includes moves its work elsewhere and drops it. */
    private void retire(Carrier m, P p) {
        Runnable task;
        int moved = 0;
        while ((task = p.get()) != null) {
            globalPut(task);
            moved++;
        }
        p.timers.moveAllTo(allp[0].timers);
        lock.lock();
        try {
            releaseP(m, p);
        } finally {
            lock.unlock();
        }
        if (moved > 0) {
            wakep();
        }
    }

    // ---------------------------------------------------------------- sysmon's interface

    P[] allp() {
        return allp;
    }

    int idleProcs() {
        return npidle.get();
    }

    /**
     * Sysmon took {@code p} from its blocked carrier: give it to another carrier (or, for a retired P,
     * move its work to the global queue).
     */
    void handoff(P p) {
        handoffs.increment();
        if (p.retired) {
            Runnable task;
            while ((task = p.get()) != null) {
                globalPut(task);
            }
            p.timers.moveAllTo(allp[0].timers);
            p.owner = null;
            wakep();
            return;
        }
        startCarrier(p, false);
    }

    /** Sysmon found {@code runnext} waiting behind a busy goroutine for a whole tick: let others run it. */
    void releaseRunnext(P p) {
        Runnable task = p.takeRunnext();
        if (task != null) {
            globalPut(task);
            wakep();
        }
    }

    /** Runs due timers on every P; returns the earliest pending deadline. */
    long runDueTimers(long now) {
        long next = Long.MAX_VALUE;
        for (P p : allp) {
            if (p.timers.nextDeadline - now <= 0) {
                p.timers.runDue(now);
            }
            long d = p.timers.nextDeadline;
            if (d != Long.MAX_VALUE && (next == Long.MAX_VALUE || d - next < 0)) {
                next = d;
            }
        }
        return next;
    }

    // ---------------------------------------------------------------- timers

    TimerHeap.Entry scheduleTimer(long deadline, Runnable action) {
        P p = null;
        if (VirtualThreads.currentCarrier() instanceof Carrier m && m.scheduler == this) {
            p = m.p;
        }
        if (p == null) {
            P[] ps = allp;
            p = ps[(int) (Thread.currentThread().threadId() % ps.length)];
        }
        TimerHeap.Entry e = p.timers.add(deadline, action);
        sysmon.timerAdded(deadline);
        return e;
    }

    // ---------------------------------------------------------------- GOMAXPROCS

    int gomaxprocs() {
        return gomaxprocs;
    }

    /** Changes the number of Ps (Go's {@code procresize}); returns the previous number. */
    int setGomaxprocs(int n) {
        int old;
        lock.lock();
        try {
            old = gomaxprocs;
            P[] ps = allp;
            if (n > old) {
                P[] grown = Arrays.copyOf(ps, n);
                for (int i = old; i < n; i++) {
                    grown[i] = new P(i);
                    idleP.addLast(grown[i]);
                    npidle.incrementAndGet();
                }
                allp = grown;
            } else if (n < old) {
                for (int i = n; i < old; i++) {
                    P retired = ps[i];
                    retired.retired = true;
                    if (idleP.remove(retired)) {
                        npidle.decrementAndGet();
                        retired.timers.moveAllTo(ps[0].timers);
                    }
                }
                allp = Arrays.copyOf(ps, n);
            }
            gomaxprocs = n;
        } finally {
            lock.unlock();
        }
        if (n > old) {
            wakep();
        }
        return old;
    }

    // ---------------------------------------------------------------- stats and lifecycle

    int carriers() {
        lock.lock();
        try {
            return carrierCount;
        } finally {
            lock.unlock();
        }
    }

    int spinning() {
        return nmspinning.get();
    }

    long globalQueueLength() {
        return Math.max(0, globalLength.sum());
    }

    List<Integer> localQueueLengths() {
        P[] ps = allp;
        List<Integer> lengths = new ArrayList<>(ps.length);
        for (P p : ps) {
            lengths.add(p.length());
        }
        return lengths;
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** Stops the carriers and sysmon once they are idle (tests use private runtimes). */
    void shutdown() {
        shutdown = true;
        lock.lock();
        try {
            for (Carrier m : idleM) {
                LockSupport.unpark(m);
            }
        } finally {
            lock.unlock();
        }
        sysmon.shutdown();
    }
}
