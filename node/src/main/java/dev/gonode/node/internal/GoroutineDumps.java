package dev.gonode.node.internal;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.dump.DumpFilter;
import dev.gonode.runtime.dump.DumpFormat;
import dev.gonode.runtime.dump.GoroutineDump;
import dev.gonode.runtime.dump.TextStyle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /debug/pprof/goroutine}: the goroutine dump as Go's pprof handler serves it (the
 * index and the other profiles: {@link PprofEndpoints}).
 *
 * <p>As in Go's {@code net/http/pprof}: without {@code debug} (or {@code ?debug=0}) the gzipped
 * pprof profile, so {@code go tool pprof http://HOST:PORT/debug/pprof/goroutine} works as typed;
 * {@code ?debug=1} goroutines grouped by stack, {@code ?debug=2} one block per goroutine,
 * {@code ?format=json} JSON. The text is in Go's shapes by default ({@code style=go}: Go's function
 * names and {@code .go} locations), so panicparse and {@code go tool pprof} read it;
 * {@code style=gonode} writes Java names and source files and, in {@code debug=2}, each goroutine's
 * labels on a {@code labels:} line (Go's readers reject that line: in Go's style the labels are in
 * {@code debug=1}'s {@code # labels:} lines, the profile's sample labels and the JSON). Filters:
 * {@code state}, {@code reason}, {@code min_wait}, {@code label} ({@code k=v,k2=v2}), {@code name}
 * (a regular expression), {@code limit}. A bad parameter is a 400 naming it.
 *
 * <p>{@code go tool pprof} reads a {@code debug=1} profile as bare addresses and asks
 * {@code POST /debug/pprof/symbol} for their function names ({@code 0xADDR+0xADDR...}, answered
 * with {@code num_symbols: 1} and one {@code 0xADDR name} line per known address), as Go's handler
 * answers it; the addresses are the dumps' pseudo addresses ({@link GoroutineDump#symbol}).
 *
 * <p>Implementation notes. Taking a parked goroutine's stack costs the JDK 10 to 25 µs, so a dump
 * of 100,000 goroutines takes seconds: it runs on a goroutine of its own, never on the event loop,
 * and streams its output in 64 KiB chunks through the response, waiting for the response's write
 * queue to drain (back-pressure) so that memory stays bounded however large the dump is.
 */
final class GoroutineDumps {

    private static final int CHUNK = 64 * 1024;
    /** The largest symbol lookup taken: about 14,000 addresses, far more than a goroutine profile has. */
    static final int SYMBOL_REQUEST_MAX_BYTES = 256 * 1024;

    private GoroutineDumps() {
    }

    static void routes(Router router) {
        router.get("/debug/pprof/goroutine").handler(GoroutineDumps::goroutine);
        router.get("/debug/pprof/symbol").handler(GoroutineDumps::symbol);
        router.post("/debug/pprof/symbol")
                .handler(BodyHandler.create(false).setBodyLimit(SYMBOL_REQUEST_MAX_BYTES))
                .handler(GoroutineDumps::symbol);
    }

