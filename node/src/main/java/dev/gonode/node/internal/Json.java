package dev.gonode.node.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.ext.web.RoutingContext;

/** JSON responses of both listeners, the job API and the admin port: one mapper, one error shape. */
public final class Json {

    /** The mapper for responses. Records serialise with their components in declaration order. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
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
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        String text;
        try {
            text = (pretty ? MAPPER.writerWithDefaultPrettyPrinter() : MAPPER.writer()).writeValueAsString(body) + "\n";
        } catch (JsonProcessingException e) {
            status = 500;
            text = "{\"error\":{\"code\":\"internal\",\"message\":\"cannot write the answer as JSON\"}}\n";
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .end(text);
    }

    /** Ends the response with an {@link ErrorBody}. */
    public static void error(RoutingContext ctx, int status, String code, String message) {
        respond(ctx, status, new ErrorBody(code, message), false);
    }
}
