package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The queue admin on {@code jobs.store: postgres}, against a real PostgreSQL: the same tests as on memory, and retry. */
@PostgresTest
class PostgresQueueAdminTest extends QueueAdminContract {

    @BeforeAll
    void startNode(TestDatabase db) throws Exception {
        started(TestNodes.startOnPostgres(db, "admin-node", TestNodes.config()));
    }

    @Override
    boolean sharedStore() {
        return true;
    }

    @Test
    void retryRunsAFailedJobAgainKeepingItsIdAndErrors() throws Exception {
        String bad = submit("boom", "{\"again\":true}");
        awaitState(bad, Set.of("failed", "discarded"));
        JsonNode before = job(bad);
        int attempts = before.get("attempt").asInt();
        int errors = before.get("errors").size();

        AdminClient.Reply retry = admin.send("POST", "/admin/jobs/" + bad + "/retry");
        assertEquals(200, retry.status(), retry.body());
        assertEquals(bad, retry.json().get("id").asText());
        assertTrue(Set.of("available", "running", "failed", "discarded").contains(retry.json().get("state").asText()),
                retry.body());
        assertTrue(retry.json().get("maxAttempts").asInt() > attempts, "one more attempt: " + retry.body());

        dev.gonode.testing.Await.until("the retried job ran and failed again",
                () -> job(bad).get("attempt").asInt() == attempts + 1
                        && Set.of("failed", "discarded").contains(job(bad).get("state").asText()));
        JsonNode after = job(bad);
        assertEquals(errors + 1, after.get("errors").size(), "the earlier errors are kept: " + after);
        assertEquals(attempts + 1, after.get("errors").get(errors).get("attempt").asInt(), after.toString());
    }
}
