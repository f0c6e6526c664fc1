package dev.gonode.node.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.internal.jobs.JobEngine;
import dev.gonode.node.internal.jobs.JobRecord;
import dev.gonode.node.internal.store.postgres.StoreUnavailableException;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public job API: routes, and turning a request into a submission.
 *
 * <ul>
 *   <li>{@code POST /v1/jobs/{handler}} with a JSON payload. Waits for the result by default
 *       ({@code 200} with the job, or the job's error status); {@code ?wait=false} answers
 *       {@code 202} at once with {@code Location: /v1/jobs/{id}}, whatever state the job has
 *       reached. {@code ?timeout=5s} sets the job's deadline (default: the handler's).
 *       {@code Idempotency-Key} makes a repeat return the first job instead of running it again.</li>
 *       {@code ?run_at=<RFC 3339 time>} or {@code ?delay=90s} schedules the job (it waits as
 *       {@code scheduled}; the caller does not wait for it).</li>
 *   <li>{@code GET /v1/jobs/{id}}: the job's status, and its result or error once it has one.</li>
 *   <li>{@code DELETE /v1/jobs/{id}}: cancels the job on whichever node holds it (with the
 *       admin token as a bearer token when {@code admin.token} is set).</li>
 * </ul>
 *
 * <p>The request path in three files: this class checks the request and submits it to the
 * {@link JobEngine} (the one validator of handler, drain and capacity), whose
 * {@code HandlerActor} runs the job on a worker goroutine; {@link JobAnswers} maps what came back
 * to HTTP.
 *
 * <p>Implementation notes. The event loop never blocks and no goroutine waits for an answer: a
 * waiting request registers a completion callback on the job. The callback runs on the goroutine
 * that settles the job, writes the answer's JSON there, and hops back onto the request's Vert.x
 * context to send it: two hand-offs per synchronous job (event loop to worker, worker to event
 * loop). On the shared job store ({@code jobs.store: postgres}) submitting and reading block on
 * the database, so they run on a goroutine first, one hop more. If the caller's connection closes before that, the job is called off (only by the request
 * that started it; an idempotent repeat that goes away does not cancel the original).
 */
public final class JobRouter {

    private static final Logger LOG = LoggerFactory.getLogger(JobRouter.class);

    private static final int MAX_IDEMPOTENCY_KEY = 256;
    /** How far in the past {@code ?run_at=} may be (clock skew, a slow client): such a job is due at once. */
    static final Duration RUN_AT_PAST_TOLERANCE = Duration.ofMinutes(5);
    /** How far ahead a job may be scheduled ({@code ?run_at=}, {@code ?delay=}). */
    static final Duration MAX_SCHEDULE_HORIZON = Duration.ofDays(30);

    private final JobEngine engine;
    private final Duration maxTimeout;
    private final byte[] cancelToken;

    private JobRouter(JobEngine engine, Duration maxTimeout, String cancelToken) {
        this.engine = engine;
        this.maxTimeout = maxTimeout;
        this.cancelToken = cancelToken == null || cancelToken.isEmpty() ? null
                : cancelToken.getBytes(StandardCharsets.UTF_8);
    }

    /** The router; {@code maxTimeout} (the drain timeout) bounds {@code ?timeout=}; anyone may cancel. */
    public static Router create(Vertx vertx, JobEngine engine, long maxBodyBytes, Duration maxTimeout) {
        return create(vertx, engine, maxBodyBytes, maxTimeout, "");
    }

