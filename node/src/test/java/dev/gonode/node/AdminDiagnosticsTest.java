package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, /debug/leaks and /debug/jfr/* of a node started in the test. */
class AdminDiagnosticsTest {

    private static Node node;
    private static AdminClient admin;
    private static AdminClient api;

    @BeforeAll
    static void startNode() throws StartupException {
        node = Node.start(TestNodes.config());
        admin = new AdminClient("127.0.0.1", node.adminPort());
        api = new AdminClient("127.0.0.1", node.serverPort());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void metricsHaveJobsRuntimeJvmAndHttpInOneScrape() throws Exception {
        assertEquals(200, api.postJson("/v1/jobs/echo", "{}").status());
        assertEquals(404, api.postJson("/v1/jobs/none", "{}").status());
        AdminClient.Reply scrape = admin.get("/metrics");
        assertEquals(200, scrape.status());
        assertTrue(scrape.contentType().startsWith("text/plain; version=0.0.4"), scrape.contentType());
        String text = scrape.body();
        for (String series : new String[] {
                "gonode_jobs_completed_total{code=\"none\",handler=\"echo\",outcome=\"succeeded\"}",
                "gonode_jobs_accepted_total{handler=\"echo\"}",
                "gonode_job_run_seconds_bucket{handler=\"echo\"",
                "gonode_job_queue_wait_seconds_count{handler=\"echo\"}",
                "gonode_handler_mailbox_capacity_jobs{handler=\"echo\"} 1024",
                "gonode_jobs_in_flight ",
                "gonode_node_draining 0",
                "gonode_goroutines{",
                "gonode_sched_gomaxprocs_threads ",
                "jvm_memory_used_bytes{",
                "vertx_http_server_requests_total{"}) {
            assertTrue(text.contains(series), series + " missing from the scrape:\n" + text);
        }
        AdminClient.Reply open = admin.send("GET", "/metrics", null,
                Map.of("Accept", "application/openmetrics-text; version=1.0.0"));
        assertTrue(open.contentType().startsWith("application/openmetrics-text"), open.contentType());
        assertTrue(open.body().strip().endsWith("# EOF"), "OpenMetrics ends with # EOF");
    }

    @Test
    void goroutineDumpInEveryFormatWithFilters(@TempDir Path dir) throws Exception {
        // Workers start on demand: three sleeping jobs make three sleep workers.
        for (int i = 0; i < 3; i++) {
            String id = api.postJson("/v1/jobs/sleep?wait=false", "{\"ms\":3000}").json().get("id").asText();
            Await.until(() -> "running".equals(api.get("/v1/jobs/" + id).json().get("status").asText()));
        }
        AdminClient.Reply debug2 = admin.get("/debug/pprof/goroutine?debug=2&style=gonode&label=handler=sleep&limit=3");
        assertEquals(200, debug2.status(), debug2.body());
        long blocks = debug2.body().lines().filter(l -> l.startsWith("goroutine ")).count();
        assertEquals(3, blocks, debug2.body());
        assertTrue(debug2.body().contains("[select"), "sleep jobs wait in a select: " + debug2.body());
        assertTrue(debug2.body().contains("\"handler\":\"sleep\""), debug2.body());

        AdminClient.Reply debug1 = admin.get("/debug/pprof/goroutine?debug=1");
        assertTrue(debug1.body().startsWith("goroutine profile: total "), debug1.body());

        AdminClient.Reply json = admin.get("/debug/pprof/goroutine?format=json&state=waiting&limit=5");
        assertEquals(200, json.status());
        assertTrue(json.contentType().startsWith("application/json"), json.contentType());

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] proto = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort()
                + "/debug/pprof/goroutine?debug=0")).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        assertEquals((byte) 0x1f, proto[0], "gzip");
        assertEquals((byte) 0x8b, proto[1], "gzip");

        AdminClient.Reply bad = admin.get("/debug/pprof/goroutine?debug=7");
        assertEquals(400, bad.status());
        assertTrue(bad.json().path("error").path("message").asText().contains("debug=7"), bad.body());
        assertEquals(400, admin.get("/debug/pprof/goroutine?min_wait=soon").status());
        assertTrue(admin.get("/debug/pprof/").body().contains("/debug/pprof/goroutine?debug=2"));
    }

    @Test
    void leaksReportIsJsonOrText() throws Exception {
        AdminClient.Reply json = admin.get("/debug/leaks");
        assertEquals(200, json.status(), json.body());
        assertTrue(json.json().get("goroutines").asLong() > 0, json.body());
        assertTrue(json.json().get("longWaits").isArray(), json.body());
        assertTrue(json.json().get("provenLeaks").isArray(), json.body());
        assertTrue(json.json().get("clean").asBoolean(), "a fresh node has no proven leak and no growing site: " + json.body());
        assertEquals(0, json.json().get("provenLeaksTotal").asLong(), json.body());
        assertEquals(0, json.json().get("growingSites").asInt(), json.body());
        assertTrue(json.json().get("longWaitingGoroutines").isNumber(), json.body());
        AdminClient.Reply text = admin.get("/debug/leaks?format=text");
        assertTrue(text.body().startsWith("goroutine leak check at "), text.body());
    }

    /**
     * Every slow admin endpoint answers: each runs its work on a goroutine, behind a guard that
     * fails on an event loop (OffEventLoopTest), so one that ran on the loop would answer 500.
     */
    @Test
    void slowEndpointsAnswerFromAGoroutineNotTheEventLoop() throws Exception {
        assertEquals(200, admin.get("/metrics").status());
        assertEquals(200, admin.get("/debug/leaks").status());
        assertEquals(200, admin.get("/debug/leaks?format=text").status());
        for (String form : new String[] {"", "?debug=0", "?debug=1", "?debug=2", "?format=json"}) {
            HttpResponse<byte[]> dump = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + node.adminPort() + "/debug/pprof/goroutine" + form)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, dump.statusCode(), form);
            assertTrue(dump.body().length > 0, form);
        }
        assertEquals(200, admin.send("POST", "/debug/jfr/start?duration=1m", null, Map.of()).status());
        assertEquals(200, admin.send("POST", "/debug/jfr/stop", null, Map.of()).status());
        HttpResponse<byte[]> jfr = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + node.adminPort() + "/debug/jfr/dump")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, jfr.statusCode());
        assertTrue(jfr.body().length > 0);
    }

    @Test
    void jfrRecordingStartsStopsAndDumpsWithGonodeJobEvents(@TempDir Path dir) throws Exception {
        assertEquals(400, admin.send("POST", "/debug/jfr/start?settings=loud", null, Map.of()).status());
        assertEquals(400, admin.send("POST", "/debug/jfr/start?duration=soon", null, Map.of()).status());
        assertEquals(409, admin.send("POST", "/debug/jfr/stop", null, Map.of()).status());

        AdminClient.Reply started = admin.send("POST", "/debug/jfr/start?settings=gonode&max-size=64m", null, Map.of());
        assertEquals(200, started.status(), started.body());
        assertEquals(409, admin.send("POST", "/debug/jfr/start", null, Map.of()).status(), "one at a time");
        assertEquals(200, api.postJson("/v1/jobs/echo", "{\"jfr\":true}").status());
        assertEquals(200, admin.send("POST", "/debug/jfr/stop", null, Map.of()).status());

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Path file = dir.resolve("node.jfr");
        HttpResponse<Path> dump = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.adminPort() + "/debug/jfr/dump"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofFile(file));
        assertEquals(200, dump.statusCode());
        assertTrue(Files.size(file) > 0);
        boolean sawJob = false;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (event.getEventType().getName().equals("gonode.Job") && "echo".equals(event.getString("handler"))) {
                assertEquals("succeeded", event.getString("outcome"), "the API's word for the outcome");
                assertEquals("", event.getString("code"));
                assertTrue(event.getLong("goroutineId") > 0, "the id of the goroutine that ran the job");
                sawJob = true;
            }
        }
        assertTrue(sawJob, "the echo job is in the recording as a gonode.Job event");
    }
}
