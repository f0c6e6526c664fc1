package dev.gonode.node.internal;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one HTTP listener allows a connection: at most {@code maxConnections} open at once, the
 * headers of its first request within the request-header timeout, and at most the idle timeout
 * between an answer and the next request. Install it as the server's connection handler and wrap
 * the request handler with {@link #guard}.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>The cap is a counter: a connection over it is closed as soon as it is accepted, before any
 *       byte is read, which costs the node one accept and one close. A file descriptor held by a
 *       refused connection is released at once, so the admin listener and the node's own files
 *       always find one.</li>
 *   <li>Each guarded connection has a periodic check on its own event loop (all its state is
 *       confined to that thread; no lock). Vert.x calls the request handler when a request's
 *       headers are complete, so a connection that has never reached the request handler is still
 *       sending its first headers (or nothing): it is closed once it is older than the
 *       request-header timeout, however slowly it trickles bytes. Between requests, the connection
 *       is idle once the response to its latest request has ended (an HTTP/1.1 connection gets
 *       its next request only then, pipelined or not); it is closed
 *       once it has been idle longer than the idle timeout, so the next request's headers must
 *       arrive within that. A request still waiting for its answer is never cut.</li>
 *   <li>The listeners speak HTTP/1.1 only (no cleartext HTTP/2): with h2c on, Vert.x creates the
 *       connection, and calls the connection handler, only once the first bytes show which
 *       protocol the client speaks, so a client that sends nothing would never be seen here.</li>
 *   <li>The check runs every quarter of the shorter timeout (between 10 ms and 1 s), so a timeout
 *       fires at most two periods late. Response end events are not hooked because the web router
 *       owns a response's end and close handlers; the check looks at the responses instead.</li>
 * </ul>
 */
final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    /** The cap used when the process's open-file limit cannot be read (not a Unix JVM). */
    static final int CAP_WITHOUT_FD_LIMIT = 10_000;
    /** File descriptors kept for everything but the job API's connections, at least. */
    static final int MIN_FD_HEADROOM = 256;

    private final Vertx vertx;
    private final String listener;
    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long checkPeriodMillis;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<HttpConnection, Guarded> connections = new ConcurrentHashMap<>();
    private final Counter refused;
    private final Counter headerTimeouts;
    private final Counter idleTimeouts;

    /**
     * A guard for the listener named {@code listener} in logs and metrics ({@code job_api},
     * {@code admin}); {@code maxConnections} 0 means no cap.
     */
    ConnectionGuard(Vertx vertx, String listener, Duration requestHeaderTimeout, Duration idleTimeout,
                    int maxConnections, MeterRegistry registry) {
        this.vertx = vertx;
        this.listener = listener;
        this.headerTimeoutNanos = requestHeaderTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
        long shorter = Math.min(requestHeaderTimeout.toMillis(), idleTimeout.toMillis());
        this.checkPeriodMillis = Math.clamp(shorter / 4, 10, 1_000);
        this.maxConnections = maxConnections;
        Gauge.builder("gonode.http.connections", open, AtomicInteger::get)
                .description("Connections open on the listener").tag("listener", listener).register(registry);
        if (maxConnections > 0) {
            Gauge.builder("gonode.http.connections.max", () -> maxConnections)
                    .description("The most connections the listener holds open (server.max-connections)")
                    .tag("listener", listener).register(registry);
        }
        this.refused = Counter.builder("gonode.http.connections.refused")
                .description("Connections closed on accept because the listener was at its cap")
                .tag("listener", listener).register(registry);
        this.headerTimeouts = timedOut(registry, "request_header");
        this.idleTimeouts = timedOut(registry, "idle");
    }

    private Counter timedOut(MeterRegistry registry, String timeout) {
        return Counter.builder("gonode.http.connections.timed.out")
                .description("Connections closed by a timeout: request_header (the first request's headers"
                        + " did not arrive in time) or idle (no next request in time)")
                .tag("listener", listener).tag("timeout", timeout).register(registry);
    }

    /**
     * The default cap on job API connections for an open-file limit of {@code fdLimit}: the limit
     * minus a headroom of a tenth of it (at least {@value #MIN_FD_HEADROOM}, at most half) for the
     * admin listener, the node's files and the JVM's own descriptors.
     */
    static int defaultMaxConnections(OptionalLong fdLimit) {
        if (fdLimit.isEmpty()) {
            return CAP_WITHOUT_FD_LIMIT;
        }
        long limit = fdLimit.getAsLong();
        long headroom = Math.min(limit / 2, Math.max(MIN_FD_HEADROOM, limit / 10));
        return (int) Math.clamp(limit - headroom, 1, Integer.MAX_VALUE);
    }

    /** This process's open-file limit, when the platform reports it. */
    static OptionalLong openFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            return OptionalLong.of(unix.getMaxFileDescriptorCount());
        }
        return OptionalLong.empty();
    }

    /** The server's connection handler. Runs on the new connection's event loop. */
    void connected(HttpConnection connection) {
        if (open.incrementAndGet() > maxConnections && maxConnections > 0) {
            open.decrementAndGet();
            refused.increment();
            connection.close();
            return;
        }
        Guarded guarded = new Guarded(connection, System.nanoTime());
        connections.put(connection, guarded);
        long timer = vertx.setPeriodic(checkPeriodMillis, id -> guarded.check());
        connection.closeHandler(v -> {
            vertx.cancelTimer(timer);
            connections.remove(connection);
            open.decrementAndGet();
        });
    }

    /** {@code next}, behind the guard: each request is noted on its connection before it is handled. */
    Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
        return request -> {
            Guarded guarded = connections.get(request.connection());
            if (guarded == null) {
                // A refused connection whose request was read before its close took effect.
                request.connection().close();
                return;
            }
            guarded.started(request);
            next.handle(request);
        };
    }

    /** One open connection; used only on its event loop. */
    private final class Guarded {
        private final HttpConnection connection;
        private final long openedAt;
        private HttpServerRequest latest;
        private boolean idle;
        private long idleSince;
        private boolean closing;

        Guarded(HttpConnection connection, long openedAt) {
            this.connection = connection;
            this.openedAt = openedAt;
        }

        void started(HttpServerRequest request) {
            latest = request;
            idle = false; // the idle time counts from this request's answer
        }

        void check() {
            if (closing) {
                return;
            }
            long now = System.nanoTime();
            if (latest == null) {
                if (now - openedAt > headerTimeoutNanos) {
                    close(headerTimeouts, "its first request's headers did not arrive within server.request-header-timeout");
                }
            } else if (!latest.response().ended() && !latest.response().closed()) {
                idle = false; // still answering
            } else if (!idle) {
                idle = true;
                idleSince = now;
            } else if (now - idleSince > idleTimeoutNanos) {
                close(idleTimeouts, "it was idle for server.idle-timeout");
            }
        }

        private void close(Counter counter, String why) {
            closing = true;
            counter.increment();
            LOG.debug("{}: closing the connection from {}: {}", listener, connection.remoteAddress(), why);
            connection.close();
        }
    }
}
