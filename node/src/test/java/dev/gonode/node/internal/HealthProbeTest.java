package dev.gonode.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.AdminClient;
import dev.gonode.node.DrainReport;
import dev.gonode.node.NodeConfig;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /healthz: it fails only when a probe goroutine has waited longer than the liveness timeout, never
 * because probes run late, and it answers at once either way. Time is a clock the tests move, and
 * probes run when the tests run them, so nothing here waits on time.
 */
class HealthProbeTest {

    private static final NodeConfig.Health SETTINGS = new NodeConfig.Health(Duration.ofSeconds(10), Duration.ofSeconds(1));

    private Vertx vertx;
    private final Diagnostics diagnostics = new Diagnostics(new NodeConfig.Leaks(Duration.ofMinutes(1), Duration.ofMinutes(5)));
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    /** Probes launched and not yet run, in launch order. */
    private final List<Runnable> launched = new ArrayList<>();
    private final Consumer<Runnable> heldLauncher = launched::add;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        diagnostics.close();
    }

    private AdminClient serve(HealthProbe probe) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(AdminRouter.create(vertx,
                new NodeConfig.Admin("127.0.0.1", 0, ""), probe, new AdminRouter.NodeControl() {
                    @Override
                    public boolean ready() {
                        return true;
                    }

                    @Override
                    public CompletableFuture<DrainReport> drain() {
                        throw new UnsupportedOperationException("not in this test");
                    }
                }, diagnostics));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new AdminClient("127.0.0.1", server.actualPort());
    }

    private HealthProbe heldProbe() {
        return new HealthProbe(SETTINGS, heldLauncher, now::get, diagnostics.registry());
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private Timer latency() {
        return diagnostics.registry().get("gonode.health.probe.latency").timer();
    }

    private double pendingSeconds() {
        return diagnostics.registry().get("gonode.health.probe.pending").gauge().value();
    }

    @Test
    void aProbeThatRunsLateKeepsTheNodeLiveAndShowsItsLatency() throws Exception {
        HealthProbe probe = heldProbe();
        AdminClient admin = serve(probe);
        probe.tick();
        advance(Duration.ofSeconds(9)); // saturated: 9 s to get a carrier, still under the 10 s bound
        assertEquals(9.0, pendingSeconds(), 1e-9);
        AdminClient.Reply waiting = admin.get("/healthz");
        assertEquals(200, waiting.status(), waiting.body());
        assertEquals("9s", waiting.json().path("probePendingFor").asText(), waiting.body());

        launched.removeFirst().run();
        assertEquals(1, latency().count());
        assertEquals(9.0, latency().max(TimeUnit.SECONDS), 1e-9);
        assertEquals(0.0, pendingSeconds());
        AdminClient.Reply ran = admin.get("/healthz");
        assertEquals(200, ran.status(), ran.body());
        assertEquals("9s", ran.json().path("probeLatency").asText(), ran.body());
        assertTrue(diagnostics.registry().scrape().contains("gonode_health_probe_latency_seconds_bucket"),
                "the latency is a histogram in the scrape");
    }

    @Test
    void aProbeThatWaitsPastTheLivenessTimeoutAnswers503() throws Exception {
        HealthProbe probe = heldProbe();
        AdminClient admin = serve(probe);
        probe.tick();
        for (int second = 1; second <= 10; second++) {
            advance(Duration.ofSeconds(1));
            probe.tick(); // ticks while a probe is pending start no other
            assertEquals(200, admin.get("/healthz").status(), "at " + second + " s the node is still live");
        }
        assertEquals(1, launched.size(), "one probe pending at a time");
        advance(Duration.ofMillis(1));
        AdminClient.Reply reply = admin.get("/healthz");
        assertEquals(503, reply.status(), reply.body());
        assertEquals("unavailable", reply.json().path("status").asText(), reply.body());
        assertEquals("scheduler_unresponsive", reply.json().path("error").path("code").asText(), reply.body());
        String message = reply.json().path("error").path("message").asText();
        assertTrue(message.contains("10.001s") && message.contains("health.liveness-timeout 10s"), message);

        launched.removeFirst().run(); // the scheduler recovers
        assertEquals(200, admin.get("/healthz").status());
        probe.tick();
        assertEquals(1, launched.size(), "probing resumes");
    }

    @Test
    void aProbeThatCannotStartAnswers503UntilOneStarts() throws Exception {
        List<String> refusals = new ArrayList<>();
        HealthProbe probe = new HealthProbe(SETTINGS, task -> {
            if (refusals.isEmpty()) {
                refusals.add("refused");
                throw new IllegalStateException("no carriers left");
            }
            task.run();
        }, now::get, diagnostics.registry());
        AdminClient admin = serve(probe);
        probe.tick();
        AdminClient.Reply reply = admin.get("/healthz");
        assertEquals(503, reply.status(), reply.body());
        assertEquals("probe_failed", reply.json().path("error").path("code").asText(), reply.body());
        assertTrue(reply.json().path("error").path("message").asText().contains("no carriers left"), reply.body());
        probe.tick();
        assertEquals(200, admin.get("/healthz").status());
    }

    @Test
    void probesOnTheRuntimeRunAndAreMeasured() throws Exception {
        HealthProbe probe = HealthProbe.onGoroutine(new NodeConfig.Health(Duration.ofSeconds(10), Duration.ofMillis(10)),
                diagnostics.registry());
        AdminClient admin = serve(probe);
        CompletableFuture<Void> measured = new CompletableFuture<>();
        vertx.setPeriodic(1, id -> {
            if (latency().count() >= 3) {
                vertx.cancelTimer(id);
                measured.complete(null);
            }
        });
        probe.start(vertx);
        measured.get(20, TimeUnit.SECONDS);
        AdminClient.Reply reply = admin.get("/healthz");
        assertEquals(200, reply.status(), reply.body());
        assertEquals("ok", reply.json().path("status").asText(), reply.body());
        assertTrue(reply.json().has("probeLatency"), reply.body());
    }
}
