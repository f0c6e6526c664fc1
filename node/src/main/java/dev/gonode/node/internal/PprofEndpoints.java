package dev.gonode.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.pprof.ProfileBusyException;
import dev.gonode.runtime.pprof.Profiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Go's {@code net/http/pprof} endpoints besides the goroutine dump ({@link GoroutineDumps}), so
 * that {@code go tool pprof http://HOST:PORT/debug/pprof/profile} and Grafana Alloy's
 * {@code pyroscope.scrape} work on a node as on a Go service:
 *
 * <ul>
 *   <li>{@code /debug/pprof/}: the index, an HTML page like Go's</li>
 *   <li>{@code /debug/pprof/profile?seconds=N}: CPU (default 30, 1 to 600)</li>
 *   <li>{@code /debug/pprof/allocs?seconds=N}: allocations sampled over N seconds (default 30)</li>
 *   <li>{@code /debug/pprof/heap}: the live heap by class after a full GC ({@code gc=0}: without
 *       the GC, counting garbage too); {@code seconds=N} adds N seconds of allocation samples</li>
 *   <li>{@code /debug/pprof/block}, {@code /debug/pprof/mutex}: gonode's park events, once
 *       {@code PUT /admin/profiling} has set a rate</li>
 *   <li>{@code /debug/pprof/cmdline}: as Go's ({@code /debug/pprof/symbol} is {@link GoroutineDumps}'s)</li>
 *   <li>{@code /debug/pprof/trace}: 501, pointing at {@code /debug/jfr/start}</li>
 *   <li>{@code GET|PUT /admin/profiling}: {@code {"blockProfileRate": NS, "mutexProfileFraction": N}}</li>
 * </ul>
 *
 * <p>Implementation notes. A profile is collected on a goroutine of its own (a window of N seconds
 * parks it, never an event loop) into memory, which the profile encoders bound, and answered on the
 * request's context. If the client goes away, its collection stops early through the goroutine's
 * {@link Context}. A second CPU or allocation collection while one runs is answered 409 with what
 * runs and for how long ({@link ProfileBusyException}).
 */
