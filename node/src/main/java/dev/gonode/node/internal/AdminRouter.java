package dev.gonode.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.DrainReport;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port's routes. It serves operators, the kubelet and Prometheus, never job traffic, and
 * is bound to loopback by default because {@code /debug/*} reveals the node's internals.
 *
 * <ul>
 *   <li>{@code GET /healthz}: liveness, answered by the scheduler ({@link HealthProbe})</li>
 *   <li>{@code GET /readyz}: 200 when the node takes jobs, 503 while starting or draining</li>
 *   <li>{@code GET /metrics}: Prometheus text, or OpenMetrics on request ({@link Diagnostics})</li>
 *   <li>{@code GET /debug/sched}: {@link Go#schedStats()} as JSON</li>
 *   <li>{@code GET /debug/pprof/goroutine}: the goroutine dump ({@link GoroutineDumps})</li>
 *   <li>{@code GET /debug/pprof/} and Go's other profiles, {@code GET|PUT /admin/profiling} ({@link PprofEndpoints})</li>
 *   <li>{@code GET /debug/leaks}, {@code /debug/jfr/*}: see {@link Diagnostics}</li>
 *   <li>{@code GET /admin/gomaxprocs}, {@code PUT /admin/gomaxprocs} with {@code {"gomaxprocs":N}}</li>
 *   <li>{@code POST /admin/drain}: start draining (202); {@code ?wait=true} answers when drained</li>
 * </ul>
 *
 * <p>Access. With a token ({@code admin.token}, {@code GONODE_ADMIN_TOKEN}) every endpoint except
 * the probes and {@code /metrics} needs {@code Authorization: Bearer <token>}, compared in
 * constant time; otherwise 401. Without a token, those endpoints are served only when the listener
 * is bound to loopback: bound wider, they answer 403 saying how to set a token, while the probes
 * and {@code /metrics} keep working.
 *
 * <p>Anything else is answered with JSON too: 404 {@code not_found}, 405
 * {@code method_not_allowed}, 500 {@code internal}. Every error body is
 * {@code {"error":{"code":...,"message":...}}}.
 */
public final class AdminRouter {

    private static final Logger LOG = LoggerFactory.getLogger(AdminRouter.class);

    /** The endpoints, as error messages list them. */
    public static final List<String> ENDPOINTS = Stream.concat(Stream.of("GET /healthz", "GET /readyz", "GET /metrics",
            "GET /debug/sched", "GET /debug/pprof/", "GET /debug/pprof/goroutine",
            "GET /debug/pprof/{profile,heap,allocs,block,mutex,cmdline,symbol}", "GET|PUT /admin/profiling", "GET /debug/leaks", "POST /debug/jfr/start", "POST /debug/jfr/stop",
            "GET /debug/jfr/dump", "GET|PUT /admin/gomaxprocs", "POST /admin/drain"), QueueAdmin.ENDPOINTS.stream()).toList();

    /** Paths open to anyone who can reach the port: the kubelet's probes and Prometheus. */
    static final Set<String> OPEN_PATHS = Set.of("/healthz", "/readyz", "/metrics");

    /** What the admin port controls on the node. */
    public interface NodeControl {
        /** Whether the node takes jobs now. */
        boolean ready();

        /** Starts the drain (idempotent); completes when it is over. */
        CompletableFuture<DrainReport> drain();
    }

    private AdminRouter() {
    }

    /** The admin router, with {@code probe} answering {@code /healthz}. */
    public static Router create(Vertx vertx, NodeConfig.Admin settings, HealthProbe probe, NodeControl node,
                                Diagnostics diagnostics) {
        Router router = Router.router(vertx);
        router.route().handler(access(settings));
        router.get("/healthz").handler(probe::handle);
        router.get("/readyz").handler(ctx -> {
            if (node.ready()) {
                Json.respond(ctx, 200, Map.of("status", "ready"), false);
            } else {
                Json.respond(ctx, 503, Map.of("status", "not_ready"), false);
            }
        });
        router.get("/debug/sched").handler(ctx -> Json.respond(ctx, 200, Go.schedStats(), true));
        router.get("/admin/gomaxprocs").handler(ctx -> Json.respond(ctx, 200, Map.of("gomaxprocs", Go.gomaxprocs()), false));
        router.put("/admin/gomaxprocs").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(AdminRouter::setGomaxprocs);
        router.post("/admin/drain").handler(ctx -> drain(ctx, node));
        diagnostics.routes(router);
        GoroutineDumps.routes(router);
        PprofEndpoints.routes(router);

        router.errorHandler(404, ctx -> Json.error(ctx, 404, "not_found",
                "no admin endpoint at " + shown(ctx) + "; the admin port serves " + String.join(", ", ENDPOINTS)));
        router.errorHandler(405, ctx -> Json.error(ctx, 405, "method_not_allowed",
                ctx.request().method() + " is not allowed on " + shown(ctx) + "; the admin port serves "
                        + String.join(", ", ENDPOINTS)));
        router.errorHandler(413, ctx -> Json.error(ctx, 413, "payload_too_large", "the request body is too large"));
        router.errorHandler(500, ctx -> {
            LOG.error("admin endpoint {} {} failed", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            Json.error(ctx, 500, "internal", "the admin endpoint failed: "
                    + (ctx.failure() != null ? ctx.failure() : "unknown error") + "; the node's log has the details");
        });
        return router;
    }

    private static io.vertx.core.Handler<RoutingContext> access(NodeConfig.Admin settings) {
        byte[] token = settings.token().getBytes(StandardCharsets.UTF_8);
        boolean loopbackOnly = isLoopback(settings.host());
        return ctx -> {
            if (OPEN_PATHS.contains(ctx.normalizedPath())) {
                ctx.next();
                return;
            }
            if (settings.hasToken()) {
                String header = ctx.request().getHeader("Authorization");
                byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
                if (!MessageDigest.isEqual(given, token)) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gonode-admin\"");
                    Json.error(ctx, 401, "unauthorized", header == null
                            ? "this endpoint needs Authorization: Bearer <token> (the node's admin.token)"
                            : "the bearer token is wrong");
                    return;
                }
                ctx.next();
                return;
            }
            if (!loopbackOnly) {
                Json.error(ctx, 403, "forbidden", "debug and admin endpoints are disabled because the admin"
                        + " listener is bound to " + settings.host() + " (beyond loopback) without a token; set"
                        + " GONODE_ADMIN_TOKEN (admin.token) to enable them with Authorization: Bearer <token>,"
                        + " or bind admin.host to 127.0.0.1 and use kubectl port-forward");
                return;
            }
            ctx.next();
        };
    }

    /** Whether {@code host} names only this machine's loopback interface. */
    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            // Only literals are checked: a name is not resolved here (it could change later).
            if (host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '[' || c == ']')) {
                return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
            }
        } catch (UnknownHostException e) {
            return false;
        }
        return false;
    }

    private static void setGomaxprocs(RoutingContext ctx) {
        JsonNode body;
        try {
            body = ctx.body().buffer() == null ? null : Json.MAPPER.readTree(ctx.body().buffer().getBytes());
        } catch (IOException e) {
            body = null;
        }
        JsonNode n = body == null ? null : body.get("gomaxprocs");
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            Json.error(ctx, 400, "bad_request", "send {\"gomaxprocs\": N} with N a whole number from 1 to 10000");
            return;
        }
        int value = n.intValue();
        if (value < 1 || value > 10_000) {
            Json.error(ctx, 400, "bad_request", "gomaxprocs " + value + " is out of range; use 1 to 10000");
            return;
        }
        int previous = Go.gomaxprocs(value);
        LOG.info("GOMAXPROCS changed from {} to {} through the admin port", previous, value);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("gomaxprocs", value);
        answer.put("previous", previous);
        Json.respond(ctx, 200, answer, false);
    }

    private static void drain(RoutingContext ctx, NodeControl node) {
        String wait = ctx.request().getParam("wait");
        if (wait != null && !wait.equals("true") && !wait.equals("false")) {
            Json.error(ctx, 400, "bad_request", "?wait=" + JobRouter.cap(wait) + " is not allowed; use true or false");
            return;
        }
        CompletableFuture<DrainReport> drained = node.drain();
        if (!"true".equals(wait)) {
            Json.respond(ctx, 202, Map.of("status", drained.isDone() ? "drained" : "draining"), false);
            return;
        }
        io.vertx.core.Context context = ctx.vertx().getOrCreateContext();
        drained.whenComplete((report, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                ctx.fail(failure);
                return;
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("status", "drained");
            answer.put("finished", report.finished());
            answer.put("aborted", report.aborted());
            answer.put("took", GoDuration.format(report.took()));
            Json.respond(ctx, 200, answer, false);
        }));
    }

    /** The requested path for a message: capped, since it comes from the client. */
    private static String shown(RoutingContext ctx) {
        return JobRouter.cap(ctx.request().path());
    }
}
