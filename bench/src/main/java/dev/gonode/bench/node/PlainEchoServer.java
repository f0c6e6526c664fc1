package dev.gonode.bench.node;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The baseline of {@code bench/wrk/echo.sh}: a plain Vert.x route that does what a node's
 * {@code POST /v1/jobs/echo} must do for a caller — read the body as JSON (so invalid JSON could
 * be refused) and answer the job's JSON shape (id, handler, status, times, result) — all on its
 * event loop, with no job machinery.
 *
 * <p>Usage: {@code PlainEchoServer PORT [EVENT_LOOPS]} (port 0 picks a free port, and the line it
 * prints names it). A Vert.x {@code HttpServer} serves its connections on the one event loop it
 * was listened from, as the node's job API does; {@code EVENT_LOOPS} (default 1) servers share the
 * port, each on its own event loop, to compare with a node that listens on as many.
 */
public final class PlainEchoServer {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlainEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int eventLoops = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.post("/v1/jobs/echo").handler(BodyHandler.create(false)).handler(ctx -> {
            JsonNode payload;
            try {
                payload = MAPPER.readTree(ctx.body().buffer().getBytes());
            } catch (IOException e) {
                ctx.response().setStatusCode(400).end("{\"error\":{\"code\":\"invalid_json\"}}\n");
                return;
            }
            ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(answer(payload));
        });
        int shared = port == 0 ? -1 : port;
        int bound = 0;
        for (int i = 0; i < eventLoops; i++) {
            bound = vertx.createHttpServer().requestHandler(router).listen(shared, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get().actualPort();
        }
        System.out.println("plain vert.x echo listening on 127.0.0.1:" + bound);
    }

    private static Buffer answer(JsonNode payload) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ByteArrayBuilder bytes = new ByteArrayBuilder(256);
        try (JsonGenerator out = MAPPER.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringField("id", new UUID(random.nextLong(), random.nextLong()).toString());
            out.writeStringField("handler", "echo");
            out.writeStringField("status", "succeeded");
            out.writeStringField("createdAt", Instant.now().toString());
            out.writeStringField("queuedFor", "0s");
            out.writeStringField("ranFor", "0s");
            out.writeFieldName("result");
            MAPPER.writeTree(out, payload);
            out.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        bytes.write('\n');
        return Buffer.buffer(bytes.toByteArray());
    }
}
