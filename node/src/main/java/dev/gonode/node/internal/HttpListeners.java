package dev.gonode.node.internal;

import dev.gonode.node.NodeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Creates the node's two HTTP listeners with what protects them from hostile clients: the
 * connection timeouts and, on the job API, the connection cap ({@link ConnectionGuard}), and JSON
 * answers to requests that are not valid HTTP ({@link MalformedRequests}).
 */
public final class HttpListeners {

    /** A listener's name in logs and in the {@code listener} label of its metrics. */
    public static final String JOB_API = "job_api";
    public static final String ADMIN = "admin";

    private HttpListeners() {
    }

    /**
     * A server for {@code host:port} named {@code listener}, handling requests with {@code handler};
     * {@code maxConnections} 0 means no cap. Call {@code listen()} on it.
     */
    public static HttpServer create(Vertx vertx, String listener, String host, int port, NodeConfig.Server settings,
                                    int maxConnections, Handler<HttpServerRequest> handler, MeterRegistry registry) {
        // HTTP/1.1 only: see ConnectionGuard on why cleartext HTTP/2 would leave silent clients unguarded.
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port).setHttp2ClearTextEnabled(false);
        ConnectionGuard guard = new ConnectionGuard(vertx, listener, settings.requestHeaderTimeout(),
                settings.idleTimeout(), maxConnections, registry);
        MalformedRequests malformed = new MalformedRequests(listener, options, registry);
        return vertx.createHttpServer(options)
                .connectionHandler(guard::connected)
                .invalidRequestHandler(malformed::invalid)
                .requestHandler(guard.guard(malformed.checkingUri(handler)));
    }

    /**
     * The job API's connection cap: {@code server.max-connections}, or when that is 0, one derived
     * from the process's open-file limit.
     */
    public static int jobApiConnectionCap(NodeConfig.Server settings) {
        return settings.maxConnections() > 0 ? settings.maxConnections()
                : ConnectionGuard.defaultMaxConnections(ConnectionGuard.openFileLimit());
    }
}
