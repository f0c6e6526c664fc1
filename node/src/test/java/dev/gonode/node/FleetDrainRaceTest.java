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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A job claimed while the drain times out: the drain hands back what the node holds and closes
 * the mailboxes, and only then does the node's enqueue-and-claim of a synchronous job return.
 * That job must go back to the queue at once (not into a closed mailbox, where it would wait for
 * its lease to expire) and its caller be answered 503 {@code released}. The enqueue is held in
 * flight by an uncommitted job of the test's with the same idempotency key (the unique index
 * makes the node's insert wait for that transaction), so the order of events is forced, not timed.
 */
@PostgresTest
class FleetDrainRaceTest {

    @Test
    void aJobClaimedAfterTheDrainTimedOutIsHandedBackAtOnce(TestDatabase db) throws Exception {
        GateHandler.reset();
        try (Node a = TestNodes.startOnPostgres(db, "node-a",
                TestNodes.config().withDrain(new NodeConfig.Drain(Duration.ofMillis(300))));
             Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("SELECT gonode_enqueue('gate', '{\"blocker\":1}', 'late-1')");
            }
            AdminClient api = new AdminClient("127.0.0.1", a.serverPort());
            CompletableFuture<AdminClient.Reply> caller = CompletableFuture.supplyAsync(() -> {
                try {
                    return api.send("POST", "/v1/jobs/gate", "{\"late\":1}",
                            Map.of("Content-Type", "application/json", "Idempotency-Key", "late-1"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("A's enqueue waits for the test's transaction", () -> enqueuesWaitingForALock(db) > 0);

            assertEquals(0, a.drain().get(30, TimeUnit.SECONDS).aborted(), "nothing was held when the drain timed out");
            blocker.rollback(); // A's insert goes on, and A claims the job it made

            AdminClient.Reply released = caller.get(30, TimeUnit.SECONDS);
            assertEquals(503, released.status(), released.body());
            assertEquals("released", JobApiContract.error(released));
            String id = released.json().get("id").asText();
            assertEquals("available|0||{\"late\": 1}", row(db), "the job is back in the queue, as it was: " + id);
            assertEquals(0, GateHandler.running(), "the drained node never ran it");
            assertEquals("1.0", metric(a, "gonode_queue_released_total{handler=\"gate\"}"));
        } finally {
            GateHandler.open();
        }
    }

    private static int enqueuesWaitingForALock(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT count(*) FROM pg_stat_activity
                      WHERE datname = current_database() AND wait_event_type = 'Lock'
                        AND query LIKE '%gonode_enqueue_job%'""")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** state|attempt|owner|payload of the one job. */
    private static String row(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, attempt, coalesce(owner, ''), payload FROM gonode_job")) {
            String row = rs.next() ? rs.getString(1) + "|" + rs.getInt(2) + "|" + rs.getString(3) + "|" + rs.getString(4) : "";
            return rs.next() ? row + " and more rows" : row;
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
