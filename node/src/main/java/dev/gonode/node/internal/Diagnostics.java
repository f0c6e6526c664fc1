package dev.gonode.node.internal;

import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.jfr.GonodeJfr;
import dev.gonode.runtime.leak.LeakDetector;
import dev.gonode.runtime.leak.LeakDetectorOptions;
import dev.gonode.runtime.leak.LeakReport;
import dev.gonode.runtime.metrics.GonodeMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's telemetry and the admin endpoints that expose it: the Prometheus registry behind
 * {@code GET /metrics}, the run-time leak detector behind {@code GET /debug/leaks}, and JDK Flight
 * Recorder behind {@code POST /debug/jfr/start}, {@code POST /debug/jfr/stop} and
 * {@code GET /debug/jfr/dump}.
 *
 * <p>One registry holds everything, so one scrape has it all: JVM metrics (memory, GC, threads,
 * class loading, CPU, uptime), the gonode runtime's binder, the job metrics
 * ({@link JobTelemetry}) and, through Vert.x's Micrometer integration, the HTTP servers'. The
 * scrape is Prometheus text by default and OpenMetrics when the {@code Accept} header asks for
 * {@code application/openmetrics-text}.
 *
 * <p>At most one JFR recording started here runs at a time; it may be stopped and dumped, and a
 * new start replaces a stopped one. A dump is written to a temporary file and streamed, then
 * deleted.
 */