    /**
     * The router; {@code maxTimeout} (the drain timeout) bounds {@code ?timeout=};
     * {@code DELETE /v1/jobs/{id}} needs {@code Authorization: Bearer <adminToken>} unless
     * {@code adminToken} is empty.
     */
    public static Router create(Vertx vertx, JobEngine engine, long maxBodyBytes, Duration maxTimeout,
                                String adminToken) {
        JobRouter api = new JobRouter(engine, maxTimeout, adminToken);
        Router router = Router.router(vertx);
        router.post("/v1/jobs/:handler")
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(api::submit);
        router.get("/v1/jobs/:id").handler(api::get);
        router.delete("/v1/jobs/:id").handler(api::cancel);
        router.errorHandler(413, ctx -> Json.error(ctx, 413, "payload_too_large",
                "the payload is larger than the node's limit of " + maxBodyBytes + " bytes (server.max-body-bytes)"));
        router.errorHandler(404, ctx -> Json.error(ctx, 404, "not_found", "no endpoint at " + shown(ctx)
                + "; the job API is POST /v1/jobs/{handler}, GET /v1/jobs/{id} and DELETE /v1/jobs/{id}"));
        router.errorHandler(405, ctx -> Json.error(ctx, 405, "method_not_allowed", ctx.request().method()
                + " is not allowed on " + shown(ctx) + "; the job API is POST /v1/jobs/{handler}, GET /v1/jobs/{id}"
                + " and DELETE /v1/jobs/{id}"));
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
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !mediaType(contentType).equals("application/json")) {
            Json.error(ctx, 415, "unsupported_media_type", "send the payload as JSON with Content-Type: application/json"
                    + (contentType == null ? " (the request had no Content-Type)" : " (the request had " + cap(contentType) + ")"));
            return;
        }
        Buffer body = ctx.body().buffer();
        JsonNode payload;
        try {
            payload = body == null ? null : Json.MAPPER.readTree(body.getBytes());
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
        Duration delay = scheduleParam(ctx);
        if (delay == NOT_VALID) {
            return;
        }
        Boolean wait = booleanParam(ctx, "wait", delay == null);
        if (wait == null) {
            return;
        }
        if (wait && delay != null) {
            Json.error(ctx, 400, "bad_request", "?wait=true cannot be combined with ?" + (ctx.request().getParam("run_at")
                    != null ? "run_at" : "delay") + "=: a scheduled job runs later, so the request cannot wait for"
                    + " it; drop ?wait=true (a scheduled job is answered 202 at once) and read GET /v1/jobs/{id}");
            return;
        }
        Duration defaultTimeout = engine.defaultTimeout(handler);
        Duration timeout = timeoutParam(ctx, defaultTimeout == null ? maxTimeout : defaultTimeout);
        if (timeout == null) {
            return;
        }
        String key = ctx.request().getHeader("Idempotency-Key");
        if (key != null && (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY)) {
            Json.error(ctx, 400, "bad_request", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY
                    + " characters, such as a UUID");
            return;
        }
        if (engine.blocks()) {
            onGoroutine(ctx, "job submit", () -> engine.submit(handler, payload, body.length(), timeout, key, wait, delay),
                    submission -> answer(ctx, handler, submission, wait));
            return;
        }
        answer(ctx, handler, delay == null ? engine.submit(handler, payload, body.length(), timeout, key)
                : engine.submit(handler, payload, body.length(), timeout, key, false, delay), wait);
    }

    private void answer(RoutingContext ctx, String handler, JobEngine.Submission submission, boolean wait) {
        switch (submission) {
            case JobEngine.Submission.Accepted accepted -> answer(ctx, accepted.job(), wait, true);
            case JobEngine.Submission.Duplicate duplicate -> answer(ctx, duplicate.job(), wait, false);
            case JobEngine.Submission refusal -> JobAnswers.refused(ctx, handler, refusal);
        }
    }

    /**
     * Shared job store: runs {@code call}, which blocks on the database, on a goroutine, and
     * {@code then} with its value back on the request's context; an unreachable store is answered
     * 503 {@code store_unavailable}.
     */
    private static <T> void onGoroutine(RoutingContext ctx, String what, Supplier<T> call, Consumer<T> then) {
        Context requestContext = ctx.vertx().getOrCreateContext();
        Go.go(what, () -> {
            T value;
            try {
                value = call.get();
            } catch (StoreUnavailableException e) {
                requestContext.runOnContext(v -> JobAnswers.storeUnavailable(ctx, "PostgreSQL"));
                return;
            } catch (RuntimeException e) {
                requestContext.runOnContext(v -> ctx.fail(e));
                return;
            }
            requestContext.runOnContext(v -> then.accept(value));
        });
    }

    private void answer(RoutingContext ctx, JobRecord job, boolean wait, boolean started) {
        if (!wait) {
            JobAnswers.queued(job).write(ctx, "/v1/jobs/" + job.id());
            return;
        }
        Context requestContext = ctx.vertx().getOrCreateContext();
        if (started) {
            ctx.response().closeHandler(v -> engine.cancel(job));
        }
        job.onSettled(settled -> {
            JobAnswers.Answer answer = JobAnswers.settled(settled);
            if (Vertx.currentContext() == requestContext) {
                answer.write(ctx, null);
            } else {
                requestContext.runOnContext(v -> answer.write(ctx, null));
            }
        });
    }

    private void get(RoutingContext ctx) {
        if (engine.blocks()) {
            onGoroutine(ctx, "job lookup", () -> Optional.ofNullable(engine.job(ctx.pathParam("id"))),
                    job -> answerLookup(ctx, job.orElse(null)));
            return;
        }
        answerLookup(ctx, engine.job(ctx.pathParam("id")));
    }