final class PprofEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(PprofEndpoints.class);
    static final int DEFAULT_SECONDS = 30;
    static final int MAX_SECONDS = (int) Profiles.MAX_WINDOW.toSeconds();

    private PprofEndpoints() {
    }

    static void routes(Router router) {
        router.get("/debug/pprof").handler(PprofEndpoints::index);
        router.get("/debug/pprof/").handler(PprofEndpoints::index);
        router.get("/debug/pprof/profile").handler(ctx -> collect(ctx, "profile", DEFAULT_SECONDS,
                (window, c, out) -> Profiles.writeCpu(window, c, out)));
        router.get("/debug/pprof/allocs").handler(ctx -> collect(ctx, "allocs", DEFAULT_SECONDS,
                (window, c, out) -> Profiles.writeAllocs(window, c, out)));
        router.get("/debug/pprof/heap").handler(PprofEndpoints::heap);
        router.get("/debug/pprof/block").handler(ctx -> collect(ctx, "block", 0, (w, c, out) -> Profiles.writeBlock(out)));
        router.get("/debug/pprof/mutex").handler(ctx -> collect(ctx, "mutex", 0, (w, c, out) -> Profiles.writeMutex(out)));
        router.get("/debug/pprof/cmdline").handler(PprofEndpoints::cmdline);
        router.get("/debug/pprof/trace").handler(ctx -> Json.error(ctx, 501, "not_implemented",
                "gonode has no Go execution trace; record the same events with JDK Flight Recorder:"
                        + " POST /debug/jfr/start?duration=5s, then GET /debug/jfr/dump (gonode-admin jfr start/dump)"));
        router.get("/admin/profiling").handler(PprofEndpoints::rates);
        router.put("/admin/profiling").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(PprofEndpoints::setRates);
    }

    @FunctionalInterface
    private interface Collector {
        void write(Duration window, Context ctx, java.io.OutputStream out) throws IOException;
    }

    private static void heap(RoutingContext ctx) {
        String gc = ctx.request().getParam("gc");
        if (gc != null && !gc.equals("0") && !gc.equals("1")) {
            Json.error(ctx, 400, "bad_request", "?gc=" + JobRouter.cap(gc) + " is not allowed; use gc=1 (the"
                    + " default: live objects, after a full GC) or gc=0 (no GC; unreachable objects count too)");
            return;
        }
        boolean fullGc = !"0".equals(gc);
        collect(ctx, "heap", 0, (window, c, out) -> Profiles.writeHeap(window, fullGc, c, out));
    }

    /** Checks {@code seconds} and {@code debug}, then runs {@code collector} on a goroutine and answers with its bytes. */
    private static void collect(RoutingContext ctx, String name, int defaultSeconds, Collector collector) {
        Duration window;
        try {
            window = Duration.ofSeconds(seconds(ctx.request().getParam("seconds"), defaultSeconds));
            debug(ctx.request().getParam("debug"), name);
        } catch (IllegalArgumentException e) {
            Json.error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        io.vertx.core.Context vertxContext = ctx.vertx().getOrCreateContext();
        Context.WithCancel job = Context.withCancel(Context.background());
        ctx.response().closeHandler(v -> job.cancel());
        Go.go("pprof " + name, () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
            Throwable failure = null;
            try {
                collector.write(window, job.context(), out);
            } catch (IOException | RuntimeException e) {
                failure = e;
            } finally {
                job.cancel();
            }
            Throwable failed = failure;
            vertxContext.runOnContext(v -> answer(ctx, name, out, failed));
        });
    }

    private static void answer(RoutingContext ctx, String name, ByteArrayOutputStream out, Throwable failure) {
        if (ctx.response().closed() || ctx.response().ended()) {
            return;
        }
        if (failure instanceof ProfileBusyException busy) {
            Json.error(ctx, 409, "conflict", busy.getMessage());
        } else if (failure instanceof IllegalArgumentException bad) {
            Json.error(ctx, 400, "bad_request", bad.getMessage());
        } else if (failure != null) {
            LOG.error("the {} profile failed", name, failure);
            Json.error(ctx, 500, "internal", "the " + name + " profile failed: " + failure
                    + "; the node's log has the details");
        } else {
            ctx.response()
                    .putHeader("Content-Type", "application/octet-stream")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + name + ".pb.gz\"")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Cache-Control", "no-store")
                    .end(Buffer.buffer(out.toByteArray()));
        }
    }

    /** {@code ?seconds=N}: a whole number of seconds from 1 to {@link #MAX_SECONDS}; {@code otherwise} when absent. */
    static int seconds(String value, int otherwise) {
        if (value == null) {
            return otherwise;
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("?seconds=" + JobRouter.cap(value) + " is not a whole number of seconds;"
                    + " use 1 to " + MAX_SECONDS + ", such as seconds=30");
        }
        if (n < 1 || n > MAX_SECONDS) {
            throw new IllegalArgumentException("?seconds=" + n + " is out of range; use 1 to " + MAX_SECONDS);
        }
        return n;
    }

    private static void debug(String value, String name) {
        if (value != null && !value.trim().equals("0")) {
            throw new IllegalArgumentException("?debug=" + JobRouter.cap(value) + ": the " + name + " profile is served"
                    + " only as Go's protobuf (debug=0, the default); read it with go tool pprof -top or -traces");
        }
    }

    private static void rates(RoutingContext ctx) {
        Json.respond(ctx, 200, ratesBody(), false);
    }

    private static Map<String, Object> ratesBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("blockProfileRate", Profiles.blockProfileRate());
        body.put("mutexProfileFraction", Profiles.mutexProfileFraction());
        return body;
    }

    private static void setRates(RoutingContext ctx) {
        String usage = "send {\"blockProfileRate\": NS, \"mutexProfileFraction\": N}: the block profile records one"
                + " blocking event per NS nanoseconds blocked (1: every one, 0: off), the mutex profile one wait in N"
                + " (0: off); either key may be left out";
        JsonNode body;
        try {
            body = ctx.body().buffer() == null ? null : Json.MAPPER.readTree(ctx.body().buffer().getBytes());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            Json.error(ctx, 400, "bad_request", usage);
            return;
        }
        List<String> unknown = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("blockProfileRate") && !f.equals("mutexProfileFraction")) {
                unknown.add(JobRouter.cap(f));
            }
        });
        if (!unknown.isEmpty()) {
            Json.error(ctx, 400, "bad_request", "unknown keys " + unknown + "; " + usage);
            return;
        }
        Optional<Long> block;
        Optional<Long> mutex;
        try {
            block = whole(body, "blockProfileRate", Long.MAX_VALUE);
            mutex = whole(body, "mutexProfileFraction", Integer.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            Json.error(ctx, 400, "bad_request", e.getMessage() + "; " + usage);
            return;
        }
        block.ifPresent(Profiles::setBlockProfileRate);
        mutex.ifPresent(f -> Profiles.setMutexProfileFraction(f.intValue()));
        LOG.info("profiling rates set through the admin port: block {} ns, mutex 1/{}",
                Profiles.blockProfileRate(), Profiles.mutexProfileFraction());
        Json.respond(ctx, 200, ratesBody(), false);
    }

    private static Optional<Long> whole(JsonNode body, String key, long max) {
        JsonNode n = body.get(key);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > max) {
            throw new IllegalArgumentException(key + " " + JobRouter.cap(n.toString())
                    + " is not a whole number from 0 to " + max);
        }
        return Optional.of(n.asLong());
    }

    /** Go's {@code /debug/pprof/cmdline}: the command line, its words separated by NUL bytes. */
    private static void cmdline(RoutingContext ctx) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> words = new ArrayList<>();
        words.add(info.command().orElse("java"));
        info.arguments().ifPresent(args -> words.addAll(List.of(args)));
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(String.join("\0", words));
    }

    /** The index, shaped like Go's: profiles with their counts and what each is. */
    private static void index(RoutingContext ctx) {
        record Row(String count, String name, String href, String description) {
        }
        List<Row> rows = List.of(
                new Row("", "allocs", "allocs?seconds=30", "A sampling of memory allocations over ?seconds=N (default 30), from JFR's allocation samples."),
                new Row(String.valueOf(Profiles.blockProfileStacks()), "block", "block",
                        "Stack traces that led to blocking on channels, select and sync primitives. Off until"
                                + " PUT /admin/profiling {\"blockProfileRate\": NS} (now " + Profiles.blockProfileRate() + ")."),
                new Row("", "cmdline", "cmdline", "The command line invocation of the current program."),
                new Row(String.valueOf(Go.numGoroutine()), "goroutine", "goroutine?debug=1",
                        "Stack traces of all current goroutines. Use debug=2 for every goroutine, debug=0 for pprof."),
                new Row("", "heap", "heap", "The live heap by class after a full GC (gc=0: without it); ?seconds=N adds allocation samples."),
                new Row(String.valueOf(Profiles.mutexProfileStacks()), "mutex", "mutex",
                        "Stack traces of goroutines that waited for sync.Mutex and sync.RWMutex. Off until"
                                + " PUT /admin/profiling {\"mutexProfileFraction\": N} (now " + Profiles.mutexProfileFraction() + ")."),
                new Row("", "profile", "profile?seconds=30", "CPU profile over ?seconds=N (default 30) from JFR's execution samples."
                        + " Read it with go tool pprof."),
                new Row("", "trace", "trace", "Not available (501): record with JFR instead, POST /debug/jfr/start."));
        StringBuilder html = new StringBuilder("""
                <html>
                <head><title>/debug/pprof/</title></head>
                <body>
                /debug/pprof/
                <br>
                <p>Profiles are Go's gzipped protobuf: go tool pprof http://HOST:PORT/debug/pprof/NAME</p>
                Types of profiles available:
                <table>
                <thead><td>Count</td><td>Profile</td></thead>
                """);
        for (Row r : rows) {
            html.append("<tr><td>").append(r.count()).append("</td><td><a href='/debug/pprof/").append(r.href())
                    .append("'>").append(r.name()).append("</a></td></tr>\n");
        }
        html.append("</table>\n<a href='/debug/pprof/goroutine?debug=2'>full goroutine stack dump</a>\n<br>\n")
                .append("<p>Profile Descriptions:<ul>\n");
        for (Row r : rows) {
            html.append("<li><div class=profile-name>").append(r.name()).append(": </div> ")
                    .append(r.description().replace("<", "&lt;")).append("</li>\n");
        }
        html.append("</ul></p>\n<p>Also: /debug/sched, /debug/leaks, /debug/jfr/{start,stop,dump};"
                + " goroutine filters: state, reason, min_wait, label=handler=echo, name, limit.</p>\n</body>\n</html>\n");
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html.toString());
    }
}
