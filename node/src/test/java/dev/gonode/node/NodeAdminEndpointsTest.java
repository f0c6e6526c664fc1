package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.runtime.SchedStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin endpoints of a node started in-process on a free port. */
class NodeAdminEndpointsTest {

    private static Node node;
    private static AdminClient admin;

    @BeforeAll
    static void startNode() throws StartupException {
        node = Node.start(TestNodes.config());
        admin = new AdminClient("127.0.0.1", node.adminPort());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void portZeroBindsAFreePortAndReportsIt() {
        assertTrue(node.adminPort() > 0, "adminPort() must be the bound port, got " + node.adminPort());
        assertTrue(node.adminAddress().startsWith("127.0.0.1:"), node.adminAddress());
    }

    @Test
    void healthzAnswersOkWhenAProbeGoroutineRuns() throws Exception {
        AdminClient.Reply reply = admin.get("/healthz");
        assertEquals(200, reply.status(), reply.body());
        assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
        assertEquals("ok", reply.json().path("status").asText(), reply.body());
    }

    @Test
    void debugSchedReportsEveryFieldOfSchedStats() throws Exception {
        AdminClient.Reply reply = admin.get("/debug/sched");
        assertEquals(200, reply.status(), reply.body());
        JsonNode json = reply.json();

        List<String> expected = Arrays.stream(SchedStats.class.getRecordComponents()).map(RecordComponent::getName).toList();
        List<String> actual = new ArrayList<>();
        json.fieldNames().forEachRemaining(actual::add);
        assertEquals(expected, actual, "fields of /debug/sched, in the record's order");

        // Surefire runs with the runtime's JVM options, so the node is on gonode's own scheduler.
        assertEquals("gonode", json.get("scheduler").asText(), reply.body());
        assertTrue(json.get("fallbackReason").isNull(), reply.body());
        int gomaxprocs = json.get("gomaxprocs").asInt();
        assertTrue(gomaxprocs >= 1, reply.body());
        assertTrue(json.get("localQueues").isArray(), reply.body());
        assertEquals(gomaxprocs, json.get("localQueues").size(), "one local queue per P: " + reply.body());
        assertTrue(json.get("created").asLong() >= 0, reply.body());
        assertTrue(json.get("weakContainer").isBoolean(), reply.body());
    }

    @Test
    void unknownPathIsA404WithAJsonError() throws Exception {
        AdminClient.Reply reply = admin.get("/no/such/thing");
        assertEquals(404, reply.status(), reply.body());
        assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
        assertEquals("not_found", reply.json().path("error").path("code").asText(), reply.body());
        String message = reply.json().path("error").path("message").asText();
        assertTrue(message.contains("/no/such/thing") && message.contains("/healthz"), message);
    }

    @Test
    void otherMethodOnAKnownPathIsA405WithAJsonError() throws Exception {
        AdminClient.Reply reply = admin.send("POST", "/healthz");
        assertEquals(405, reply.status(), reply.body());
        assertEquals("method_not_allowed", reply.json().path("error").path("code").asText(), reply.body());
    }

    @Test
    void portInUseFailsTheStartNamingTheVariable() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            StartupException e = assertThrows(StartupException.class,
                    () -> Node.start(TestNodes.config().withAdmin(new NodeConfig.Admin("127.0.0.1", taken.getLocalPort(), ""))));
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
            assertTrue(e.getMessage().contains("GONODE_ADMIN_PORT"), e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void closeReleasesThePortAndIsIdempotent() throws Exception {
        Node other = Node.start(TestNodes.config());
        int port = other.adminPort();
        other.close();
        other.close();
        // If close left the listener bound, binding the same port would fail.
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, again.getLocalPort());
        }
    }
}
