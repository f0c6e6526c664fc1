package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The public port under hostile clients, with a raw socket client: slow and idle connections are
 * closed by the configured timeouts, a flood of connections stops at the cap while the admin probes
 * keep answering, and requests that are not valid HTTP get the JSON error shape without a stack
 * trace in the log. The timeouts are short here; the tests wait for the server to close the
 * connection, never for a fixed time.
 */
class HostileClientTest {

    private static final Duration HEADER_TIMEOUT = Duration.ofMillis(300);
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofSeconds(60);

    private static Node start(Duration idle, Duration header, int maxConnections) throws StartupException {
        NodeConfig config = TestNodes.config();
        return Node.start(config.withServer(new NodeConfig.Server("127.0.0.1", 0, config.server().maxBodyBytes(),
                idle, header, maxConnections)));
    }

    /** A counter or gauge of the job API listener from the node's scrape, by name and another label it carries. */
    private static double metric(Node node, String name, String label) throws Exception {
        String scrape = new AdminClient("127.0.0.1", node.adminPort()).get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains("listener=\"job_api\"") && m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + name + " with " + label + " for the job API in the scrape");
    }

    @Test
    void aClientTricklingItsHeadersIsClosedAfterTheHeaderTimeout() throws Exception {
        try (Node node = start(LONG, HEADER_TIMEOUT, 0);
             RawHttp slow = new RawHttp(node.serverPort())) {
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger lines = new AtomicInteger();
            try {
                slow.send("GET /v1/jobs/x HTTP/1.1\r\nHost: test\r\n");
                long start = System.nanoTime();
                // A header line every 20 ms: the connection is never idle, its headers never end.
                trickle.scheduleAtFixedRate(() -> {
                    try {
                        slow.send("X-Slow-" + lines.incrementAndGet() + ": y\r\n");
                    } catch (Exception e) {
                        trickle.shutdown(); // closed by the server
                    }
                }, 20, 20, TimeUnit.MILLISECONDS);
                String answered = slow.awaitClose();
                long elapsed = System.nanoTime() - start;
                assertEquals("", answered, "a slow client is disconnected, not answered");
                assertTrue(elapsed >= HEADER_TIMEOUT.toNanos(), "closed after " + elapsed / 1e6 + " ms");
                assertTrue(lines.get() >= 5, "the client kept sending (" + lines.get() + " lines) until it was closed");
            } finally {
                trickle.shutdownNow();
            }
            assertEquals(1.0, metric(node, "gonode_http_connections_timed_out_total", "timeout=\"request_header\""));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
        try (Node node = start(LONG, HEADER_TIMEOUT, 0);
             RawHttp silent = new RawHttp(node.serverPort())) {
            long start = System.nanoTime();
            assertEquals("", silent.awaitClose());
            assertTrue(System.nanoTime() - start >= HEADER_TIMEOUT.toNanos());
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeoutButAWaitingRequestIsNot() throws Exception {
        try (Node node = start(IDLE_TIMEOUT, LONG, 0);
             RawHttp client = new RawHttp(node.serverPort())) {
            // A job that waits three idle timeouts for its answer is not cut.
            String body = "{\"ms\":900}";
            client.send("POST /v1/jobs/sleep HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            RawHttp.Answer slept = client.read();
            assertEquals(200, slept.status(), slept.body());
            // Kept alive: a second request on the same connection is served.
            assertEquals(404, client.get("/v1/jobs/no-such-job").read().status());
            long answeredAt = System.nanoTime();
            assertEquals("", client.awaitClose());
            long idle = System.nanoTime() - answeredAt;
            assertTrue(idle >= IDLE_TIMEOUT.toNanos(), "closed after " + idle / 1e6 + " ms idle");
            assertEquals(1.0, metric(node, "gonode_http_connections_timed_out_total", "timeout=\"idle\""));
        }
    }

    @Test
    void atItsConnectionCapThePublicPortRefusesMoreWhileTheAdminProbesAnswer() throws Exception {
        int cap = 8;
        List<RawHttp> held = new ArrayList<>();
        try (Node node = start(LONG, LONG, cap)) {
            try {
                for (int i = 0; i < cap; i++) {
                    RawHttp client = new RawHttp(node.serverPort());
                    held.add(client);
                    assertEquals(404, client.get("/v1/jobs/no-such-job").read().status(), "connection " + i);
                }
                assertEquals(cap, metric(node, "gonode_http_connections", ""));
                try (RawHttp over = new RawHttp(node.serverPort())) {
                    over.get("/v1/jobs/no-such-job");
                    assertEquals("", over.awaitClose(), "a connection over the cap is closed unanswered");
                }
                for (String probe : new String[] {"/healthz", "/readyz"}) {
                    try (RawHttp admin = new RawHttp(node.adminPort())) {
                        RawHttp.Answer answer = admin.get(probe).read();
                        assertEquals(200, answer.status(), probe + ": " + answer.body());
                    }
                }
                assertTrue(metric(node, "gonode_http_connections_refused_total", "") >= 1);
                assertEquals(cap, metric(node, "gonode_http_connections_max", ""));

                held.removeFirst().close(); // one leaves: there is room again
                Await.until(() -> {
                    try (RawHttp again = new RawHttp(node.serverPort())) {
                        return again.get("/v1/jobs/no-such-job").read().status() == 404;
                    } catch (java.io.IOException closed) {
                        return false; // the node has not seen the close yet
                    }
                });
            } finally {
                for (RawHttp client : held) {
                    client.close();
                }
            }
        }
    }

    @Test
    void malformedRequestsAreAnsweredInJsonOnBothPortsWithoutAStackTrace() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        try (Node node = start(LONG, LONG, 0)) {
            root.addAppender(log);
            for (int port : new int[] {node.serverPort(), node.adminPort()}) {
                assertJsonError(port, "GET /v1/jobs/%zz HTTP/1.1\r\nHost: test\r\n\r\n", 400, "bad_request", "%zz");
                assertJsonError(port, "GET /healthz?x=%4 HTTP/1.1\r\nHost: test\r\n\r\n", 400, "bad_request", "%4");
                assertJsonError(port, "GET /" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: test\r\n\r\n", 414,
                        "uri_too_long", "4096");
                assertJsonError(port, "GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n",
                        431, "headers_too_large", "8192");
                assertJsonError(port, "NOT HTTP\r\n\r\n", 400, "bad_request", "HTTP");
                assertJsonError(port, "GET / HTTP/1.1\r\nHost: test\r\nContent-Length: many\r\n\r\n", 400,
                        "bad_request", "Content-Length");
            }
        } finally {
            root.detachAppender(log);
        }
        for (ILoggingEvent event : log.list) {
            assertEquals(null, event.getThrowableProxy(), "logged with a stack: " + event.getFormattedMessage());
            assertFalse(event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)
                            && event.getFormattedMessage().contains("request"),
                    "a client's mistake is not a warning: " + event.getFormattedMessage());
        }
    }

    private static void assertJsonError(int port, String request, int status, String code, String mentioned)
            throws Exception {
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer answer = client.send(request).read();
            assertEquals(status, answer.status(), request.substring(0, Math.min(40, request.length())) + ": " + answer);
            assertTrue(answer.headers().contains("content-type: application/json"), answer.headers());
            JsonNode error = answer.json().get("error");
            assertNotNull(error, answer.body());
            assertEquals(code, error.path("code").asText(), answer.body());
            assertTrue(error.path("message").asText().contains(mentioned), answer.body());
            assertEquals(2, answer.json().size() + error.size() - 1, "only error.code and error.message: " + answer.body());
            assertEquals("", client.awaitClose(), "the connection is closed after the answer");
        }
    }
}
