package dev.gonode.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.AdminClient;
import dev.gonode.node.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import dev.gonode.node.internal.jobs.JobEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /healthz when the probe does not run: the scheduler is what answers, not the event loop. */
class HealthProbeTest {

    private Vertx vertx;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        diagnostics.close();
    }

    private final Diagnostics diagnostics = new Diagnostics(new NodeConfig.Leaks(Duration.ofMinutes(1), Duration.ofMinutes(5)));

    private AdminClient serve(HealthProbe probe) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(AdminRouter.create(vertx,
                new NodeConfig.Admin("127.0.0.1", 0, ""), probe, new AdminRouter.NodeControl() {
                    @Override
                    public boolean ready() {
                        return true;
                    }

                    @Override
                    public CompletableFuture<JobEngine.DrainReport> drain() {
                        throw new UnsupportedOperationException("not in this test");
                    }
                }, diagnostics));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new AdminClient("127.0.0.1", server.actualPort());
    }

    @Test
    void probeThatNeverRunsAnswers503WithinTheBound() throws Exception {
        Consumer<Runnable> neverRuns = task -> { };
        AdminClient admin = serve(new HealthProbe(Duration.ofMillis(100), neverRuns));
        AdminClient.Reply reply = admin.get("/healthz");
        assertEquals(503, reply.status(), reply.body());
        assertEquals("unavailable", reply.json().path("status").asText(), reply.body());
        assertEquals("scheduler_unresponsive", reply.json().path("error").path("code").asText(), reply.body());
        assertTrue(reply.json().path("error").path("message").asText().contains("100ms"), reply.body());
    }

    @Test
    void probeThatCannotStartAnswers503() throws Exception {
        Consumer<Runnable> refuses = task -> {
            throw new IllegalStateException("no carriers left");
        };
        AdminClient admin = serve(new HealthProbe(Duration.ofSeconds(5), refuses));
        AdminClient.Reply reply = admin.get("/healthz");
        assertEquals(503, reply.status(), reply.body());
        assertEquals("probe_failed", reply.json().path("error").path("code").asText(), reply.body());
        assertTrue(reply.json().path("error").path("message").asText().contains("no carriers left"), reply.body());
    }

    @Test
    void probeThatRunsAnswersOk() throws Exception {
        AdminClient admin = serve(HealthProbe.onGoroutine(HealthProbe.DEFAULT_TIMEOUT));
        AdminClient.Reply reply = admin.get("/healthz");
        assertEquals(200, reply.status(), reply.body());
        assertEquals("{\"status\":\"ok\"}", reply.body().strip());
    }
}
