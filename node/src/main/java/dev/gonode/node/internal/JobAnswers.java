package dev.gonode.node.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.gonode.node.internal.jobs.JobEngine.Submission;
import dev.gonode.node.internal.jobs.JobRecord;
import dev.gonode.node.internal.jobs.Outcome;
import dev.gonode.runtime.GoDuration;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import dev.gonode.node.internal.jobs.AttemptError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The job API's one mapping from the domain to HTTP: a refused submission or a job's outcome
 * becomes a status, an error code, {@code Retry-After} and {@code Connection}; a job becomes its
 * JSON view. The engine and the jobs know nothing of HTTP.
 *
 * <table>
 *   <caption>Outcomes and refusals</caption>
 *   <tr><th>domain</th><th>status</th><th>code</th><th>headers</th></tr>
 *   <tr><td>succeeded</td><td>200</td><td>-</td><td></td></tr>
 *   <tr><td>payload rejected</td><td>400</td><td>payload_rejected</td><td></td></tr>
 *   <tr><td>unknown handler</td><td>404</td><td>unknown_handler</td><td></td></tr>
 *   <tr><td>mailbox full, queue full</td><td>429</td><td>mailbox_full, queue_full</td><td>Retry-After: 1</td></tr>
 *   <tr><td>cancelled (its caller went away)</td><td>499</td><td>cancelled</td><td></td></tr>
 *   <tr><td>cancelled by {@code DELETE /v1/jobs/{id}}</td><td>409</td><td>cancelled</td><td></td></tr>
 *   <tr><td>discarded (every attempt failed)</td><td>the last attempt's</td><td>the last attempt's</td><td></td></tr>
 *   <tr><td>handler failed</td><td>500</td><td>handler_failed</td><td></td></tr>
 *   <tr><td>draining, aborted, released</td><td>503</td><td>draining, aborted, released</td><td>Retry-After: 5, Connection: close</td></tr>
 *   <tr><td>store unavailable</td><td>503</td><td>store_unavailable</td><td>Retry-After: 1</td></tr>
 *   <tr><td>payload the store refuses</td><td>400</td><td>invalid_json</td><td></td></tr>
 *   <tr><td>recorded elsewhere (discarded, ...)</td><td>500</td><td>its code</td><td></td></tr>
 *   <tr><td>deadline exceeded</td><td>504</td><td>deadline_exceeded</td><td></td></tr>
 * </table>
 */
final class JobAnswers {

    /** Seconds a refused caller is told to wait before retrying. */
    static final String RETRY_AFTER_FULL = "1";
    static final String RETRY_AFTER_DRAINING = "5";

    private JobAnswers() {
    }