public final class Diagnostics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Diagnostics.class);
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final GonodeMetrics runtimeMetrics;
    private final LeakDetector leaks;
    private final GonodeJfr.Installation jfr;
    private Recording recording; // guarded by this

    public Diagnostics() {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        leaks = LeakDetector.create(LeakDetectorOptions.defaults()).start();
        runtimeMetrics = new GonodeMetrics().leakDetector(leaks);
        runtimeMetrics.bindTo(registry);
        jfr = GonodeJfr.install();
    }

    /** The registry every meter of the node goes to. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The job metrics and JFR job events, reporting to {@link #registry()}. */
    public JobTelemetry jobTelemetry() {
        return new JobTelemetry(registry);
    }

    /** Adds the diagnostics routes to the admin router. */
    void routes(Router router) {
        router.get("/metrics").handler(this::metrics);
        router.get("/debug/leaks").handler(this::leaks);
        router.post("/debug/jfr/start").handler(this::startRecording);
        router.post("/debug/jfr/stop").handler(this::stopRecording);
        router.get("/debug/jfr/dump").handler(this::dumpRecording);
    }

    private void metrics(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
        String contentType = openMetrics ? OPENMETRICS : PROMETHEUS_TEXT;
        ctx.response().putHeader("Content-Type", contentType).end(registry.scrape(contentType));
    }

    private void leaks(RoutingContext ctx) {
        LeakReport report = leaks.check();
        if ("text".equals(ctx.request().getParam("format"))) {
            ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(report.format());
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("time", report.time().toString());
        body.put("goroutines", report.goroutines());
        body.put("clean", report.isEmpty());
        body.put("longWaits", report.longWaits().stream().map(w -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", w.count());
            m.put("waitReason", w.reason() == null ? null : w.reason().goName());
            m.put("longest", GoDuration.format(w.longest()));
            m.put("createdAt", String.valueOf(w.creationSite()));
            m.put("waitingAt", String.valueOf(w.waitSite()));
            m.put("goroutineIds", w.goroutineIds());
            return m;
        }).toList());
        body.put("provenLeaks", report.provenLeaks().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id());
            m.put("name", p.name());
            m.put("parentId", p.parentId());
            m.put("labels", p.labels());
            m.put("waitReason", p.reason() == null ? null : p.reason().goName());
            m.put("createdAt", String.valueOf(p.creationSite()));
            m.put("waitSite", p.waitSite().stream().map(String::valueOf).toList());
            return m;
        }).toList());
        body.put("growth", report.growth().stream().map(g -> Map.of(
                "createdAt", String.valueOf(g.creationSite()), "counts", g.counts())).toList());
        Json.respond(ctx, 200, body, true);
    }

    private void startRecording(RoutingContext ctx) {
        String settings = param(ctx, "settings", "gonode");
        Configuration configuration;
        try {
            configuration = switch (settings) {
                case "gonode" -> GonodeJfr.configuration();
                case "default", "profile" -> Configuration.getConfiguration(settings);
                default -> null;
            };
        } catch (IOException | ParseException e) {
            ctx.fail(e);
            return;
        }
        if (configuration == null) {
            Json.error(ctx, 400, "bad_request", "?settings=" + JobRouter.cap(settings)
                    + " is not known; use default, profile or gonode");
            return;
        }
        Duration duration;
        long maxSize;
        try {
            String d = ctx.request().getParam("duration");
            duration = d == null ? null : GoDuration.parse(d);
            String s = ctx.request().getParam("max-size");
            maxSize = s == null ? 0 : parseSize(s);
        } catch (IllegalArgumentException e) {
            Json.error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            Json.error(ctx, 400, "bad_request", "?duration must be positive, such as 30s or 5m");
            return;
        }
        synchronized (this) {
            if (recording != null && recording.getState() == RecordingState.RUNNING) {
                Json.error(ctx, 409, "conflict", "a recording is already running; stop it first (POST /debug/jfr/stop)");
                return;
            }
            if (recording != null) {
                recording.close();
            }
            recording = new Recording(configuration);
            recording.setName("gonode-admin");
            recording.setToDisk(true);
            if (duration != null) {
                recording.setDuration(duration);
            }
            if (maxSize > 0) {
                recording.setMaxSize(maxSize);
            }
            recording.start();
        }
        LOG.info("JFR recording started through the admin port (settings {}, duration {})", settings,
                duration == null ? "until stopped" : GoDuration.format(duration));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "recording");
        body.put("settings", settings);
        body.put("duration", duration == null ? null : GoDuration.format(duration));
        Json.respond(ctx, 200, body, false);
    }

    private void stopRecording(RoutingContext ctx) {
        synchronized (this) {
            if (recording == null || recording.getState() != RecordingState.RUNNING) {
                Json.error(ctx, 409, "conflict", "no recording is running; start one with POST /debug/jfr/start");
                return;
            }
            recording.stop();
        }
        Json.respond(ctx, 200, Map.of("status", "stopped"), false);
    }

    private void dumpRecording(RoutingContext ctx) {
        Path file;
        synchronized (this) {
            if (recording == null) {
                Json.error(ctx, 404, "not_found", "there is no recording to dump; start one with POST /debug/jfr/start");
                return;
            }
            try {
                file = Files.createTempFile("gonode-", ".jfr");
                recording.dump(file);
            } catch (IOException e) {
                ctx.fail(e);
                return;
            }
        }
        ctx.response()
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Content-Disposition", "attachment; filename=\"gonode.jfr\"")
                .sendFile(file.toString())
                .onComplete(done -> {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        LOG.warn("cannot delete the temporary recording {}", file, e);
                    }
                });
    }

    private static String param(RoutingContext ctx, String name, String otherwise) {
        String value = ctx.request().getParam(name);
        return value == null ? otherwise : value;
    }

    /** {@code 100MB}, {@code 512k}, {@code 1g} or a byte count. */
    static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("k")) {
            unit = 1L << 10;
        } else if (t.endsWith("m")) {
            unit = 1L << 20;
        } else if (t.endsWith("g")) {
            unit = 1L << 30;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("?max-size=" + JobRouter.cap(text)
                    + " is not a size; use bytes or a number with k, m or g, such as 100m");
        }
    }

    @Override
    public synchronized void close() {
        if (recording != null) {
            recording.close();
        }
        jfr.close();
        leaks.close();
        runtimeMetrics.close();
        gcMetrics.close();
        registry.close();
    }
}
