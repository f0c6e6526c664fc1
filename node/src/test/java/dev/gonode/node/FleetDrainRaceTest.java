package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import dev.gonode.node.testhandlers.GateHandler;
import dev.gonode.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A claim still in flight when the drain times out: the drain hands back what the node holds and
 * closes the mailboxes, and only then does the claim return a job. That job must go back to the
 * queue at once (not into a closed mailbox, where the claimer would die and the job would wait
 * for its lease to expire). The claim is held in flight by a table lock the test takes, so the
 * order of events is forced, not timed.
 */
@PostgresTest
class FleetDrainRaceTest {

    @Test
    void aJobClaimedAfterTheDrainTimedOutIsHandedBackAtOnce(TestDatabase db) throws Exception {
        GateHandler.reset();
        try (Node a = TestNodes.startOnPostgres(db, "node-a",
                TestNodes.config().withDrain(new NodeConfig.Drain(Duration.ofMillis(300))));
             Connection locker = db.connect()) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE gonode_job IN ACCESS EXCLUSIVE MODE");
                s.execute("SELECT gonode_enqueue('gate', '{\"late\":1}')");
            }
            Await.until("A's claimer waits for the table lock", () -> claimsWaitingForALock(db) > 0);

            assertEquals(0, a.drain().get(30, TimeUnit.SECONDS).aborted(), "nothing was held when the drain timed out");
            locker.commit(); // the claim goes on, and finds the job

            Await.until("the job is back in the queue, as it was", () -> "available|0|".equals(row(db)));
            assertEquals(0, GateHandler.running(), "the drained node never ran it");
            assertEquals("1.0", metric(a, "gonode_queue_released_total{handler=\"gate\"}"));
        } finally {
            GateHandler.open();
        }
    }

    private static int claimsWaitingForALock(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT count(*) FROM pg_stat_activity
                      WHERE datname = current_database() AND wait_event_type = 'Lock'
                        AND query LIKE 'WITH expired AS%'""")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** state|attempt|owner of the one job. */
    private static String row(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, attempt, coalesce(owner, '') FROM gonode_job")) {
            return rs.next() ? rs.getString(1) + "|" + rs.getInt(2) + "|" + rs.getString(3) : "";
        }
    }

    private static String metric(Node node, String series) throws Exception {
        for (String line : new AdminClient("127.0.0.1", node.adminPort()).get("/metrics").body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return line.substring(series.length() + 1);
            }
        }
        return null;
    }
}