    /** The HTTP status a waiting caller gets for {@code outcome}. */
    static int status(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Succeeded s -> 200;
            case Outcome.PayloadRejected r -> 400;
            case Outcome.Cancelled c -> c.equals(Outcome.Cancelled.CALLER_WENT_AWAY) ? 499 : 409;
            case Outcome.Discarded d -> status(d.last());
            case Outcome.RetryScheduled r -> status(r.failure());
            case Outcome.HandlerFailed f -> 500;
            case Outcome.Aborted a -> 503;
            case Outcome.Released r -> 503;
            case Outcome.DeadlineExceeded d -> 504;
            case Outcome.Recorded r -> 500;
        };
    }

    /**
     * The answer to a caller that waited for {@code job}, made ready off the event loop: call on
     * the settling goroutine, then {@link #write} it on the request's context.
     */
    static Answer settled(JobRecord job) {
        Outcome outcome = job.outcome();
        return new Answer(status(outcome), outcome instanceof Outcome.Aborted || outcome instanceof Outcome.Released,
                view(job));
    }

    /** {@code 202} with {@code Location}: the job was accepted and the caller does not wait. */
    static Answer queued(JobRecord job) {
        return new Answer(202, false, view(job));
    }

    /** {@code 200} with the job as it is now ({@code GET /v1/jobs/{id}}). */
    static Answer current(JobRecord job) {
        return new Answer(200, false, view(job));
    }

    /** Answers a submission the engine refused. */
    static void refused(RoutingContext ctx, String handler, Submission refusal) {
        switch (refusal) {
            case Submission.UnknownHandler unknown -> Json.error(ctx, 404, "unknown_handler",
                    "no handler named \"" + JobRouter.cap(handler) + "\"; this node runs " + String.join(", ", unknown.known()));
            case Submission.MailboxFull full -> {
                ctx.response().putHeader("Retry-After", RETRY_AFTER_FULL);
                Json.error(ctx, 429, "mailbox_full", "handler " + handler + " has " + full.capacity()
                        + " jobs waiting already (its mailbox is full); retry after a moment");
            }
            case Submission.QueueFull full -> {
                ctx.response().putHeader("Retry-After", RETRY_AFTER_FULL);
                Json.error(ctx, 429, "queue_full", "the node's unfinished jobs hold " + full.maxBytes()
                        + " bytes of payloads already (jobs.queued-max-bytes); retry after a moment");
            }
            case Submission.Draining d -> draining(ctx);
            case Submission.StoreUnavailable unavailable -> storeUnavailable(ctx, unavailable.store());
            case Submission.Unstorable unstorable -> Json.error(ctx, 400, "invalid_json", unstorable.reason());
            case Submission.Accepted a -> throw new IllegalArgumentException("not a refusal: " + refusal);
            case Submission.Duplicate d -> throw new IllegalArgumentException("not a refusal: " + refusal);
        }
    }

    /** 503 {@code draining}: this node takes no new jobs; the client should retry on another. */
    static void draining(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", RETRY_AFTER_DRAINING);
        closeAfterAnswer(ctx);
        Json.error(ctx, 503, "draining", "this node is shutting down and takes no new jobs; retry on another node");
    }

    /** 503 {@code store_unavailable}: the shared job store cannot be reached; retry after a moment. */
    static void storeUnavailable(RoutingContext ctx, String store) {
        ctx.response().putHeader("Retry-After", RETRY_AFTER_FULL);
        Json.error(ctx, 503, "store_unavailable", "the job store (" + store + ") cannot be reached, so the node can"
                + " neither take nor look up jobs now; retry after a moment");
    }

    /** An answer whose body is already JSON bytes. */
    record Answer(int status, boolean retryElsewhere, Buffer body) {

        /** Writes it, unless the response is gone; call on the request's context. */
        void write(RoutingContext ctx, String location) {
            HttpServerResponse response = ctx.response();
            if (response.ended() || response.closed()) {
                return;
            }
            if (retryElsewhere) {
                response.putHeader("Retry-After", RETRY_AFTER_DRAINING);
                closeAfterAnswer(ctx);
            }
            if (location != null) {
                response.putHeader("Location", location);
            }
            response.setStatusCode(status)
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(body);
        }
    }

    /** Asks an HTTP/1.x client to close the connection after this answer (HTTP/2 forbids the header). */
    private static void closeAfterAnswer(RoutingContext ctx) {
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader("Connection", "close");
        }
    }

    /**
     * The job as JSON: id, handler, status, creation time, the time it queued and ran, then the
     * error, or the result as the handler's JSON bytes (copied, never re-encoded).
     */
    static Buffer view(JobRecord job) {
        Outcome outcome = job.outcome();
        byte[] result = outcome instanceof Outcome.Succeeded s ? s.resultJson() : null;
        ByteArrayBuilder bytes = new ByteArrayBuilder(result == null ? 256 : 256 + result.length);
        // Closed before the result's bytes are appended (closing returns the generator's buffers to
        // Json's pool), so it must not close the open object itself.
        try (JsonGenerator out = Json.MAPPER.createGenerator(bytes)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT)) {
            out.writeStartObject();
            out.writeStringField("id", job.id());
            out.writeStringField("handler", job.handler());
            out.writeStringField("status", (outcome != null ? outcome.status() : job.status()).wireName());
            out.writeStringField("createdAt", job.createdAt().toString());
            out.writeNumberField("attempt", job.attempt());
            out.writeNumberField("maxAttempts", job.maxAttempts());
            Instant due = job.scheduledAt();
            if (due != null) {
                out.writeStringField("scheduledAt", due.toString());
            }
            writeDuration(out, "queuedFor", job.queueWait());
            writeDuration(out, "ranFor", job.runTime());
            if (outcome instanceof Outcome.Succeeded && result == null) {
                out.writeStringField("resultNotKept", job.resultNotKept());
            } else if (outcome != null && !(outcome instanceof Outcome.Succeeded)) {
                out.writeObjectFieldStart("error");
                out.writeStringField("code", outcome.code());
                out.writeStringField("message", outcome.message());
                out.writeEndObject();
            }
            List<AttemptError> errors = job.errors();
            if (!errors.isEmpty()) {
                out.writeArrayFieldStart("errors");
                for (AttemptError e : errors) {
                    out.writeStartObject();
                    out.writeNumberField("attempt", e.attempt());
                    if (e.at() != null) {
                        out.writeStringField("at", e.at().toString());
                    }
                    out.writeStringField("code", e.code());
                    out.writeStringField("message", e.message());
                    if (e.errorId() != null) {
                        out.writeStringField("errorId", e.errorId());
                    }
                    out.writeEndObject();
                }
                out.writeEndArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing a job view to memory", e);
        }
        if (result != null) {
            bytes.write(RESULT_FIELD);
            bytes.write(result);
        }
        bytes.write('}');
        bytes.write('\n');
        return Buffer.buffer(bytes.toByteArray());
    }

    private static final byte[] RESULT_FIELD = ",\"result\":".getBytes(StandardCharsets.US_ASCII);

    private static void writeDuration(JsonGenerator out, String name, Duration d) throws IOException {
        if (d != null) {
            out.writeStringField(name, GoDuration.format(d));
        }
    }
}
