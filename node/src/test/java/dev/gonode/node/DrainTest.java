package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.testing.Await;
import dev.gonode.testing.NodeProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The zero-loss stop: a node in a child JVM with hundreds of jobs in flight gets SIGTERM. Every
 * accepted job is answered, new jobs are refused, and the node exits 0 within the drain timeout.
 */
class DrainTest {

    private static final Duration START = Duration.ofSeconds(30);
    private static final int IN_FLIGHT = 300;

    @Test
    void sigtermUnderLoadAnswersEveryAcceptedJobRefusesNewOnesAndExitsZero() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS,
                Map.of("GONODE_DRAIN_TIMEOUT", "20s", "GONODE_HANDLERS_SLEEP_TIMEOUT", "20s"))) {
            int jobPort = node.awaitJobPort(START);
            int adminPort = node.awaitAdminPort(START);
            AdminClient admin = new AdminClient("127.0.0.1", adminPort);
            assertEquals(200, admin.get("/readyz").status());

            Pattern sleeping = Pattern.compile("\"goroutines\"\\s*:\\s*(\\d+)");
            long baseline = goroutines(admin, sleeping);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jobPort + "/v1/jobs/sleep"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":5000}"))
                        .build();
                calls.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            // Every call is in the node (accepted, sleeping) once the sleep workers hold them all.
            Await.until(() -> goroutines(admin, sleeping) >= baseline + IN_FLIGHT); // one reply goroutine each

            node.sigterm();
            Await.until(() -> admin.get("/readyz").status() == 503);
            AdminClient api = new AdminClient("127.0.0.1", jobPort);
            AdminClient.Reply refused = api.postJson("/v1/jobs/echo", "{}");
            assertEquals(503, refused.status(), refused.body());
            assertEquals("draining", refused.json().path("error").path("code").asText());
            assertEquals("5", refused.header("Retry-After"));

            int succeeded = 0;
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get(60, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode(), response.body());
                assertTrue(response.body().contains("\"succeeded\""), response.body());
                succeeded++;
            }
            assertEquals(IN_FLIGHT, succeeded);

            int status = node.awaitExit(Duration.ofSeconds(40));
            assertEquals(0, status, node.output());
            String output = node.output();
            assertTrue(output.contains("0 aborted"), output);
            assertTrue(output.matches("(?s).*jobs drained in [0-9.]+[µm]?s.*"), output);
            assertTrue(connectionRefused(api), "after the exit nothing listens");
        }
    }

    private static long goroutines(AdminClient admin, Pattern field) throws Exception {
        var m = field.matcher(admin.get("/debug/sched").body());
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    private static boolean connectionRefused(AdminClient api) throws InterruptedException {
        try {
            api.get("/v1/jobs/x");
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return e.getCause() instanceof ConnectException || e.getMessage() == null
                    || e.getMessage().contains("refused");
        }
    }
}
