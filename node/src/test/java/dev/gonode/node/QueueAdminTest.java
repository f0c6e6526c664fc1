package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.testing.Await;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The queue admin on {@code jobs.store: memory}: what this node holds. */
class QueueAdminTest extends QueueAdminContract {

    @BeforeAll
    void startNode() throws StartupException {
        started(Node.start(TestNodes.config()));
    }

    @Override
    boolean sharedStore() {
        return false;
    }

    @Test
    void retryOnTheMemoryStoreRunsAFailedJobAgainUnderItsId() throws Exception {
        String bad = submit("boom", "{\"again\":true}");
        awaitState(bad, Set.of("failed", "discarded"));
        AdminClient.Reply retry = admin.send("POST", "/admin/jobs/" + bad + "/retry");
        assertEquals(200, retry.status(), retry.body());
        assertEquals(bad, retry.json().path("id").asText(), retry.body());
        // boom fails every time: it runs again (a second recorded error) and ends failed again.
        Await.until(() -> job(bad).path("errors").size() == 2);
        awaitState(bad, Set.of("failed", "discarded"));
    }

    @Test
    void withATokenTheQueueAdminNeedsIt() throws Exception {
        try (Node guarded = Node.start(TestNodes.config().withAdmin(new NodeConfig.Admin("127.0.0.1", 0, "s3cret")))) {
            AdminClient client = new AdminClient("127.0.0.1", guarded.adminPort());
            for (String path : new String[] {"/admin/jobs", "/admin/jobs/stats", "/admin/jobs/x"}) {
                assertEquals(401, client.get(path).status(), path);
                assertEquals(path.endsWith("/x") ? 404 : 200,
                        client.send("GET", path, null, Map.of("Authorization", "Bearer s3cret")).status(), path);
            }
            assertEquals(401, client.send("POST", "/admin/jobs/x/cancel").status());
        }
    }
}
