package dev.gonode.node;

import dev.gonode.node.internal.AdminRouter;
import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.node.internal.HealthProbe;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.SchedStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.BindException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gonode node: the gonode runtime plus the node's HTTP listeners on Vert.x. For now
 * that is the admin listener ({@code /healthz}, {@code /debug/sched}); the job API and the drain
 * come with later issues.
 *
 * <pre>{@code
 * try (Node node = Node.start(config)) {
 *     int port = node.adminPort();   // the bound port, also when config asked for 0
 * }
 * }</pre>
 *
 * <p>Implementation notes. The node's wiring is all here, in start order:
 * <ol>
 *   <li>The gonode runtime starts (the process-wide one behind {@link Go}) and its scheduler is
 *       logged: {@code gonode}, or {@code jdk-default} with the reason it fell back.</li>
 *   <li>One {@link Vertx} instance; the admin {@link HttpServer} with {@link AdminRouter} on it,
 *       bound to {@code admin.host:admin.port}. A bind failure the operator can fix (port in use,
 *       unknown host, address not on this machine, privileged port) becomes a
 *       {@link StartupException} naming the setting; the Vert.x instance is closed first.</li>
 * </ol>
 * {@link Main} logs {@code gonode admin listening on HOST:PORT} (the bound port) only after its
 * shutdown hook and signal handlers are in place; tests and scripts wait for that line.
 * {@link #close()} stops in phases, each logged with its duration, and never throws:
 * {@code HttpServer.shutdown(grace)} (stop accepting, let in-flight requests finish, then close
 * what is left), then {@code Vertx.close()}. The gonode runtime is process-wide and is not shut
 * down: its carriers are daemon threads. Readiness and job draining will come before the first
 * phase when the job API exists.
 */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    /** How long the admin listener may take to bind. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long in-flight admin requests get to finish before their connections are closed. */
    static final Duration ADMIN_SHUTDOWN_GRACE = Duration.ofSeconds(5);
    /** How long the node waits for each stop phase (past the grace) before moving on. */
    static final Duration PHASE_TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final HttpServer admin;
    private final String adminHost;
    private final int adminPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Node(Vertx vertx, HttpServer admin, String adminHost, int adminPort) {
        this.vertx = vertx;
        this.admin = admin;
        this.adminHost = adminHost;
        this.adminPort = adminPort;
    }

    /**
     * Starts the runtime and the node's listeners and returns once they accept connections.
     *
     * @throws StartupException when a listener cannot bind for a reason the operator can fix; the
     *                          message names the setting and what to do
     */
    public static Node start(NodeConfig config) throws StartupException {
        SchedStats sched = Go.schedStats();
        if ("gonode".equals(sched.scheduler())) {
            LOG.info("gonode runtime: scheduler gonode, GOMAXPROCS {}, weak goroutine container {}",
                    sched.gomaxprocs(), sched.weakContainer() ? "on" : "off");
        } else {
            // The runtime has logged why; /debug/sched reports it as fallbackReason.
            LOG.warn("gonode runtime: scheduler jdk-default, GOMAXPROCS {} (gonode's own scheduler is unavailable;"
                    + " /debug/sched has the reason)", sched.gomaxprocs());
        }

        String host = config.admin().host();
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx
                .createHttpServer(new HttpServerOptions().setHost(host).setPort(config.admin().port()))
                .requestHandler(AdminRouter.create(vertx, HealthProbe.onGoroutine(HealthProbe.DEFAULT_TIMEOUT)));
        try {
            server.listen().toCompletionStage().toCompletableFuture()
                    .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            closeQuietly(vertx);
            throw bindFailure(config.admin(), e.getCause());
        } catch (TimeoutException e) {
            closeQuietly(vertx);
            throw new StartupException("the admin listener did not bind " + address(host, config.admin().port())
                    + " within " + GoDuration.format(START_TIMEOUT), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(vertx);
            throw new StartupException("interrupted while binding the admin listener", e);
        }
        return new Node(vertx, server, host, server.actualPort());
    }

    /** The port the admin listener is bound to (the one the system picked when 0 was asked for). */
    public int adminPort() {
        return adminPort;
    }

    /** The address the admin listener is bound to, as configured. */
    public String adminHost() {
        return adminHost;
    }

    /** {@code HOST:PORT} of the admin listener, with the bound port (IPv6 literals in brackets). */
    public String adminAddress() {
        return address(adminHost, adminPort);
    }

    /** Stops the node in phases, each logged with its duration. Idempotent; never throws. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        LOG.info("stopping the node");
        phase("admin listener shut down",
                () -> admin.shutdown(ADMIN_SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS),
                ADMIN_SHUTDOWN_GRACE.plus(PHASE_TIMEOUT));
        phase("vert.x closed", vertx::close, PHASE_TIMEOUT);
        LOG.info("node stopped in {}", since(start));
    }

    private static void phase(String name, Supplier<Future<Void>> action, Duration timeout) {
        long start = System.nanoTime();
        try {
            action.get().toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("{} in {}", name, since(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("{}: interrupted after {}", name, since(start));
        } catch (TimeoutException e) {
            LOG.warn("{}: gave up waiting after {}", name, since(start));
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            LOG.warn("{}: failed after {}: {}", name, since(start), cause.toString());
        }
    }

    private static String since(long startNanos) {
        return GoDuration.format(Duration.ofNanos(System.nanoTime() - startNanos).truncatedTo(ChronoUnit.MICROS));
    }

    private static void closeQuietly(Vertx vertx) {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("closing Vert.x after a failed start", e);
        }
    }

    /** A bind failure as a message naming the setting to change. */
    static StartupException bindFailure(NodeConfig.Admin admin, Throwable failure) {
        String where = address(admin.host(), admin.port());
        String portVar = ConfigLoader.ENV_ADMIN_PORT;
        String hostVar = ConfigLoader.ENV_ADMIN_HOST;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String text = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof UnknownHostException || text.contains("unresolved address")
                    || text.contains("name or service not known")) {
                return new StartupException("cannot resolve the admin host \"" + admin.host() + "\" (admin.host, "
                        + hostVar + "): give an IP address or a host name this machine can resolve, such as 127.0.0.1",
                        failure);
            }
            if (text.contains("address already in use")) {
                return new StartupException("cannot listen on " + where + " for the admin port: the address is already"
                        + " in use, probably by another process (another gonode node?). Stop it, or set " + portVar
                        + " to a free port (0 picks one)", failure);
            }
            if (text.contains("cannot assign requested address")) {
                return new StartupException("cannot listen on " + where + " for the admin port: " + admin.host()
                        + " is not an address of this machine (admin.host, " + hostVar + "); use 127.0.0.1, 0.0.0.0"
                        + " or one of this machine's addresses", failure);
            }
            if (text.contains("permission denied")) {
                return new StartupException("cannot listen on " + where + " for the admin port: permission denied;"
                        + " ports below 1024 need privileges, so set " + portVar + " to a port from 1024 to 65535",
                        failure);
            }
            if (t instanceof BindException) {
                break;
            }
        }
        return new StartupException("cannot listen on " + where + " for the admin port (admin.host, admin.port; "
                + hostVar + ", " + portVar + "): " + failure, failure);
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    static String address(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
