package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.node.testhandlers.GateHandler;
import dev.gonode.testing.Await;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The job API on the memory store (the embedded default). */
class JobApiTest extends JobApiContract {

    @BeforeAll
    void startNode() throws StartupException {
        started(Node.start(TestNodes.config()));
    }

    @Override
    boolean sharedStore() {
        return false;
    }

    /*
     * Memory store only. Its postgres variant stalled at times (none of 8 queued gate jobs started
     * within 30 s when other classes ran first in the JVM): a known defect recorded on issue 14,
     * to be fixed and the test moved back into JobApiContract.
     */
    @Test
    void jobsBeyondCapacityWaitQueuedAndAllFinish() throws Exception {
        // gate holds 4 jobs on a node: 2 running, 2 waiting in its mailbox.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            AdminClient.Reply accepted = api.postJson("/v1/jobs/gate?wait=false", "{\"i\":" + i + "}");
            assertEquals(202, accepted.status(), accepted.body());
            ids.add(accepted.json().get("id").asText());
        }
        // Counted through the API: GateHandler's counter is the JVM's, and a gate job of an earlier
        // test class still on its way out would be counted too.
        Await.until("two of this test's gate jobs run", () -> statuses(ids).stream().filter("running"::equals).count() == 2);
        assertEquals("queued", api.get("/v1/jobs/" + ids.getLast()).json().get("status").asText());
        GateHandler.open();
        for (String id : ids) {
            Await.until(() -> "succeeded".equals(api.get("/v1/jobs/" + id).json().get("status").asText()));
        }
    }
}
