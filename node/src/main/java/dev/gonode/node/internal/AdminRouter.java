package dev.gonode.node.internal;

import dev.gonode.runtime.Go;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port's routes. It serves operators and the kubelet, never job traffic, and is bound
 * to loopback by default because {@code /debug/*} reveals the node's internals.
 *
 * <ul>
 *   <li>{@code GET /healthz}: liveness, answered by the scheduler ({@link HealthProbe})</li>
 *   <li>{@code GET /debug/sched}: {@link Go#schedStats()} as JSON, every field of
 *       {@link dev.gonode.runtime.SchedStats}, {@code localQueues} as an array</li>
 * </ul>
 *
 * Anything else is answered with JSON too: 404 {@code not_found} for an unknown path, 405
 * {@code method_not_allowed} for a known path with another method, 500 {@code internal} when a
 * handler fails. Every error body is {@code {"error":{"code":...,"message":...}}}.
 */
public final class AdminRouter {

    private static final Logger LOG = LoggerFactory.getLogger(AdminRouter.class);

    /** The endpoints, as error messages list them. */
    public static final List<String> ENDPOINTS = List.of("GET /healthz", "GET /debug/sched");

    private AdminRouter() {
    }

    /** The admin router, with {@code probe} answering {@code /healthz}. */
    public static Router create(Vertx vertx, HealthProbe probe) {
        Router router = Router.router(vertx);
        router.get("/healthz").handler(probe::handle);
        router.get("/debug/sched").handler(ctx -> Json.respond(ctx, 200, Go.schedStats(), true));

        router.errorHandler(404, ctx -> Json.error(ctx, 404, "not_found",
                "no admin endpoint at " + shown(ctx) + "; the admin port serves " + String.join(", ", ENDPOINTS)));
        router.errorHandler(405, ctx -> Json.error(ctx, 405, "method_not_allowed",
                ctx.request().method() + " is not allowed on " + shown(ctx) + "; the admin port serves "
                        + String.join(", ", ENDPOINTS)));
        router.errorHandler(500, ctx -> {
            LOG.error("admin endpoint {} {} failed", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            Json.error(ctx, 500, "internal", "the admin endpoint failed: "
                    + (ctx.failure() != null ? ctx.failure() : "unknown error") + "; the node's log has the details");
        });
        return router;
    }

    /** The requested path for a message: capped, since it comes from the client. */
    private static String shown(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path == null) {
            return "(no path)";
        }
        return path.length() <= 200 ? path : path.substring(0, 200) + "...";
    }
}
