package dev.gonode.node.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.internal.jobs.JobEngine;
import dev.gonode.node.internal.jobs.JobError;
import dev.gonode.node.internal.jobs.JobRecord;
import dev.gonode.node.internal.jobs.JobStatus;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public job API.
 *
 * <ul>
 *   <li>{@code POST /v1/jobs/{handler}} with a JSON payload. Waits for the result by default
 *       ({@code 200} with the job, or the job's error status); {@code ?wait=false} answers
 *       {@code 202} at once with {@code Location: /v1/jobs/{id}}. {@code ?timeout=5s} sets the
 *       job's deadline (default: the handler's). {@code Idempotency-Key} makes a repeat return the
 *       first job instead of running it again.</li>
 *   <li>{@code GET /v1/jobs/{id}}: the job's status, and its result or error once it has one.</li>
 * </ul>
 *
 * <p>Errors are {@code {"error":{"code":...,"message":...}}}: 400 {@code invalid_json},
 * {@code bad_request} or {@code payload_rejected}; 404 {@code unknown_handler} (listing the
 * handlers) or {@code not_found}; 413 {@code payload_too_large}; 415 {@code unsupported_media_type};
 * 429 {@code mailbox_full} with {@code Retry-After}; 503 {@code draining} with {@code Retry-After}
 * and {@code Connection: close}, or {@code aborted}; 504 {@code deadline_exceeded}; 500
 * {@code handler_failed} with an error id that the log has next to the stack.
 *
 * <p>Implementation notes. The event loop never blocks: a waiting request parks a goroutine on the
 * job's {@code done} channel, which hops back onto the request's Vert.x context to answer. If the
 * caller's connection closes before that, the job is called off (only by the request that started
 * it; an idempotent repeat that goes away does not cancel the original).
 */
public final class JobRouter {

    private static final Logger LOG = LoggerFactory.getLogger(JobRouter.class);

    /** Seconds a refused caller is told to wait before retrying. */
    static final String RETRY_AFTER_FULL = "1";
    static final String RETRY_AFTER_DRAINING = "5";
    private static final int MAX_IDEMPOTENCY_KEY = 256;

    private final JobEngine engine;
    private final Duration maxTimeout;

    private JobRouter(JobEngine engine, Duration maxTimeout) {
        this.engine = engine;
        this.maxTimeout = maxTimeout;
    }

    /** The router; {@code maxTimeout} (the drain timeout) bounds {@code ?timeout=}. */
    public static Router create(Vertx vertx, JobEngine engine, long maxBodyBytes, Duration maxTimeout) {
        JobRouter api = new JobRouter(engine, maxTimeout);
        Router router = Router.router(vertx);
        router.post("/v1/jobs/:handler")
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(api::submit);
        router.get("/v1/jobs/:id").handler(api::get);
        router.errorHandler(413, ctx -> Json.error(ctx, 413, "payload_too_large",
                "the payload is larger than the node's limit of " + maxBodyBytes + " bytes (server.max-body-bytes)"));
        router.errorHandler(404, ctx -> Json.error(ctx, 404, "not_found", "no endpoint at " + shown(ctx)
                + "; the job API is POST /v1/jobs/{handler} and GET /v1/jobs/{id}"));
        router.errorHandler(405, ctx -> Json.error(ctx, 405, "method_not_allowed", ctx.request().method()
                + " is not allowed on " + shown(ctx) + "; the job API is POST /v1/jobs/{handler} and GET /v1/jobs/{id}"));
        router.errorHandler(500, ctx -> {
            String errorId = UUID.randomUUID().toString();
            LOG.error("job API {} {} failed (error id {})", ctx.request().method(), ctx.normalizedPath(), errorId,
                    ctx.failure());
            Json.error(ctx, 500, "internal", "the node failed to handle the request; the log has the details under"
                    + " error id " + errorId);
        });
        return router;
    }

    private void submit(RoutingContext ctx) {
        String handler = ctx.pathParam("handler");
        if (engine.draining()) {
            draining(ctx);
            return;
        }
        Duration defaultTimeout = engine.defaultTimeout(handler);
        if (defaultTimeout == null) {
            Json.error(ctx, 404, "unknown_handler", "no handler named \"" + cap(handler) + "\"; this node runs "
                    + String.join(", ", engine.handlerNames()));
            return;
        }
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !mediaType(contentType).equals("application/json")) {
            Json.error(ctx, 415, "unsupported_media_type", "send the payload as JSON with Content-Type: application/json"
                    + (contentType == null ? " (the request had no Content-Type)" : " (the request had " + cap(contentType) + ")"));
            return;
        }
        JsonNode payload;
        try {
            payload = ctx.body().buffer() == null ? null : Json.MAPPER.readTree(ctx.body().buffer().getBytes());
        } catch (JsonProcessingException e) {
            Json.error(ctx, 400, "invalid_json", "the payload is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() : ""));
            return;
        } catch (IOException e) {
            Json.error(ctx, 400, "invalid_json", "the payload cannot be read: " + e.getMessage());
            return;
        }
        if (payload == null || payload.isMissingNode()) {
            Json.error(ctx, 400, "invalid_json", "the payload is empty; send a JSON value such as {}");
            return;
        }
        Boolean wait = booleanParam(ctx, "wait", true);
        if (wait == null) {
            return;
        }
        Duration timeout = timeoutParam(ctx, defaultTimeout);
        if (timeout == null) {
            return;
        }
        String key = ctx.request().getHeader("Idempotency-Key");
        if (key != null && (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY)) {
            Json.error(ctx, 400, "bad_request", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY
                    + " characters, such as a UUID");
            return;
        }
        switch (engine.submit(handler, payload, timeout, key)) {
            case JobEngine.Submission.Accepted accepted -> answer(ctx, accepted.job(), wait, true);
            case JobEngine.Submission.Duplicate duplicate -> answer(ctx, duplicate.job(), wait, false);
            case JobEngine.Submission.Draining d -> draining(ctx);
            case JobEngine.Submission.MailboxFull full -> {
                ctx.response().putHeader("Retry-After", RETRY_AFTER_FULL);
                Json.error(ctx, 429, "mailbox_full", "handler " + handler + " has " + full.capacity()
                        + " jobs waiting already (its mailbox is full); retry after a moment");
            }
            case JobEngine.Submission.UnknownHandler unknown -> Json.error(ctx, 404, "unknown_handler",
                    "no handler named \"" + cap(handler) + "\"; this node runs " + String.join(", ", unknown.known()));
        }
    }

