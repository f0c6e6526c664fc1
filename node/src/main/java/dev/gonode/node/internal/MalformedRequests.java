package dev.gonode.node.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers requests that are not valid HTTP, or whose URI cannot be decoded, before any router sees
 * them: with the node's JSON error shape, closing the connection after the answer, and one log line at DEBUG
 * without a stack (a client's mistake is not the node's error, and a flood of them must not flood
 * the log); {@code gonode_http_requests_malformed_total} counts them.
 *
 * <ul>
 *   <li>a request line longer than the listener's limit: 414 {@code uri_too_long}</li>
 *   <li>headers larger than the limit: 431 {@code headers_too_large}</li>
 *   <li>anything else the HTTP decoder refuses: 400 {@code bad_request}</li>
 *   <li>a URI with a {@code %} not followed by two hex digits: 400 {@code bad_request} (the web
 *       router would fail on it with a stack trace and plain text)</li>
 * </ul>
 */
final class MalformedRequests {

    private static final Logger LOG = LoggerFactory.getLogger(MalformedRequests.class);
    private static final int SHOWN = 100;

    private final String listener;
    private final HttpServerOptions options;
    private final Counter counter;

    /** For the listener named {@code listener}, whose limits are in {@code options}. */
    MalformedRequests(String listener, HttpServerOptions options, MeterRegistry registry) {
        this.listener = listener;
        this.options = options;
        this.counter = Counter.builder("gonode.http.requests.malformed")
                .description("Requests answered 400, 414 or 431 before routing because they were not valid HTTP")
                .tag("listener", listener).register(registry);
    }

    /** The server's invalid-request handler: for requests the HTTP decoder could not read. */
    void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            refuse(request, 414, "uri_too_long", "the request line is longer than this listener's limit of "
                    + options.getMaxInitialLineLength() + " bytes; send a shorter URI (the job API takes its input"
                    + " in the body)");
        } else if (cause instanceof TooLongHttpHeaderException) {
            refuse(request, 431, "headers_too_large", "the request headers are larger than this listener's limit"
                    + " of " + options.getMaxHeaderSize() + " bytes; send fewer or smaller headers");
        } else {
            refuse(request, 400, "bad_request", "the request is not valid HTTP/1.1"
                    + (cause == null || cause.getMessage() == null ? "" : ": " + shown(cause.getMessage())));
        }
    }

    /** {@code next}, for requests whose URI has only well-formed percent-escapes. */
    Handler<HttpServerRequest> checkingUri(Handler<HttpServerRequest> next) {
        return request -> {
            String uri = request.uri();
            int bad = badEscape(uri);
            if (bad < 0) {
                next.handle(request);
                return;
            }
            String escape = uri.substring(bad, Math.min(uri.length(), bad + 3));
            refuse(request, 400, "bad_request", "the request URI has a malformed percent-escape \"" + shown(escape)
                    + "\" at character " + (bad + 1) + "; a % must be followed by two hex digits (write % itself"
                    + " as %25)");
        };
    }

    /** The index of the first {@code %} not followed by two hex digits, or -1. */
    static int badEscape(String uri) {
        for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
            if (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0
                    || Character.digit(uri.charAt(i + 2), 16) < 0) {
                return i;
            }
        }
        return -1;
    }

    private void refuse(HttpServerRequest request, int status, String code, String message) {
        counter.increment();
        LOG.debug("{}: answered {} {} to {}: {}", listener, status, code, request.remoteAddress(), message);
        request.response().putHeader("Connection", "close");
        Json.error(request.response(), status, code, message).onComplete(done -> request.connection().close());
    }

    private static String shown(String text) {
        String printable = text.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= SHOWN ? printable : printable.substring(0, SHOWN) + "...";
    }
}
