package dev.gonode.node.internal;

import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.jfr.GonodeJfr;
import dev.gonode.runtime.leak.LeakDetector;
import dev.gonode.runtime.leak.LeakDetectorOptions;
import dev.gonode.runtime.leak.LeakReport;
import dev.gonode.runtime.metrics.GonodeMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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
 *
 * <p>Nothing slow runs on an event loop: a scrape reads every goroutine's state, a leak check
 * walks every goroutine, and JFR's start, stop and dump write files, so each of these runs on a
 * goroutine of its own ({@link #onGoroutine}) and the answer is written through the request's
 * Vert.x context, as {@link GoroutineDumps} does for dumps. Each slow operation asserts that it is
 * off the event loops ({@link #assertOffEventLoop}), so a handler that called it directly fails
 * the tests, which run with assertions enabled.
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

    public Diagnostics(NodeConfig.Leaks leakSettings) {
        lintCleanProcessorMetrics();
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        leaks = LeakDetector.create(LeakDetectorOptions.defaults().withInterval(leakSettings.interval())
                .withWaitThreshold(leakSettings.waitThreshold())).start();
        runtimeMetrics = new GonodeMetrics().leakDetector(leaks);
        runtimeMetrics.bindTo(registry);
        jfr = GonodeJfr.install();
    }

    /**
     * Keeps the whole scrape clean for {@code promtool check metrics}: Micrometer's
     * {@link ProcessorMetrics} names two meters against Prometheus's conventions. Its process CPU
     * time counter in nanoseconds ({@code process_cpu_time_ns_total}: "abbreviated units") is
     * replaced by Prometheus's standard {@code process_cpu_seconds_total}, and its processor count
     * gauge ({@code system_cpu_count}: "_count" is a histogram's suffix) is renamed
     * {@code system_cpus}. Filters apply to meters registered after them, so this runs first.
     */
    private void lintCleanProcessorMetrics() {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, b -> b.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time the node's process has used, in seconds")
                    .register(registry);
        }
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

    /** The work of a slow admin endpoint: runs on a goroutine, returns how to answer on the request's context. */
    @FunctionalInterface
    interface SlowWork {
        Handler<RoutingContext> run() throws Exception;
    }

    /**
     * Runs {@code work} on a goroutine named {@code what} and then its answer on the request's
     * Vert.x context; a failure of the work fails the request (500, logged by the admin router).
     */
    static void onGoroutine(RoutingContext ctx, String what, SlowWork work) {
        Context context = ctx.vertx().getOrCreateContext();
        Go.go(what, () -> {
            Handler<RoutingContext> answer;
            try {
                answer = work.run();
            } catch (Exception | AssertionError e) {
                context.runOnContext(v -> ctx.fail(e));
                return;
            }
            context.runOnContext(v -> answer.handle(ctx));
        });
    }

    /** Fails (with assertions enabled, as in the tests) when {@code what} is about to run on an event loop. */
    static void assertOffEventLoop(String what) {
        assert !Context.isOnEventLoopThread() : what + " is slow and must not run on an event loop: run it with onGoroutine";
    }

    private void metrics(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
        String contentType = openMetrics ? OPENMETRICS : PROMETHEUS_TEXT;
        onGoroutine(ctx, "admin GET /metrics", () -> {
            assertOffEventLoop("a scrape (it counts goroutines by state)");
            String scrape = registry.scrape(contentType);
            return c -> c.response().putHeader("Content-Type", contentType).end(scrape);
        });
    }

    private void leaks(RoutingContext ctx) {
        boolean text = "text".equals(ctx.request().getParam("format"));
        onGoroutine(ctx, "admin GET /debug/leaks", () -> {
            assertOffEventLoop("a leak check");
            LeakReport report = leaks.check();
            if (text) {
                String body = report.format();
                return c -> c.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(body);
            }
            Map<String, Object> body = leakJson(report);
            return c -> Json.respond(c, 200, body, true);
        });
    }

    /**
     * The report as JSON. {@code clean} is false only for leaks: a proven leak since the node
     * started or a growing creation site ({@link LeakReport#hasLeaks()}); long waits are information.
     */
    private static Map<String, Object> leakJson(LeakReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("time", report.time().toString());
        body.put("goroutines", report.goroutines());
        body.put("clean", !report.hasLeaks());
        body.put("provenLeaksTotal", report.provenLeaksTotal());
        body.put("growingSites", report.growth().size());
        body.put("longWaitingGoroutines", report.longWaitingGoroutines());
        body.put("longWaits", report.longWaits().stream().map(w -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", w.count());
            m.put("baseline", w.baseline());
            m.put("news", w.isNews());
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
        return body;
    }

    private void startRecording(RoutingContext ctx) {
        String settings = param(ctx, "settings", "gonode");
        if (!List.of("gonode", "default", "profile").contains(settings)) {
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
        onGoroutine(ctx, "admin POST /debug/jfr/start", () -> {
            assertOffEventLoop("starting a JFR recording (it reads settings and creates files)");
            Configuration configuration = settings.equals("gonode") ? GonodeJfr.configuration()
                    : Configuration.getConfiguration(settings);
            synchronized (this) {
                if (recording != null && recording.getState() == RecordingState.RUNNING) {
                    return c -> Json.error(c, 409, "conflict", "a recording is already running; stop it first (POST /debug/jfr/stop)");
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
            return c -> Json.respond(c, 200, body, false);
        });
    }

    private void stopRecording(RoutingContext ctx) {
        onGoroutine(ctx, "admin POST /debug/jfr/stop", () -> {
            assertOffEventLoop("stopping a JFR recording (it writes its last chunk)");
            synchronized (this) {
                if (recording == null || recording.getState() != RecordingState.RUNNING) {
                    return c -> Json.error(c, 409, "conflict", "no recording is running; start one with POST /debug/jfr/start");
                }
                recording.stop();
            }
            return c -> Json.respond(c, 200, Map.of("status", "stopped"), false);
        });
    }

    private void dumpRecording(RoutingContext ctx) {
        onGoroutine(ctx, "admin GET /debug/jfr/dump", () -> {
            assertOffEventLoop("dumping a JFR recording (it writes a file)");
            Path file;
            synchronized (this) {
                if (recording == null) {
                    return c -> Json.error(c, 404, "not_found", "there is no recording to dump; start one with POST /debug/jfr/start");
                }
                file = Files.createTempFile("gonode-", ".jfr");
                try {
                    recording.dump(file);
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(file);
                    throw e;
                }
            }
            return c -> c.response()
                    .putHeader("Content-Type", "application/octet-stream")
                    .putHeader("Content-Disposition", "attachment; filename=\"gonode.jfr\"")
                    .sendFile(file.toString())
                    .onComplete(sent -> c.vertx().fileSystem().delete(file.toString()).onFailure(e ->
                            LOG.warn("cannot delete the temporary recording {}", file, e)));
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