    private static void goroutine(RoutingContext ctx) {
        DumpFormat format;
        DumpFilter filter;
        TextStyle style;
        try {
            format = format(ctx);
            filter = filter(ctx);
            style = style(ctx.request().getParam("style"));
        } catch (IllegalArgumentException e) {
            Json.error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        GoroutineDump dump = GoroutineDump.all().filter(filter).style(style);
        HttpServerResponse response = ctx.response()
                .setChunked(true)
                .putHeader("Content-Type", format.contentType())
                .putHeader("Cache-Control", "no-store");
        if (format == DumpFormat.PPROF) {
            response.putHeader("Content-Disposition", "attachment; filename=\"goroutine.pb.gz\"");
        }
        io.vertx.core.Context context = ctx.vertx().getOrCreateContext();
        Go.go("goroutine dump", () -> {
            try (OutputStream out = new ResponseStream(response, context)) {
                Diagnostics.assertOffEventLoop("a goroutine dump");
                dump.write(format, out);
            } catch (IOException | RuntimeException | AssertionError e) {
                context.runOnContext(v -> response.reset());
            }
        });
    }

    private static DumpFormat format(RoutingContext ctx) {
        String json = ctx.request().getParam("format");
        if (json != null) {
            if (!json.equals("json")) {
                throw new IllegalArgumentException("format=" + JobRouter.cap(json) + " is not known; use format=json,"
                        + " or debug=0|1|2 for Go's formats");
            }
            return DumpFormat.JSON;
        }
        String debug = ctx.request().getParam("debug");
        if (debug == null) {
            return DumpFormat.PPROF;
        }
        try {
            return DumpFormat.ofDebug(Integer.parseInt(debug.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("debug=" + JobRouter.cap(debug) + " is not a number; use 0, 1 or 2");
        }
    }

    private static DumpFilter filter(RoutingContext ctx) {
        DumpFilter f = DumpFilter.all();
        String v;
        if ((v = ctx.request().getParam("state")) != null) {
            f = f.states(v);
        }
        if ((v = ctx.request().getParam("reason")) != null) {
            f = f.waitReasons(v);
        }
        if ((v = ctx.request().getParam("min_wait")) != null) {
            f = f.minWait(v);
        }
        List<String> labels = ctx.queryParam("label");
        if (!labels.isEmpty()) {
            f = f.labels(String.join(",", labels));
        }
        if ((v = ctx.request().getParam("name")) != null) {
            f = f.nameRegex(v);
        }
        if ((v = ctx.request().getParam("limit")) != null) {
            f = f.limit(v);
        }
        return f;
    }

    private static TextStyle style(String style) {
        if (style == null) {
            return TextStyle.GO_TOOLS;
        }
        return switch (style.toLowerCase(Locale.ROOT)) {
            case "go" -> TextStyle.GO_TOOLS;
            case "gonode" -> TextStyle.GONODE;
            default -> throw new IllegalArgumentException("style=" + JobRouter.cap(style) + " is not known; use go or gonode");
        };
    }

    /**
     * Go's symbol lookup: the addresses ({@code 0x1f+0x2a}, in a POST body or a GET query) each
     * answered by {@code 0xADDR function} when a dump has shown it; always first
     * {@code num_symbols: 1}, which tells pprof that symbols are served.
     */
    private static void symbol(RoutingContext ctx) {
        String query = ctx.request().method() == HttpMethod.POST ? ctx.body().asString() : ctx.request().query();
        StringBuilder out = new StringBuilder("num_symbols: 1\n");
        if (query != null) {
            for (String word : query.split("\\+")) {
                String w = word.strip();
                if (w.isEmpty()) {
                    continue;
                }
                long address;
                try {
                    address = w.startsWith("0x") || w.startsWith("0X") ? Long.parseUnsignedLong(w.substring(2), 16)
                            : Long.parseUnsignedLong(w);
                } catch (NumberFormatException e) {
                    Json.error(ctx, 400, "bad_request", "symbol lookup: \"" + JobRouter.cap(w)
                            + "\" is not an address; send addresses such as 0x4b679a joined by +");
                    return;
                }
                String function = GoroutineDump.symbol(address);
                if (function != null) {
                    out.append("0x").append(Long.toHexString(address)).append(' ').append(function).append('\n');
                }
            }
        }
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(out.toString());
    }

    /**
     * An OutputStream over a Vert.x response, written from a goroutine: bytes are buffered into
     * chunks, each chunk is written on the response's context, and the writer waits (parked, with
     * a future) while the response's write queue is full.
     */
    private static final class ResponseStream extends OutputStream {
        private final HttpServerResponse response;
        private final io.vertx.core.Context context;
        private Buffer chunk = Buffer.buffer(CHUNK);

        ResponseStream(HttpServerResponse response, io.vertx.core.Context context) {
            this.response = response;
            this.context = context;
        }

        @Override
        public void write(int b) throws IOException {
            chunk.appendByte((byte) b);
            if (chunk.length() >= CHUNK) {
                flush();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            chunk.appendBytes(b, off, len);
            if (chunk.length() >= CHUNK) {
                flush();
            }
        }

        @Override
        public void flush() throws IOException {
            if (chunk.length() == 0) {
                return;
            }
            Buffer full = chunk;
            chunk = Buffer.buffer(CHUNK);
            CompletableFuture<Void> written = new CompletableFuture<>();
            context.runOnContext(v -> {
                if (response.closed()) {
                    written.completeExceptionally(new IOException("the client went away"));
                    return;
                }
                response.write(full);
                if (response.writeQueueFull()) {
                    response.drainHandler(d -> written.complete(null));
                } else {
                    written.complete(null);
                }
            });
            try {
                written.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        @Override
        public void close() throws IOException {
            flush();
            CompletableFuture<Void> ended = new CompletableFuture<>();
            context.runOnContext(v -> response.end().onComplete(r -> ended.complete(null)));
            ended.join();
        }
    }
}
