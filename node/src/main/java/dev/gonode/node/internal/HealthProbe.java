package dev.gonode.node.internal;

import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /healthz}, liveness: the scheduler still runs goroutines. A probe goroutine is started
 * every {@code health.probe-interval}; the node is live unless the current probe has been waiting
 * to run for longer than {@code health.liveness-timeout}. A saturated scheduler runs the probe late
 * (that is latency, visible in the metrics) and stays live; only one that has stopped running
 * goroutines for the whole timeout fails, because a failed liveness probe gets the pod killed.
 *
 * <p>Answers {@code 200 {"status":"ok","probeLatency":"..."}} at once, or {@code 503} with
 * {@code status} {@code unavailable} and an {@code error} naming what failed. Exports
 * {@code gonode_health_probe_latency_seconds} (how long each probe waited to run, a histogram) and
 * {@code gonode_health_probe_pending_seconds} (how long the current probe has been waiting; 0 when
 * none is).
 *
 * <p>Implementation notes. At most one probe is pending at a time: a tick while one is pending
 * starts none, so a wedged scheduler does not pile up probes, and the pending probe's age is
 * exactly how long the scheduler has failed to run it. The probe only clears the pending slot (by
 * compare-and-set, so a late probe cannot clear a newer one) and records its latency. The ticks
 * run on a Vert.x timer and {@code /healthz} only reads the state, so an answer never waits for
 * the scheduler: it comes within the kubelet's probe timeout even when the scheduler is wedged.
 */
public final class HealthProbe {

    private static final Logger LOG = LoggerFactory.getLogger(HealthProbe.class);

    /** A probe started at {@code startedAt} (clock nanoseconds) that has not run yet. */
    private record Pending(long startedAt) {
    }

    private final Duration livenessTimeout;
    private final Duration interval;
    private final Consumer<Runnable> launcher;
    private final LongSupplier clock;
    private final Timer latency;
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private volatile long lastLatencyNanos = -1;
    private volatile RuntimeException launchFailure;

    /**
     * A probe that starts its task through {@code launcher} and reads time from {@code nanoClock}.
     * The node uses {@link #onGoroutine}; tests pass launchers that never run the task and a clock
     * they move.
     */
    public HealthProbe(NodeConfig.Health settings, Consumer<Runnable> launcher, LongSupplier nanoClock,
                       MeterRegistry registry) {
        this.livenessTimeout = positive(settings.livenessTimeout(), "liveness timeout");
        this.interval = positive(settings.probeInterval(), "probe interval");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.latency = Timer.builder("gonode.health.probe.latency")
                .description("How long each liveness probe goroutine waited to run (scheduler latency seen by /healthz)")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), livenessTimeout)
                .register(registry);
        Gauge.builder("gonode.health.probe.pending", this, HealthProbe::pendingSeconds)
                .description("How long the current liveness probe goroutine has been waiting to run; 0 when none is")
                .baseUnit("seconds")
                .register(registry);
    }

    /** A probe whose task runs as a goroutine named {@code healthz-probe} on the gonode runtime. */
    public static HealthProbe onGoroutine(NodeConfig.Health settings, MeterRegistry registry) {
        return new HealthProbe(settings, task -> Go.go("healthz-probe", task), System::nanoTime, registry);
    }

    /** Starts a probe now and then every {@code health.probe-interval} until {@code vertx} closes. */
    public void start(Vertx vertx) {
        tick();
        vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> tick());
    }

    /** Starts a probe unless one is pending. */
    void tick() {
        Pending probe = new Pending(clock.getAsLong());
        if (!pending.compareAndSet(null, probe)) {
            return;
        }
        try {
            launcher.accept(() -> ran(probe));
            launchFailure = null;
        } catch (RuntimeException e) {
            pending.compareAndSet(probe, null);
            if (launchFailure == null) {
                LOG.warn("healthz: cannot start a probe goroutine: {}", e.toString());
            }
            launchFailure = e;
        }
    }

    private void ran(Pending probe) {
        long waited = clock.getAsLong() - probe.startedAt();
        if (pending.compareAndSet(probe, null)) {
            lastLatencyNanos = waited;
            latency.record(waited, TimeUnit.NANOSECONDS);
        }
    }

    private double pendingSeconds() {
        Pending probe = pending.get();
        return probe == null ? 0 : Math.max(0, clock.getAsLong() - probe.startedAt()) / 1e9;
    }

    /** Handles {@code GET /healthz}. */
    public void handle(RoutingContext ctx) {
        RuntimeException failure = launchFailure;
        if (failure != null) {
            unavailable(ctx, "probe_failed", "cannot start a probe goroutine: " + failure);
            return;
        }
        Pending probe = pending.get();
        long waited = probe == null ? 0 : clock.getAsLong() - probe.startedAt();
        if (probe != null && waited > livenessTimeout.toNanos()) {
            String message = "a probe goroutine has waited " + format(waited) + " to run, longer than"
                    + " health.liveness-timeout " + GoDuration.format(livenessTimeout) + ": the scheduler is wedged;"
                    + " see /debug/sched and /debug/pprof/goroutine?debug=2";
            LOG.warn("healthz: {}", message);
            unavailable(ctx, "scheduler_unresponsive", message);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        long last = lastLatencyNanos;
        if (last >= 0) {
            body.put("probeLatency", format(last));
        }
        if (probe != null) {
            body.put("probePendingFor", format(waited));
        }
        Json.respond(ctx, 200, body, false);
    }

    private static String format(long nanos) {
        return GoDuration.format(Duration.ofNanos(nanos).truncatedTo(ChronoUnit.MICROS));
    }

    private static Duration positive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }

    private static void unavailable(RoutingContext ctx, String code, String message) {
        Json.respond(ctx, 503, new Unavailable("unavailable", new Json.Error(code, message)), false);
    }

    /** The 503 body: {@code {"status":"unavailable","error":{"code":...,"message":...}}}. */
    record Unavailable(String status, Json.Error error) {
    }
}