    private void answer(RoutingContext ctx, JobRecord job, boolean wait, boolean started) {
        if (!wait) {
            JobRecord.Outcome outcome = job.outcome();
            if (outcome != null) {
                respondFinal(ctx, job, outcome);
                return;
            }
            ctx.response().putHeader("Location", "/v1/jobs/" + job.id());
            Json.respond(ctx, 202, view(job), false);
            return;
        }
        Context vertxContext = ctx.vertx().getOrCreateContext();
        if (started) {
            ctx.response().closeHandler(v -> engine.cancel(job));
        }
        Go.go("job " + job.id() + " reply", () -> {
            job.done().receiveOk(); // closed when the job has its outcome
            vertxContext.runOnContext(v -> respondFinal(ctx, job, job.outcome()));
        });
    }

    private void get(RoutingContext ctx) {
        JobRecord job = engine.job(ctx.pathParam("id"));
        if (job == null) {
            Json.error(ctx, 404, "not_found", "no job with id \"" + cap(ctx.pathParam("id")) + "\"; finished jobs are"
                    + " kept for jobs.results-ttl and at most jobs.results-max of them");
            return;
        }
        Json.respond(ctx, 200, view(job), false);
    }

    private static void respondFinal(RoutingContext ctx, JobRecord job, JobRecord.Outcome outcome) {
        if (outcome.status() == JobStatus.SUCCEEDED) {
            Json.respond(ctx, 200, view(job), false);
            return;
        }
        JobError error = outcome.error();
        if (outcome.status() == JobStatus.ABORTED) {
            ctx.response().putHeader("Retry-After", RETRY_AFTER_DRAINING);
            closeAfterAnswer(ctx);
        }
        Json.respond(ctx, error.httpStatus(), view(job), false);
    }

    /** The job as JSON: id, handler, status, times, and the result or the error. */
    static Map<String, Object> view(JobRecord job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", job.id());
        view.put("handler", job.handler());
        JobRecord.Outcome outcome = job.outcome();
        view.put("status", (outcome != null ? outcome.status() : job.status()).wireName());
        view.put("createdAt", job.createdAt().toString());
        if (outcome != null && outcome.status() == JobStatus.SUCCEEDED) {
            view.put("result", outcome.result());
        }
        if (outcome != null && outcome.error() != null) {
            view.put("error", new Json.Error(outcome.error().code(), outcome.error().message()));
        }
        Duration queued = job.queueWait();
        if (queued != null) {
            view.put("queuedFor", GoDuration.format(queued));
        }
        Duration ran = job.runTime();
        if (ran != null) {
            view.put("ranFor", GoDuration.format(ran));
        }
        return view;
    }

    /** Asks an HTTP/1.x client to close the connection after this answer (HTTP/2 forbids the header). */
    private static void closeAfterAnswer(RoutingContext ctx) {
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader("Connection", "close");
        }
    }

    private static void draining(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", RETRY_AFTER_DRAINING);
        closeAfterAnswer(ctx);
        Json.error(ctx, 503, "draining", "this node is shutting down and takes no new jobs; retry on another node");
    }

    private static Boolean booleanParam(RoutingContext ctx, String name, boolean otherwise) {
        String value = ctx.request().getParam(name);
        if (value == null) {
            return otherwise;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> {
                Json.error(ctx, 400, "bad_request", "?" + name + "=" + cap(value) + " is not allowed; use true or false");
                yield null;
            }
        };
    }

    private Duration timeoutParam(RoutingContext ctx, Duration otherwise) {
        String value = ctx.request().getParam("timeout");
        if (value == null) {
            return otherwise;
        }
        Duration timeout;
        try {
            timeout = GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            Json.error(ctx, 400, "bad_request", "?timeout=" + cap(value) + " is not a duration; use one such as"
                    + " 500ms, 5s or 1m");
            return null;
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(maxTimeout) > 0) {
            Json.error(ctx, 400, "bad_request", "?timeout=" + cap(value) + " is out of range; use more than 0 and at"
                    + " most " + GoDuration.format(maxTimeout) + " (the node's drain.timeout)");
            return null;
        }
        return timeout;
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String shown(RoutingContext ctx) {
        return cap(ctx.request().path());
    }

    /** A client-supplied string for a message: capped in length. */
    static String cap(String text) {
        if (text == null) {
            return "(none)";
        }
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
