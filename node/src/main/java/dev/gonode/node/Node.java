package dev.gonode.node;

import dev.gonode.node.internal.AdminRouter;
import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.node.internal.Diagnostics;
import dev.gonode.node.internal.JobTelemetry;
import dev.gonode.node.internal.HealthProbe;
import dev.gonode.node.internal.HttpListeners;
import dev.gonode.node.internal.JobRouter;
import dev.gonode.node.internal.QueueAdmin;
import dev.gonode.node.internal.StoreTelemetry;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue;
import dev.gonode.node.internal.store.postgres.PostgresSettings;
import dev.gonode.node.internal.Json;
import dev.gonode.node.internal.jobs.JobEngine;
import dev.gonode.node.internal.jobs.JobStore;
import dev.gonode.node.internal.jobs.QueueView;
import dev.gonode.node.internal.periodic.Coordination;
import dev.gonode.node.internal.periodic.PeriodicScheduler;
import dev.gonode.node.internal.store.postgres.PeriodicLeadership;
import java.time.Instant;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.SchedStats;
import io.vertx.core.Future;
import dev.gonode.runtime.jfr.DrainEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.core.http.HttpServer;
import java.net.BindException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gonode node: the gonode runtime, the job engine with its handler actors, and the
 * node's two HTTP listeners on Vert.x (the public job API and the admin port).
 *
 * <pre>{@code
 * try (Node node = Node.start(config)) {
 *     int port = node.serverPort();   // the bound port, also when config asked for 0
 * }
 * }</pre>
 *
 * <p>Implementation notes. The node's wiring is all here, in start order:
 * <ol>
 *   <li>The gonode runtime starts (the process-wide one behind {@link Go}) and its scheduler is
 *       logged: {@code gonode}, or {@code jdk-default} with the reason it fell back.</li>
 *   <li>The configured handlers are found through {@link ServiceLoader}; a configured name with
 *       no class is a {@link StartupException} listing the names found. Their actors start.</li>
 *   <li>One {@link Vertx}; the job API listener ({@link JobRouter}) and the admin listener
 *       ({@link AdminRouter}). A bind failure the operator can fix (port in use, unknown host,
 *       address not on this machine, privileged port) becomes a {@link StartupException} naming
 *       the setting; Vert.x is closed first. Then the node is ready.</li>
 * </ol>
 * {@link Main} logs {@code gonode admin listening on HOST:PORT} only after its shutdown hook and
 * signal handlers are in place; tests and scripts wait for that line.
 *
 * <p>Stopping ({@link #close()}, run by SIGTERM or SIGINT through the shutdown hook) goes in
 * phases, each logged with its duration, and never throws: the drain ({@link #drain()}: readiness
 * off, new jobs refused with 503, queued and running jobs given up to {@code drain.timeout}, the
 * rest aborted and answered), then {@code HttpServer.shutdown(grace)} on the job listener (the last
 * answers are written; {@code close()} would cut them), then the admin listener, then
 * {@code Vertx.close()}. The gonode runtime is process-wide and is not shut down: its carriers are
 * daemon threads.
 */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    /** How long each listener may take to bind. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long in-flight requests get to finish before their connections are closed. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    /** How long the node waits for each stop phase (past the grace) before moving on. */
    static final Duration PHASE_TIMEOUT = Duration.ofSeconds(10);

    private final NodeConfig config;
    private final Vertx vertx;
    private final JobEngine engine;
    private final HttpServer jobs;
    private final HttpServer admin;
    private final Diagnostics diagnostics;
    /** Enqueues the periodic jobs (idle when none is configured). */
    private final PeriodicScheduler periodic;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<CompletableFuture<DrainReport>> drain = new AtomicReference<>();
    private volatile Runnable afterOperatorDrain = () -> { };

    private Node(NodeConfig config, Vertx vertx, JobEngine engine, HttpServer jobs, HttpServer admin,
                 Diagnostics diagnostics, PeriodicScheduler periodic) {
        this.periodic = periodic;
        this.config = config;
        this.diagnostics = diagnostics;
        this.vertx = vertx;
        this.engine = engine;
        this.jobs = jobs;
        this.admin = admin;
    }

    /**
     * Starts the runtime, the handlers and the node's listeners, and returns once they accept
     * connections.
     *
     * @throws StartupException when the node cannot start for a reason the operator can fix; the
     *                          message names the setting and what to do
     */
    public static Node start(NodeConfig config) throws StartupException {
        return start(config, System.getenv());
    }

    /**
     * {@link #start(NodeConfig)} with {@code env} for what the configuration leaves to the
     * environment: the job store's password ({@code GONODE_POSTGRES_PASSWORD}) and the node's
     * name ({@code POD_NAME}, {@code HOSTNAME}).
     */
    public static Node start(NodeConfig config, Map<String, String> env) throws StartupException {
        SchedStats sched = Go.schedStats();
        if ("gonode".equals(sched.scheduler())) {
            LOG.info("gonode runtime: scheduler gonode, GOMAXPROCS {}, weak goroutine container {}",
                    sched.gomaxprocs(), sched.weakContainer() ? "on" : "off");
        } else {
            // The runtime has logged why; /debug/sched reports it as fallbackReason.
            LOG.warn("gonode runtime: scheduler jdk-default, GOMAXPROCS {} (gonode's own scheduler is unavailable;"
                    + " /debug/sched has the reason)", sched.gomaxprocs());
        }
        Map<String, JobHandler> handlers = discoverHandlers(config.handlers().keySet());
        Diagnostics diagnostics = new Diagnostics(config.leaks());
        JobTelemetry telemetry = diagnostics.jobTelemetry();
        JobStore store = new JobStore(config.jobs().resultsTtl(), config.jobs().resultsMax(),
                config.jobs().resultsMaxBytes(), System::nanoTime);
        StoreTelemetry storeTelemetry = new StoreTelemetry(diagnostics.registry());
        JobEngine.SharedQueue shared = null;
        Coordination coordination = Coordination.alone();
        if (config.jobs().onPostgres()) {
            NodeConfig.Postgres pg = config.jobs().postgres();
            PostgresSettings settings = new PostgresSettings(pg.url(), pg.user(), ConfigLoader.postgresPassword(pg, env),
                    pg.poolSize(), pg.connectTimeout());
            String owner = ConfigLoader.nodeName(config, env);
            PostgresJobQueue queue;
            try {
                queue = PostgresJobQueue.connect(settings);
            } catch (StartupException e) {
                diagnostics.close();
                throw e;
            }
            LOG.info("job store: postgres at {} as role {}, claiming as node {} (lease {}, poll {})",
                    settings.redactedUrl(), pg.user(), owner, GoDuration.format(pg.lease()),
                    GoDuration.format(pg.pollInterval()));
            shared = new JobEngine.SharedQueue(queue, owner, storeTelemetry);
            coordination = Coordination.fleet(new PeriodicLeadership(settings, queue, owner));
        } else {
            LOG.info("job store: memory (this node only)");
        }
        JobEngine engine = new JobEngine(handlers, config.handlers(), config.jobs(), store, Json.MAPPER, telemetry,
                shared);
        PeriodicScheduler periodic = new PeriodicScheduler(config.periodic(),
                coordination, (entry, key) -> enqueueTick(engine, entry, key), Instant::now, diagnostics.registry());
        telemetry.bindGauges(engine);
        storeTelemetry.bindGauges(engine, config.jobs().store());
        LOG.info("handlers: {}", describe(config.handlers()));

        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .setLabels(EnumSet.of(Label.LOCAL, Label.HTTP_METHOD, Label.HTTP_CODE))))
                .withMetrics(new MicrometerMetricsFactory(diagnostics.registry()))
                .build();
        AtomicReference<Node> self = new AtomicReference<>();
        int connectionCap = HttpListeners.jobApiConnectionCap(config.server());
        HttpServer jobServer = HttpListeners.create(vertx, HttpListeners.JOB_API, config.server().host(),
                config.server().port(), config.server(), connectionCap,
                JobRouter.create(vertx, engine, config.server().maxBodyBytes(), config.drain().timeout(),
                        config.admin().token()),
                diagnostics.registry());
        HealthProbe health = HealthProbe.onGoroutine(config.health(), diagnostics.registry());
        io.vertx.ext.web.Router adminRoutes = AdminRouter.create(vertx, config.admin(), health, new AdminRouter.NodeControl() {
                            @Override
                            public boolean ready() {
                                return self.get() != null && !engine.draining() && engine.storeReady();
                            }

                            @Override
                            public CompletableFuture<DrainReport> drain() {
                                Node node = self.get();
                                if (node == null) {
                                    throw new IllegalStateException("the node is still starting");
                                }
                                CompletableFuture<DrainReport> drained = node.drain();
                                drained.thenRun(node::drainedByOperator);
                                return drained;
                            }
                        }, diagnostics);
        new QueueAdmin(shared == null ? QueueView.memory(engine, store, Json.MAPPER)
                : QueueView.postgres(engine, shared.queue(), Json.MAPPER), config.jobs().store(),
                periodic::status)
                .routes(adminRoutes);
        HttpServer adminServer = HttpListeners.create(vertx, HttpListeners.ADMIN, config.admin().host(),
                config.admin().port(), config.server(), 0, adminRoutes, diagnostics.registry());
        health.start(vertx);
        LOG.info("job API: at most {} connections (server.max-connections{}), idle timeout {}, request-header"
                + " timeout {}", connectionCap, config.server().maxConnections() > 0 ? ""
                        : "; derived from the open-file limit", GoDuration.format(config.server().idleTimeout()),
                GoDuration.format(config.server().requestHeaderTimeout()));
        try {
            listen(vertx, jobServer, "job API", config.server().host(), config.server().port(), "server",
                    ConfigLoader.envName("server.host"), ConfigLoader.envName("server.port"));
            listen(vertx, adminServer, "admin", config.admin().host(), config.admin().port(), "admin",
                    ConfigLoader.envName("admin.host"), ConfigLoader.envName("admin.port"));
        } catch (StartupException e) {
            engine.beginDrain();
            engine.awaitDrained(Duration.ZERO);
            engine.closeStore();
            diagnostics.close();
            throw e;
        }
        Node node = new Node(config, vertx, engine, jobServer, adminServer, diagnostics, periodic);
        self.set(node);
        periodic.start();
        if (!config.periodic().isEmpty()) {
            LOG.info("periodic jobs: {} ({})", config.periodic().size(), config.jobs().onPostgres()
                    ? "the fleet's leader enqueues each tick once" : "this node enqueues each tick");
        }
        LOG.info("gonode job API listening on {}", node.serverAddress());
        return node;
    }

    /** Enqueues one periodic tick (without waiting for it) through the engine, as a client's job would be. */
    private static PeriodicScheduler.Enqueued enqueueTick(JobEngine engine, NodeConfig.Periodic entry, String key) {
        int bytes = entry.payload().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        JobEngine.Submission s = engine.submit(entry.handler(), entry.payload(), bytes,
                engine.defaultTimeout(entry.handler()), key, false);
        return switch (s) {
            case JobEngine.Submission.Accepted a -> PeriodicScheduler.Enqueued.NEW;
            case JobEngine.Submission.Duplicate d -> PeriodicScheduler.Enqueued.DUPLICATE;
            default -> {
                LOG.warn("periodic job {}: tick {} was refused ({}); the next round tries the latest tick again",
                        entry.name(), key, s);
                yield PeriodicScheduler.Enqueued.REFUSED;
            }
        };
    }

    private static void listen(Vertx vertx, HttpServer server, String what, String host, int port, String section,
                               String hostVar, String portVar) throws StartupException {
        try {
            server.listen().toCompletionStage().toCompletableFuture()
                    .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            closeQuietly(vertx);
            throw bindFailure(what, section, host, port, hostVar, portVar, e.getCause());
        } catch (TimeoutException e) {
            closeQuietly(vertx);
            throw new StartupException("the " + what + " listener did not bind " + address(host, port)
                    + " within " + GoDuration.format(START_TIMEOUT), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(vertx);
            throw new StartupException("interrupted while binding the " + what + " listener", e);
        }
    }

    /** The handlers named in the configuration, found through {@link ServiceLoader}. */
    static Map<String, JobHandler> discoverHandlers(Set<String> wanted) throws StartupException {
        Map<String, JobHandler> found = new TreeMap<>();
        try {
            for (JobHandler handler : ServiceLoader.load(JobHandler.class, Node.class.getClassLoader())) {
                JobHandler previous = found.putIfAbsent(handler.name(), handler);
                if (previous != null) {
                    throw new StartupException("two handler classes are named \"" + handler.name() + "\": "
                            + previous.getClass().getName() + " and " + handler.getClass().getName()
                            + "; rename one (JobHandler.name())");
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new StartupException("cannot load a job handler: " + e.getMessage()
                    + "; check META-INF/services/" + JobHandler.class.getName(), e);
        }
        Map<String, JobHandler> chosen = new LinkedHashMap<>();
        for (String name : wanted) {
            JobHandler handler = found.get(name);
            if (handler == null) {
                throw new StartupException("handlers." + name + " is configured but no handler class has that name;"
                        + " the handlers on the class path are " + String.join(", ", found.keySet()));
            }
            chosen.put(name, handler);
        }
        return chosen;
    }

    private static String describe(Map<String, NodeConfig.Handler> handlers) {
        StringBuilder out = new StringBuilder();
        handlers.forEach((name, h) -> out.append(out.isEmpty() ? "" : ", ").append(name)
                .append(" (concurrency ").append(h.concurrency()).append(", mailbox ").append(h.mailbox())
                .append(", timeout ").append(GoDuration.format(h.timeout())).append(')'));
        return out.toString();
    }

    /** The port the job API listener is bound to. */
    public int serverPort() {
        return jobs.actualPort();
    }

    /** The port the admin listener is bound to (the one the system picked when 0 was asked for). */
    public int adminPort() {
        return admin.actualPort();
    }

    /** {@code HOST:PORT} of the job API listener, with the bound port. */
    public String serverAddress() {
        return address(config.server().host(), serverPort());
    }

    /** {@code HOST:PORT} of the admin listener, with the bound port (IPv6 literals in brackets). */
    public String adminAddress() {
        return address(config.admin().host(), adminPort());
    }

    /**
     * Starts the drain if it has not started (idempotent): readiness turns false and new jobs are
     * refused at once; the returned future completes when every accepted job has its answer, the
     * stragglers aborted at {@code drain.timeout}. The node keeps running afterwards, not ready,
     * until it is stopped.
     */
    public CompletableFuture<DrainReport> drain() {
        CompletableFuture<DrainReport> started = new CompletableFuture<>();
        if (!drain.compareAndSet(null, started)) {
            return drain.get();
        }
        long start = System.nanoTime();
        engine.beginDrain();
        LOG.info("draining: not ready, new jobs refused; waiting up to {} for {} accepted job(s)",
                GoDuration.format(config.drain().timeout()), engine.inFlight());
        Go.go("drain", () -> {
            try {
                periodic.close(); // no more ticks from this node; another node leads
                JobEngine.DrainReport report = engine.awaitDrained(config.drain().timeout());
                LOG.info("drained in {}: {} job(s) finished, {} {} at the drain timeout", since(start),
                        report.finished(), report.aborted(), engine.blocks() ? "handed back to the queue" : "aborted");
                started.complete(new DrainReport(report.finished(), report.aborted(), report.took()));
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        });
        return started;
    }

    /**
     * Sets what happens once a drain an operator asked for ({@code POST /admin/drain}) is over:
     * {@link Main} exits the process with status 0, as after SIGTERM; embedded nodes keep running,
     * not ready, until closed.
     */
    public void afterOperatorDrain(Runnable action) {
        afterOperatorDrain = action;
    }

    private void drainedByOperator() {
        afterOperatorDrain.run();
    }

    /** Stops the node in phases, each logged with its duration. Idempotent; never throws. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        LOG.info("stopping the node");
        phase("jobs drained", () -> Future.fromCompletionStage(drain().thenApply(report -> (Void) null)),
                config.drain().timeout().plus(PHASE_TIMEOUT));
        phase("job API listener shut down",
                () -> jobs.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS),
                SHUTDOWN_GRACE.plus(PHASE_TIMEOUT));
        phase("admin listener shut down",
                () -> admin.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS),
                SHUTDOWN_GRACE.plus(PHASE_TIMEOUT));
        phase("vert.x closed", vertx::close, PHASE_TIMEOUT);
        engine.closeStore();
        diagnostics.close();
        LOG.info("node stopped in {}", since(start));
    }

    private void phase(String name, Supplier<Future<Void>> action, Duration timeout) {
        long start = System.nanoTime();
        DrainEvent event = new DrainEvent();
        event.begin();
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
        } finally {
            if (event.shouldCommit()) {
                int queued = engine.queued();
                event.phase = name;
                event.jobsQueued = queued;
                event.jobsRunning = Math.max(0, engine.inFlight() - queued);
                event.jobsCancelled = engine.aborted();
                event.commit();
            }
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
    static StartupException bindFailure(String what, String section, String host, int port, String hostVar,
                                        String portVar, Throwable failure) {
        String where = address(host, port);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String text = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof UnknownHostException || text.contains("unresolved address")
                    || text.contains("name or service not known")) {
                return new StartupException("cannot resolve the " + what + " host \"" + host + "\" (" + section + ".host, "
                        + hostVar + "): give an IP address or a host name this machine can resolve, such as 127.0.0.1",
                        failure);
            }
            if (text.contains("address already in use")) {
                return new StartupException("cannot listen on " + where + " for the " + what + " port: the address"
                        + " is already in use, probably by another process (another gonode node?). Stop it, or set " + portVar
                        + " to a free port (0 picks one)", failure);
            }
            if (text.contains("cannot assign requested address")) {
                return new StartupException("cannot listen on " + where + " for the " + what + " port: " + host
                        + " is not an address of this machine (" + section + ".host, " + hostVar + "); use 127.0.0.1,"
                        + " 0.0.0.0 or one of this machine's addresses", failure);
            }
            if (text.contains("permission denied")) {
                return new StartupException("cannot listen on " + where + " for the " + what + " port: permission"
                        + " denied; ports below 1024 need privileges, so set " + portVar + " to a port from 1024 to 65535",
                        failure);
            }
            if (t instanceof BindException) {
                break;
            }
        }
        return new StartupException("cannot listen on " + where + " for the " + what + " port (" + section + ".host, "
                + section + ".port; " + hostVar + ", " + portVar + "): " + failure, failure);
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    static String address(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
