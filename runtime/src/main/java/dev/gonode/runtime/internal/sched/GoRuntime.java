package dev.gonode.runtime.internal.sched;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.Labels;
import dev.gonode.runtime.PanicHandler;
import dev.gonode.runtime.RuntimeHandle;
import dev.gonode.runtime.SchedStats;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A goroutine runtime: a scheduler, its goroutine registry and the policies around them. The
 * process-wide one behind {@code Go} is {@link #get()}; tests create private ones.
 *
 * <p>Starting a goroutine: allocate its id and record (parent, labels inherited from the creator,
 * creation site), build an unstarted virtual thread on this runtime's scheduler, make the record
 * its uncaught-exception handler, register it, and start it in gonode's weak thread container.
 * If the JDK refuses the custom scheduler, goroutines run on the JDK's default virtual-thread
 * scheduler (parallelism = GOMAXPROCS), the reason is logged once and reported in the stats.
 */
public final class GoRuntime implements RuntimeHandle {

    private static final System.Logger LOG = System.getLogger("dev.gonode.runtime");
    private static final MethodHandle START_IN_CONTAINER;
    private static final String CONTAINER_UNAVAILABLE_REASON;

    static {
        PollerMode.keepPollersOnPlatformThreads();
        MethodHandle start = null;
        String reason = null;
        try {
            Class<?> containerClass = Class.forName("jdk.internal.vm.ThreadContainer");
            start = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findVirtual(Thread.class, "start", MethodType.methodType(void.class, containerClass))
                    .asType(MethodType.methodType(void.class, Thread.class, Object.class));
            // Loading the subclass fails here, not later, when jdk.internal.vm is not exported to us.
            Class.forName(GoroutineContainer.class.getName());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            start = null;
            reason = "goroutines are tracked by the JDK's root container, so leaked ones cannot be collected ("
                    + e + "); start the JVM with --add-exports java.base/jdk.internal.vm=ALL-UNNAMED";
        }
        START_IN_CONTAINER = start;
        CONTAINER_UNAVAILABLE_REASON = reason;
    }

    private static volatile GoRuntime defaultRuntime;

    private final RuntimeConfig config;
    private final Scheduler scheduler; // null on the JDK's default scheduler
    private final String fallbackReason;
    private final ThreadFactory threads;
    private final GoroutineRegistry registry = new GoroutineRegistry();
    private final Object container; // a GoroutineContainer, or null
    private final CreationSites creationSites;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder parks = new LongAdder();
    private final int fallbackParallelism;
    private volatile PanicHandler panicHandler;
    private volatile RuntimeEvents events = RuntimeEvents.NONE;
    private final List<RuntimeEvents> eventListeners = new java.util.ArrayList<>(); // guarded by itself

    /** Creates a runtime with its own scheduler (falling back to the JDK's when it must). */
    public GoRuntime(RuntimeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.creationSites = new CreationSites(config.fullCreationStacks());
        Scheduler sched = null;
        ThreadFactory factory;
        String reason = config.forceJdkScheduler() ? "forced by gonode.sched=jdk-default" : VirtualThreads.UNAVAILABLE_REASON;
        if (reason == null) {
            sched = new Scheduler(this, config.gomaxprocs(), config.handoffAfter().toNanos(),
                    config.sysmonTick().toNanos(), config.maxCarriers());
            factory = VirtualThreads.builder(sched).factory();
        } else {
            if (System.getProperty("jdk.virtualThreadScheduler.parallelism") == null) {
                System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(config.gomaxprocs()));
            }
            factory = Thread.ofVirtual().factory();
            LOG.log(System.Logger.Level.WARNING, "gonode runs goroutines on the JDK's default virtual-thread scheduler: " + reason);
        }
        this.scheduler = sched;
        this.fallbackReason = reason;
        this.fallbackParallelism = config.gomaxprocs();
        this.threads = factory;
        Object c = null;
        if (START_IN_CONTAINER != null && sched != null) {
            c = new GoroutineContainer(registry);
        }
        this.container = c;
    }

    /** The process-wide runtime, configured from the environment and system properties. */
    public static GoRuntime get() {
        GoRuntime rt = defaultRuntime;
        if (rt == null) {
            synchronized (GoRuntime.class) {
                rt = defaultRuntime;
                if (rt == null) {
                    rt = new GoRuntime(RuntimeConfig.fromEnvironment());
                    defaultRuntime = rt;
                }
            }
        }
        return rt;
    }

    /** The runtime of the current goroutine, or the process-wide one. */
    public static GoRuntime current() {
        G g = G.current();
        return g != null ? g.runtime() : get();
    }

    // ---------------------------------------------------------------- goroutines

    /**
     * Starts a goroutine running {@code body}. {@code siteKey} is the object whose class identifies
     * the creation site (the user's {@code Runnable} when {@code body} wraps it).
     */
    public G go(String name, Runnable body, Object siteKey) {
        Objects.requireNonNull(body, "body");
        G parent = G.current();
        long id = ids.incrementAndGet();
        Map<String, String> labels = parent != null ? parent.labels() : Labels.current();
        List<StackTraceElement> site = creationSites.siteOf(siteKey);
        Body task = new Body(body, registry);
        Thread thread = threads.newThread(task);
        if (name != null) {
            thread.setName(name);
        }
        G g = new G(this, thread, registry.collected, id, parent != null ? parent.id() : 0, name, labels, site);
        thread.setUncaughtExceptionHandler(g);
        task.g = g;
        registry.add(g);
        try {
            if (container != null) {
                START_IN_CONTAINER.invokeExact(thread, container);
            } else {
                thread.start();
            }
        } catch (Throwable t) {
            registry.remove(g);
            g.markFinished();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("cannot start goroutine " + id, t);
        }
        return g;
    }

    /** A goroutine's body: runs the user's code, then retires the goroutine's record. */
    private static final class Body implements Runnable {
        private final Runnable body;
        private final GoroutineRegistry registry;
        G g;

        Body(Runnable body, GoroutineRegistry registry) {
            this.body = body;
            this.registry = registry;
        }

        @Override
        public void run() {
            try {
                body.run();
            } finally {
                g.markFinished();
                registry.remove(g);
            }
        }
    }

    /** Go's {@code Gosched}: lets other goroutines run; the caller continues from the global queue. */
    public void yieldNow() {
        if (scheduler != null && scheduler.requestYieldToGlobal()) {
            Thread.yield();
            scheduler.cancelYieldRequest();
        } else {
            Thread.yield();
        }
    }

    public GoroutineRegistry registry() {
        return registry;
    }

    // ---------------------------------------------------------------- GOMAXPROCS and stats

    public int gomaxprocs() {
        return scheduler != null ? scheduler.gomaxprocs() : fallbackParallelism;
    }

    /** Sets GOMAXPROCS; returns the previous value. */
    public int gomaxprocs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("GOMAXPROCS must be at least 1, got " + n);
        }
        if (scheduler == null) {
            throw new IllegalStateException("GOMAXPROCS cannot change at run time on the JDK's default scheduler,"
                    + " which gonode fell back to: " + fallbackReason);
        }
        return scheduler.setGomaxprocs(n);
    }

    public SchedStats stats() {
        if (scheduler == null) {
            return new SchedStats("jdk-default", fallbackReason, fallbackParallelism, 0, 0, 0, 0, List.of(),
                    registry.count(), ids.get(), 0, 0, 0, parks.sum(), 0, container != null);
        }
        return new SchedStats("gonode", null, scheduler.gomaxprocs(), scheduler.idleProcs(), scheduler.carriers(),
                scheduler.spinning(), scheduler.globalQueueLength(), scheduler.localQueueLengths(),
                registry.count(), ids.get(), scheduler.steals.sum(), scheduler.handoffs.sum(),
                scheduler.hogs.sum(), parks.sum(), scheduler.carrierParks.sum(), container != null);
    }

    /** Why goroutines are not in the weak container, or {@code null} when they are. */
    public String containerUnavailableReason() {
        return container != null ? null : CONTAINER_UNAVAILABLE_REASON;
    }

    public RuntimeConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- timers and parking

    /** Schedules {@code action} on this runtime's timers; see {@link Timers}. */
    Timers.Timer scheduleTimer(long deadline, Runnable action) {
        if (scheduler != null) {
            return scheduler.scheduleTimer(deadline, action);
        }
        return FallbackTimers.INSTANCE.schedule(deadline, action);
    }

    void countPark() {
        parks.increment();
    }

    /**
     * The capture of the current stack to remember as a goroutine's wait site, when wait sites are
     * recorded: a {@code Throwable}, whose frames are resolved only if someone asks
     * ({@link G#waitSite()}); capturing is the cheapest stack walk the JVM offers.
     */
    Throwable waitSite() {
        return config.waitSites() == RuntimeConfig.WaitSites.OFF ? null : new Throwable("wait site");
    }

    // ---------------------------------------------------------------- panics, events, errors

    public void setPanicHandler(PanicHandler handler) {
        this.panicHandler = handler;
    }

    /**
     * Installs a diagnostics listener (JFR, metrics) next to those already installed.
     *
     * @throws IllegalArgumentException if its scheduling-latency sampling rate is not 0 or a power of two
     */
    public void addEvents(RuntimeEvents listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (eventListeners) {
            List<RuntimeEvents> next = new java.util.ArrayList<>(eventListeners);
            next.add(listener);
            installEvents(next); // throws before anything changes if the listener is unusable
            eventListeners.add(listener);
        }
    }

    /** Removes a listener installed with {@link #addEvents}; does nothing if it is not installed. */
    public void removeEvents(RuntimeEvents listener) {
        synchronized (eventListeners) {
            if (eventListeners.remove(listener)) {
                installEvents(eventListeners);
            }
        }
    }

    private void installEvents(List<RuntimeEvents> listeners) {
        RuntimeEvents combined = RuntimeEvents.combine(List.copyOf(listeners));
        if (scheduler != null) {
            scheduler.setLatencySampling(combined);
        }
        this.events = combined;
    }

    /** The installed diagnostics listeners, combined ({@link RuntimeEvents#NONE} when there are none). */
    public RuntimeEvents events() {
        return events;
    }

    void panicked(G g, Throwable panic) {
        PanicHandler handler = panicHandler;
        if (handler != null) {
            try {
                handler.panicked(g, panic);
            } catch (Throwable t) {
                printPanic(g, t, System.err);
            }
            return;
        }
        printPanic(g, panic, System.err);
        if (config.exitOnPanic()) {
            System.err.flush();
            Runtime.getRuntime().halt(2);
        }
    }

    /** Prints a panic in Go's shape: {@code panic: ...}, then the goroutine's traceback. */
    public static void printPanic(Goroutine g, Throwable panic, PrintStream out) {
        StringBuilder sb = new StringBuilder();
        sb.append("panic: ").append(panic);
        for (Throwable cause = panic.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            sb.append("\n\tcaused by: ").append(cause);
        }
        sb.append("\n\ngoroutine ").append(g.id()).append(" [running]:\n");
        for (StackTraceElement frame : panic.getStackTrace()) {
            GoStack.appendFrame(sb, frame);
        }
        List<StackTraceElement> site = g.creationSite();
        if (!site.isEmpty()) {
            sb.append("created by ").append(GoStack.function(site.get(0)));
            if (g.parentId() != 0) {
                sb.append(" in goroutine ").append(g.parentId());
            }
            sb.append("\n\t").append(GoStack.location(site.get(0))).append('\n');
        }
        out.print(sb);
        out.flush();
    }

    void fatal(String message) {
        System.err.println("fatal error: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }

    void internalError(String message, Throwable t) {
        LOG.log(System.Logger.Level.ERROR, message, t);
    }

    /** Stops a private runtime's carriers and sysmon once idle. The process-wide runtime is never shut down. */
    public void shutdown() {
        if (this == defaultRuntime) {
            throw new IllegalStateException("the process-wide runtime cannot be shut down");
        }
        if (scheduler != null) {
            scheduler.shutdown();
        }
    }

    /** How long sysmon lets a carrier stay blocked under one goroutine before handing its P off. */
    public Duration handoffAfter() {
        return config.handoffAfter();
    }
}
