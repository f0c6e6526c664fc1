package dev.gonode.node.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The node's JSON: one mapper for every payload it reads and every answer it writes, and one error
 * shape.
 *
 * <p>Implementation notes. The mapper refuses what a client could use to make the node disagree
 * with itself or with the client: data after the JSON value ({@code {"a":1} xyz}), and an object
 * with a key twice (which of the two would a handler see?). Its read and write limits agree: a
 * payload may nest {@link #MAX_PAYLOAD_DEPTH} levels (Jackson's own default), and an answer may nest
 * {@link #ANSWER_ENVELOPE_DEPTH} levels more, for the job view and a handler's result around it, so
 * any payload the node accepted can also be written back.
 *
 * <p>Its buffers come from one shared pool, not from a pool per thread (Jackson's default): most
 * JSON here is written on worker goroutines, virtual threads that come and go, and a per-thread
 * pool would give each of them buffers of its own (and its lookup showed in the job path's CPU
 * profile).
 */
public final class Json {

    /** How deep a payload may nest objects and arrays; one level deeper is refused (400 invalid_json). */
    public static final int MAX_PAYLOAD_DEPTH = 1_000;
    /**
     * How many levels an answer may add around what a payload held: the job view is one and a
     * built-in handler's result wraps an item in at most three more ({@code fanout}); the rest is margin.
     */
    public static final int ANSWER_ENVELOPE_DEPTH = 8;

    /** The mapper for payloads and answers. Records serialise with their components in declaration order. */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_PAYLOAD_DEPTH).build())
            .streamWriteConstraints(StreamWriteConstraints.builder()
                    .maxNestingDepth(MAX_PAYLOAD_DEPTH + ANSWER_ENVELOPE_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** The body of every error answer: {@code {"error":{"code":...,"message":...}}}. */
    public record ErrorBody(Error error) {
        public ErrorBody(String code, String message) {
            this(new Error(code, message));
        }
    }

    /**
     * An error: a stable machine-readable {@code code} (snake_case) and a message for people that
     * says what went wrong and what to do.
     */
    public record Error(String code, String message) {
    }

    private Json() {
    }

    /**
     * Ends the response with {@code body} as JSON and a final newline (pleasant with curl). Debug
     * endpoints pass {@code pretty} for indented output.
     */
    public static void respond(RoutingContext ctx, int status, Object body, boolean pretty) {
        respond(ctx.response(), status, body, pretty);
    }

    /** Ends the response with an {@link ErrorBody}. */
    public static void error(RoutingContext ctx, int status, String code, String message) {
        respond(ctx, status, new ErrorBody(code, message), false);
    }

    /**
     * Ends a response that has no routing context (a request refused before routing) with an
     * {@link ErrorBody}; completes when it is written, or at once if the response was over already.
     */
    public static Future<Void> error(HttpServerResponse response, int status, String code, String message) {
        return respond(response, status, new ErrorBody(code, message), false);
    }

    private static Future<Void> respond(HttpServerResponse response, int status, Object body, boolean pretty) {
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        String text;
        try {
            text = (pretty ? MAPPER.writerWithDefaultPrettyPrinter() : MAPPER.writer()).writeValueAsString(body) + "\n";
        } catch (JsonProcessingException e) {
            status = 500;
            text = "{\"error\":{\"code\":\"internal\",\"message\":\"cannot write the answer as JSON\"}}\n";
        }
        return response
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .end(text);
    }
}