    private static void answerLookup(RoutingContext ctx, JobRecord job) {
        if (job == null) {
            Json.error(ctx, 404, "not_found", "no job with id \"" + cap(ctx.pathParam("id")) + "\"; finished jobs are"
                    + " kept for jobs.results-ttl and at most jobs.results-max of them");
            return;
        }
        JobAnswers.current(job).write(ctx, null);
    }

    private void cancel(RoutingContext ctx) {
        if (cancelToken != null) {
            String header = ctx.request().getHeader("Authorization");
            byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(given, cancelToken)) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gonode-admin\"");
                Json.error(ctx, 401, "unauthorized", header == null
                        ? "cancelling a job needs Authorization: Bearer <token> (the node's admin.token)"
                        : "the bearer token is wrong");
                return;
            }
        }
        String id = ctx.pathParam("id");
        if (engine.blocks()) {
            onGoroutine(ctx, "job cancel", () -> engine.cancel(id), result -> answerCancel(ctx, result));
            return;
        }
        answerCancel(ctx, engine.cancel(id));
    }

    private static void answerCancel(RoutingContext ctx, JobEngine.CancelResult result) {
        switch (result) {
            case JobEngine.CancelResult.Cancelled cancelled -> JobAnswers.current(cancelled.job()).write(ctx, null);
            case JobEngine.CancelResult.NotFound notFound -> Json.error(ctx, 404, "not_found", "no job with id \""
                    + cap(ctx.pathParam("id")) + "\"; finished jobs are kept for jobs.results-ttl and at most"
                    + " jobs.results-max of them");
            case JobEngine.CancelResult.AlreadyFinished finished -> Json.error(ctx, 409, "already_finished",
                    "job " + cap(ctx.pathParam("id")) + " has ended already (status " + finished.status().wireName()
                    + "), so there is nothing to cancel");
        }
    }

    /** Marks a refused query parameter: the answer has been written. */
    private static final Duration NOT_VALID = Duration.ofNanos(-1);

    /**
     * {@code ?run_at=} or {@code ?delay=} as a delay from now; {@code null} for neither;
     * {@link #NOT_VALID} after answering 400.
     */
    private static Duration scheduleParam(RoutingContext ctx) {
        String runAt = ctx.request().getParam("run_at");
        String delay = ctx.request().getParam("delay");
        if (runAt != null && delay != null) {
            Json.error(ctx, 400, "bad_request", "?run_at= and ?delay= were both given; schedule a job with one of"
                    + " them");
            return NOT_VALID;
        }
        if (runAt != null) {
            OffsetDateTime at;
            try {
                at = OffsetDateTime.parse(runAt, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (DateTimeParseException e) {
                Json.error(ctx, 400, "bad_request", "?run_at=" + cap(runAt) + " is not an RFC 3339 time; use one"
                        + " such as 2030-01-02T15:04:05Z or 2030-01-02T16:04:05+01:00");
                return NOT_VALID;
            }
            Duration until = Duration.between(Instant.now(), at.toInstant());
            if (until.compareTo(RUN_AT_PAST_TOLERANCE.negated()) < 0) {
                Json.error(ctx, 400, "bad_request", "?run_at=" + cap(runAt) + " is " + GoDuration.format(
                        until.negated().truncatedTo(ChronoUnit.SECONDS)) + " in the past (more than the "
                        + GoDuration.format(RUN_AT_PAST_TOLERANCE) + " allowed for clock skew); give a time to come,"
                        + " or leave run_at out to run the job now");
                return NOT_VALID;
            }
            if (until.compareTo(MAX_SCHEDULE_HORIZON) > 0) {
                Json.error(ctx, 400, "bad_request", "?run_at=" + cap(runAt) + " is more than "
                        + GoDuration.format(MAX_SCHEDULE_HORIZON) + " ahead; schedule jobs at most "
                        + MAX_SCHEDULE_HORIZON.toDays() + " days ahead");
                return NOT_VALID;
            }
            return until.isNegative() ? Duration.ZERO : until;
        }
        if (delay != null) {
            Duration d;
            try {
                d = GoDuration.parse(delay);
            } catch (IllegalArgumentException e) {
                Json.error(ctx, 400, "bad_request", "?delay=" + cap(delay) + " is not a duration; use one such as"
                        + " 90s, 15m or 2h");
                return NOT_VALID;
            }
            if (d.isNegative() || d.compareTo(MAX_SCHEDULE_HORIZON) > 0) {
                Json.error(ctx, 400, "bad_request", "?delay=" + cap(delay) + " is out of range; use 0s to "
                        + GoDuration.format(MAX_SCHEDULE_HORIZON) + " (" + MAX_SCHEDULE_HORIZON.toDays() + " days)");
                return NOT_VALID;
            }
            return d;
        }
        return null;
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
