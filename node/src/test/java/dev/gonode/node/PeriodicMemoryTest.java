package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Periodic jobs on {@code jobs.store: memory}: the node is its own leader and runs each tick once. */
class PeriodicMemoryTest {

    @Test
    void aNodeOnMemoryLeadsItselfAndRunsEachTickOnce() throws Exception {
        NodeConfig config = TestNodes.config().withPeriodic(List.of(new NodeConfig.Periodic("beat", "echo",
                new ObjectMapper().readTree("{\"beat\":1}"), Duration.ofSeconds(1), null)));
        try (Node node = Node.start(config)) {
            AdminClient admin = new AdminClient("127.0.0.1", node.adminPort());
            Await.until("3 ticks ran", () -> ticks(admin).size() >= 3);
            List<Long> ticks = ticks(admin);
            for (int i = 1; i < ticks.size(); i++) {
                assertTrue(ticks.get(i - 1) > ticks.get(i), "one job per tick, newest first: " + ticks);
            }
            JsonNode status = admin.get("/admin/periodic").json();
            assertTrue(status.get("leader").asBoolean(), status.toString());
            assertEquals("every 1s", status.get("entries").get(0).get("schedule").asText());
            assertTrue(status.get("entries").get(0).has("lastTick"), status.toString());
        }
    }

    private static List<Long> ticks(AdminClient admin) throws Exception {
        List<Long> ticks = new ArrayList<>();
        for (JsonNode job : admin.get("/admin/jobs?handler=echo&state=succeeded").json().get("jobs")) {
            String key = job.path("idempotencyKey").asText();
            if (key.startsWith("periodic:beat:")) {
                ticks.add(Long.parseLong(key.substring("periodic:beat:".length())));
            }
        }
        return ticks;
    }
}
