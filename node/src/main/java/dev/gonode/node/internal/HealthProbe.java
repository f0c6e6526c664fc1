package dev.gonode.node.internal;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /healthz}: the scheduler answers. Each request starts a probe goroutine; the node is
 * healthy when that goroutine runs within the bound, so a wedged or hopelessly overloaded
 * scheduler fails the liveness probe instead of hiding behind a responsive event loop.
 *
 * <p>Answers {@code 200 {"status":"ok"}}, or {@code 503} with {@code status} {@code unavailable}
 * and an {@code error} naming what failed.
 *
 * <p>Implementation notes: the handler never blocks the event loop. It arms a Vert.x timer for the
 * bound, then launches the probe; the probe only hops back onto the request's context. Whichever
 * of probe and timer comes first wins the {@code answered} flag and answers; the other does
 * nothing. The timer is armed before the launch, so the probe can always cancel it.
 */
public final class HealthProbe {

    private static final Logger LOG = LoggerFactory.getLogger(HealthProbe.class);

    /** The default bound: far above a healthy scheduler's latency (micro- to milliseconds). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    private final Duration timeout;
    private final Consumer<Runnable> launcher;

    /**
     * A probe that runs {@code launcher}'s task within {@code timeout}. The node launches with
     * {@link #onGoroutine(Duration)}; tests pass launchers that never run the task.
     */
    public HealthProbe(Duration timeout, Consumer<Runnable> launcher) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        this.launcher = Objects.requireNonNull(launcher, "launcher");
    }

    /** A probe that runs as a goroutine named {@code healthz-probe} on the gonode runtime. */
    public static HealthProbe onGoroutine(Duration timeout) {
        return new HealthProbe(timeout, task -> Go.go("healthz-probe", task));
    }

    /** Handles {@code GET /healthz}. */
    public void handle(RoutingContext ctx) {
        Vertx vertx = ctx.vertx();
        Context context = vertx.getOrCreateContext();
        AtomicBoolean answered = new AtomicBoolean();
        long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            if (answered.compareAndSet(false, true)) {
                String message = "a probe goroutine did not run within " + GoDuration.format(timeout)
                        + ": the scheduler is stuck or overloaded; see /debug/sched";
                LOG.warn("healthz: {}", message);
                unavailable(ctx, "scheduler_unresponsive", message);
            }
        });
        try {
            launcher.accept(() -> context.runOnContext(v -> {
                if (answered.compareAndSet(false, true)) {
                    vertx.cancelTimer(timer);
                    Json.respond(ctx, 200, Map.of("status", "ok"), false);
                }
            }));
        } catch (RuntimeException e) {
            if (answered.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                String message = "cannot start a probe goroutine: " + e;
                LOG.warn("healthz: {}", message);
                unavailable(ctx, "probe_failed", message);
            }
        }
    }

    private static void unavailable(RoutingContext ctx, String code, String message) {
        Json.respond(ctx, 503, new Unavailable("unavailable", new Json.Error(code, message)), false);
    }

    /** The 503 body: {@code {"status":"unavailable","error":{"code":...,"message":...}}}. */
    record Unavailable(String status, Json.Error error) {
    }
}
