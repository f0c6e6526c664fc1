package dev.gonode.runtime.metrics;

import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.SchedStats;
import dev.gonode.runtime.RuntimeHandle;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeHandles;
import dev.gonode.runtime.internal.sched.RuntimeEvents;
import dev.gonode.runtime.leak.LeakDetector;
import dev.gonode.runtime.leak.LeakReport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A Micrometer {@link MeterBinder} for a goroutine runtime. In Prometheus (names as a
 * {@code PrometheusMeterRegistry} writes them):
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code gonode_goroutines{state}}</td><td>gauge</td><td>live goroutines by state: runnable, running, waiting</td></tr>
 *   <tr><td>{@code gonode_goroutines_started_total}</td><td>counter</td><td>goroutines started (Go's
 *       {@code goroutines-created}; {@code _created} is a reserved OpenMetrics suffix)</td></tr>
 *   <tr><td>{@code gonode_goroutines_leaked_total}</td><td>counter</td><td>goroutines collected by the GC while parked:
 *       proven leaks, each one a bug (alert on any increase)</td></tr>
 *   <tr><td>{@code gonode_sched_gomaxprocs_threads}</td><td>gauge</td><td>GOMAXPROCS (Go's {@code go_sched_gomaxprocs_threads})</td></tr>
 *   <tr><td>{@code gonode_sched_procs_idle}</td><td>gauge</td><td>Ps without a carrier</td></tr>
 *   <tr><td>{@code gonode_sched_carriers_threads}</td><td>gauge</td><td>carrier threads (Go's Ms)</td></tr>
 *   <tr><td>{@code gonode_sched_spinning_threads}</td><td>gauge</td><td>carriers looking for work</td></tr>
 *   <tr><td>{@code gonode_sched_global_queue_goroutines}</td><td>gauge</td><td>goroutines in the global run queue</td></tr>
 *   <tr><td>{@code gonode_sched_local_queue_goroutines{p}}</td><td>gauge</td><td>goroutines in each P's local run queue</td></tr>
 *   <tr><td>{@code gonode_sched_steals_total}, {@code _handoffs_total}, {@code _hogs_total}, {@code _parks_total}</td><td>counter</td><td>work steals, carrier handoffs, CPU hogs seen, goroutine parks</td></tr>
 *   <tr><td>{@code gonode_sched_latencies_seconds}</td><td>histogram</td><td>time from runnable to running, sampled (Go's {@code go_sched_latencies_seconds})</td></tr>
 *   <tr><td>{@code gonode_sched_info{scheduler,weak_container}}</td><td>gauge</td><td>1, labelled with the scheduler in use</td></tr>
 *   <tr><td>{@code gonode_leak_growing_sites}</td><td>gauge</td><td>creation sites whose live count rose at every one
 *       of the detector's last {@code growthChecks} checks: sustained growth, a leak in progress (with a detector)</td></tr>
 *   <tr><td>{@code gonode_leak_long_waiting_goroutines}</td><td>gauge</td><td>information, not a leak: goroutines parked
 *       longer than the threshold at the last check, idle pools included (with a detector)</td></tr>
 * </table>
 *
 * <pre>{@code
 * GonodeMetrics metrics = new GonodeMetrics(RuntimeHandle.processWide()).leakDetector(detector);
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>Implementation notes. Gauges read one shared snapshot (scheduler stats and goroutine states)
 * that is at most {@link #SNAPSHOT_TTL} old, so a scrape walks the registry once however many
 * gauges it reads: counting states is O(goroutines) field reads, no stack walks. Scheduling
 * latency is measured by the scheduler on one submission in {@link #latencySampling(int) N}
 * (default 64) and recorded here into a timer with fixed buckets from 1 µs to 10 s; the cost when
 * no binder asks for it is a field read per submission. Per-P gauges are registered for the Ps
 * that exist at bind time; a P removed by lowering GOMAXPROCS reads NaN, and Ps added later are
 * not shown until the next bind.
 */
// Micrometer is an optional dependency of the module (requires static): who binds the metrics brings it.
@SuppressWarnings("exports")
public final class GonodeMetrics implements MeterBinder, AutoCloseable {

    /** How long a snapshot serves gauge reads. */
    public static final Duration SNAPSHOT_TTL = Duration.ofMillis(100);

    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(1_000), Duration.ofNanos(5_000), Duration.ofNanos(10_000), Duration.ofNanos(50_000),
            Duration.ofNanos(100_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final GoRuntime runtime;
    private final Iterable<Tag> tags;
    private LeakDetector detector;
    private int latencySampling = 64;
    private boolean bound;
    private LatencyEvents latencyEvents; // null when latency is not sampled
    private volatile Snapshot snapshot;

    /** Metrics of {@code runtime}, with {@code tags} on every meter. */
    public GonodeMetrics(RuntimeHandle runtime, Iterable<Tag> tags) {
        this.runtime = RuntimeHandles.of(runtime);
        this.tags = Objects.requireNonNull(tags, "tags");
    }

    /** Metrics of {@code runtime} (tests and embedders that run a runtime of their own). */
    public GonodeMetrics(RuntimeHandle runtime) {
        this(runtime, Tags.empty());
    }

    /** Metrics of the process-wide runtime behind {@link dev.gonode.runtime.Go}. */
    public GonodeMetrics() {
        this(GoRuntime.get());
    }

    /** Adds the leak gauges, read from {@code detector}'s latest check. Call before {@link #bindTo}. */
    public synchronized GonodeMetrics leakDetector(LeakDetector detector) {
        checkNotBound();
        this.detector = Objects.requireNonNull(detector, "detector");
        return this;
    }

    /**
     * Measures scheduling latency on one goroutine submission in {@code n} (a power of two; 0 turns
     * the histogram off). Call before {@link #bindTo}.
     */
    public synchronized GonodeMetrics latencySampling(int n) {
        checkNotBound();
        if (n < 0 || (n != 0 && Integer.bitCount(n) != 1)) {
            throw new IllegalArgumentException("latency sampling must be 0 (off) or a power of two such as 64, got " + n);
        }
        this.latencySampling = n;
        return this;
    }

    private void checkNotBound() {
        if (bound) {
            throw new IllegalStateException("GonodeMetrics is already bound to a registry; configure it before bindTo");
        }
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        bound = true;
        for (GoroutineState state : List.of(GoroutineState.RUNNABLE, GoroutineState.RUNNING, GoroutineState.WAITING)) {
            Gauge.builder("gonode.goroutines", this, m -> m.snapshot().states.get(state))
                    .description("Live goroutines by scheduling state")
                    .tags(tags).tag("state", state.goName())
                    .register(registry);
        }
        FunctionCounter.builder("gonode.goroutines.started", this, m -> m.snapshot().stats.created())
                .description("Goroutines started").tags(tags).register(registry);
        FunctionCounter.builder("gonode.goroutines.leaked", runtime, rt -> rt.registry().leakedTotal())
                .description("Proven goroutine leaks: goroutines the garbage collector collected while parked,"
                        + " which nothing could ever wake. Each is a bug; alert on any increase")
                .tags(tags).register(registry);

        gauge(registry, "gonode.sched.gomaxprocs", "threads", "The number of Ps (GOMAXPROCS)", s -> s.gomaxprocs());
        gauge(registry, "gonode.sched.procs.idle", null, "Ps without a carrier", s -> s.idleProcs());
        gauge(registry, "gonode.sched.carriers", "threads", "Carrier threads (Go's Ms), busy or idle", s -> s.carriers());
        gauge(registry, "gonode.sched.spinning", "threads", "Carriers looking for work", s -> s.spinning());
        gauge(registry, "gonode.sched.global.queue", "goroutines", "Goroutines in the global run queue", s -> s.globalQueue());
        int ps = runtime.stats().localQueues().size();
        for (int p = 0; p < ps; p++) {
            int index = p;
            gauge(registry, "gonode.sched.local.queue", "goroutines", "Goroutines in a P's local run queue (with runnext)",
                    s -> index < s.localQueues().size() ? s.localQueues().get(index) : Double.NaN, Tag.of("p", Integer.toString(p)));
        }
        counter(registry, "gonode.sched.steals", "Successful steals from another P's run queue", SchedStats::steals);
        counter(registry, "gonode.sched.handoffs", "Ps taken from a blocked carrier and handed to another", SchedStats::handoffs);
        counter(registry, "gonode.sched.hogs", "Goroutines found busy on the CPU past the handoff threshold", SchedStats::hogs);
        counter(registry, "gonode.sched.parks", "Goroutine parks in gonode primitives", SchedStats::parks);
        SchedStats initial = runtime.stats();
        Gauge.builder("gonode.sched.info", () -> 1)
                .description("The scheduler goroutines run on")
                .tags(tags).tag("scheduler", initial.scheduler()).tag("weak_container", Boolean.toString(initial.weakContainer()))
                .register(registry);

        if (detector != null) {
            LeakDetector d = detector;
            Gauge.builder("gonode.leak.long.waiting", d, x -> longWaiting(x.lastReport()))
                    .description("Information, not a leak: goroutines parked longer than the leak detector's threshold"
                            + " at its last check, idle worker pools included. Alert on gonode_goroutines_leaked_total"
                            + " and gonode_leak_growing_sites instead")
                    .baseUnit("goroutines").tags(tags).register(registry);
            Gauge.builder("gonode.leak.growing.sites", d, x -> x.lastReport() == null ? 0 : x.lastReport().growth().size())
                    .description("Creation sites whose live goroutine count rose at every one of the leak detector's"
                            + " last " + d.options().growthChecks() + " checks (sustained growth: a leak in progress);"
                            + " 0 when none")
                    .tags(tags).register(registry);
        }

        if (latencySampling > 0) {
            Timer timer = Timer.builder("gonode.sched.latencies")
                    .description("Time goroutines spent runnable before running (sampled)")
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .tags(tags).register(registry);
            if (latencyEvents == null) {
                latencyEvents = new LatencyEvents(latencySampling);
                runtime.addEvents(latencyEvents);
            }
            latencyEvents.timers.add(timer); // one timer per registry bound to
        }
    }

    private static double longWaiting(LeakReport report) {
        return report == null ? 0 : report.longWaitingGoroutines();
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToDoubleFunction<SchedStats> f, Tag... extra) {
        Gauge.builder(name, this, m -> f.applyAsDouble(m.snapshot().stats))
                .description(description).baseUnit(unit).tags(tags).tags(List.of(extra)).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<SchedStats> f) {
        FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.snapshot().stats))
                .description(description).tags(tags).register(registry);
    }

    /** Stops the scheduling-latency sampling this binder asked for. */
    @Override
    public synchronized void close() {
        if (latencyEvents != null) {
            runtime.removeEvents(latencyEvents);
            latencyEvents = null;
        }
    }

    private Snapshot snapshot() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.takenAt > SNAPSHOT_TTL.toNanos()) {
            s = new Snapshot(now, runtime);
            snapshot = s;
        }
        return s;
    }

    private static final class Snapshot {
        final long takenAt;
        final SchedStats stats;
        final Map<GoroutineState, Double> states = new EnumMap<>(GoroutineState.class);

        Snapshot(long takenAt, GoRuntime runtime) {
            this.takenAt = takenAt;
            this.stats = runtime.stats();
            long[] counts = new long[GoroutineState.values().length];
            runtime.registry().goroutines().forEach(g -> counts[g.state().ordinal()]++);
            for (GoroutineState state : GoroutineState.values()) {
                states.put(state, (double) counts[state.ordinal()]);
            }
        }
    }

    /** Receives the scheduler's sampled scheduling latencies. */
    private static final class LatencyEvents implements RuntimeEvents {
        final List<Timer> timers = new CopyOnWriteArrayList<>();
        private final int sampling;

        LatencyEvents(int sampling) {
            this.sampling = sampling;
        }

        @Override
        public int schedLatencySampling() {
            return sampling;
        }

        @Override
        public void schedLatency(long nanos) {
            for (Timer timer : timers) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }
}
