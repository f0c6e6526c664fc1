package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.testing.Await;
import dev.gonode.testing.NodeProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real node in a child JVM: start-up, the clean stop on SIGTERM, and start-up failures. */
class NodeProcessTest {

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(30);

    @Test
    void sigtermStopsTheNodeInLoggedPhasesWithExitStatusZero() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS, Map.of())) {
            int port = node.awaitAdminPort(START);
            assertTrue(port > 0);
            AdminClient.Reply health = new AdminClient("127.0.0.1", port).get("/healthz");
            assertEquals(200, health.status(), health.body());

            node.sigterm();
            int status = node.awaitExit(EXIT);
            String output = node.output();
            assertEquals(0, status, "exit status after SIGTERM (the JVM's default would be 143); output:\n" + output);
            assertTrue(output.contains("received SIGTERM"), output);
            assertTrue(output.matches("(?s).*jobs drained in [0-9.]+[µm]?s.*"), output);
            assertTrue(output.matches("(?s).*job API listener shut down in [0-9.]+[µm]?s.*"), output);
            assertTrue(output.matches("(?s).*admin listener shut down in [0-9.]+[µm]?s.*"), output);
            assertTrue(output.matches("(?s).*vert\\.x closed in [0-9.]+[µm]?s.*"), output);
            assertTrue(output.matches("(?s).*node stopped in [0-9.]+[µm]?s.*"), output);
        }
    }

    @Test
    void sigtermRightAfterTheListeningLineStillStopsCleanly() throws Exception {
        // The listening line promises that the stop path is armed: a signal sent the moment it
        // appears must get the logged stop and status 0, not the JVM's default 143.
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS, Map.of())) {
            node.awaitAdminPort(START);
            node.sigterm();
            int status = node.awaitExit(EXIT);
            assertEquals(0, status, node.output());
            assertTrue(node.output().contains("node stopped in"), node.output());
        }
    }

    @Test
    void withoutTheJvmOptionsTheNodeRunsOnTheJdkDefaultSchedulerAndSaysWhy() throws Exception {
        try (NodeProcess node = NodeProcess.start(List.of(), Map.of())) {
            AdminClient admin = new AdminClient("127.0.0.1", node.awaitAdminPort(START));
            AdminClient.Reply sched = admin.get("/debug/sched");
            assertEquals(200, sched.status(), sched.body());
            JsonNode json = sched.json();
            assertEquals("jdk-default", json.get("scheduler").asText(), sched.body());
            assertTrue(json.get("fallbackReason").isTextual(), sched.body());
            assertFalse(json.get("fallbackReason").asText().isBlank(), sched.body());
            assertEquals(200, admin.get("/healthz").status(), "goroutines still run on the JDK's scheduler");

            node.sigterm();
            assertEquals(0, node.awaitExit(EXIT), node.output());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"notaport", "65536"})
    void badAdminPortExitsWithStatusTwoNamingTheVariable(String value) throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS, Map.of("GONODE_ADMIN_PORT", value))) {
            int status = node.awaitExit(EXIT);
            String output = node.output();
            assertEquals(2, status, output);
            assertTrue(output.contains("GONODE_ADMIN_PORT=\"" + value + "\""), output);
            assertTrue(output.contains("0 to 65535"), output);
        }
    }

    @Test
    void adminPortInUseExitsWithStatusTwo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS,
                     Map.of("GONODE_ADMIN_PORT", Integer.toString(taken.getLocalPort())))) {
            int status = node.awaitExit(EXIT);
            String output = node.output();
            assertEquals(2, status, output);
            assertTrue(output.contains("already in use"), output);
            assertTrue(output.contains("GONODE_ADMIN_PORT"), output);
        }
    }

    @Test
    void adminDrainEndsTheProcessWithStatusZeroLikeSigterm() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS, Map.of())) {
            AdminClient admin = new AdminClient("127.0.0.1", node.awaitAdminPort(START));
            AdminClient.Reply drained = admin.send("POST", "/admin/drain?wait=true", null, Map.of());
            assertEquals(200, drained.status(), drained.body());
            assertEquals(0, node.awaitExit(EXIT), node.output());
            assertTrue(node.output().contains("node stopped in"), node.output());
        }
    }

    @Test
    void anIdleNodeRunsOnlyItsOwnGoroutinesOnceItsWorkersHaveIdled() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS,
                Map.of("GONODE_JOBS_WORKER_IDLE_TIMEOUT", "300ms"))) {
            AdminClient admin = new AdminClient("127.0.0.1", node.awaitAdminPort(START));
            AdminClient api = new AdminClient("127.0.0.1", node.awaitJobPort(START));
            long atStart = admin.get("/debug/sched").json().get("goroutines").asLong();
            assertTrue(atStart < 20, "a node that has run no job has " + atStart + " goroutines");
            for (int i = 0; i < 300; i++) {
                assertEquals(202, api.postJson("/v1/jobs/sleep?wait=false", "{\"ms\":200}").status());
            }
            // The workers started for the burst end once they have been idle for 300 ms.
            Await.until(() -> admin.get("/debug/sched").json().get("goroutines").asLong() < 20);
            node.sigterm();
            assertEquals(0, node.awaitExit(EXIT), node.output());
        }
    }
}
