package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.internal.store.postgres.PeriodicLeadership;
import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import dev.gonode.testing.Await;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Periodic jobs on a fleet of three nodes in this JVM on one PostgreSQL database: an
 * {@code every: 1s} job runs once per tick across the fleet, and keeps doing so when its leader
 * is killed (its leader session terminated by the server, then the node stopped), with at most
 * the one catch-up tick of the missed-tick policy and never a tick twice.
 */
@PostgresTest
class PeriodicFleetTest {

    private final List<Node> nodes = new ArrayList<>();
    private TestDatabase db;

    @BeforeEach
    void clean(TestDatabase db) throws Exception {
        this.db = db;
        db.sql("DO $$ BEGIN IF to_regclass('gonode_job') IS NOT NULL THEN DELETE FROM gonode_job;"
                + " DELETE FROM gonode_periodic; END IF; END $$");
    }

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
        nodes.clear();
    }

    private Node start(String name) throws Exception {
        NodeConfig config = TestNodes.config().withPeriodic(List.of(new NodeConfig.Periodic("beat", "echo",
                new ObjectMapper().readTree("{\"beat\":true}"), Duration.ofSeconds(1), null)));
        Node node = TestNodes.startOnPostgres(db, name, config);
        nodes.add(node);
        return node;
    }

    /** The tick of every periodic job row, oldest first, with its state and attempt. */
    private List<long[]> ticks() throws Exception {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("""
                SELECT split_part(idempotency_key, ':', 3)::bigint, attempt, (state = 'succeeded')::int
                  FROM gonode_job WHERE handler = 'echo' AND idempotency_key LIKE 'periodic:beat:%' ORDER BY 1""");
             ResultSet rs = s.executeQuery()) {
            List<long[]> ticks = new ArrayList<>();
            while (rs.next()) {
                ticks.add(new long[] {rs.getLong(1), rs.getInt(2), rs.getInt(3)});
            }
            return ticks;
        }
    }

    private static boolean leads(Node node) throws Exception {
        return new AdminClient("127.0.0.1", node.adminPort()).get("/admin/periodic").json().get("leader").asBoolean();
    }

    private Node theLeader() throws Exception {
        List<Node> leaders = new ArrayList<>();
        for (Node n : nodes) {
            if (leads(n)) {
                leaders.add(n);
            }
        }
        return leaders.size() == 1 ? leaders.getFirst() : null;
    }

    @Test
    void anEverySecondJobRunsOncePerTickAcrossTheFleetAndAcrossALeaderKill() throws Exception {
        start("node-a");
        start("node-b");
        start("node-c");
        Await.until("the fleet has run 4 ticks", () -> ticks().size() >= 4);
        Node leader = theLeader();
        assertTrue(leader != null, "exactly one node leads");
        int beforeKill = ticks().size();

        // Kill the leader: the server ends its leader session (the lock is free at once), and the node stops.
        assertEquals(1, terminateLeaderSession(), "one session holds the leader lock");
        nodes.remove(leader);
        leader.close();
        Await.until("another node leads", () -> theLeader() != null);
        Await.until("the fleet has run 5 more ticks", () -> ticks().size() >= beforeKill + 5);
        Node next = theLeader();
        nodes.forEach(Node::close); // stop before reading: no tick lands while we count
        nodes.clear();

        List<long[]> ticks = ticks();
        long first = ticks.getFirst()[0];
        long last = ticks.getLast()[0];
        long missed = (last - first + 1) - ticks.size();
        assertTrue(ticks.size() >= 9, "about 10 ticks in about 10 s: " + ticks.size());
        assertTrue(missed <= 2, "at most the ticks of the fail-over are missed: " + missed + " of " + (last - first + 1));
        for (int i = 1; i < ticks.size(); i++) {
            assertTrue(ticks.get(i)[0] > ticks.get(i - 1)[0], "one job per tick");
        }
        for (long[] t : ticks) {
            assertEquals(1, t[1], "tick " + t[0] + " ran once (one attempt)");
        }
        assertTrue(next != leader, "the killed node no longer leads");
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT last_tick = to_timestamp(?) FROM gonode_periodic WHERE name = 'beat'");) {
            s.setLong(1, last);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "the ledger holds the last tick");
            }
        }
    }

    /** Terminates the session holding the leader's advisory lock; how many it terminated. */
    private int terminateLeaderSession() throws Exception {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_locks
                 WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND ((classid::bigint << 32) | objid::bigint) = ?""")) {
            s.setLong(1, PeriodicLeadership.LEADER_LOCK);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void aNodeThatRestartsAfterAnOutageRunsOneCatchUpTickNotEveryMissedOne() throws Exception {
        Node only = start("node-a");
        Await.until("2 ticks ran", () -> ticks().size() >= 2);
        nodes.remove(only);
        only.close();
        long lastBefore = ticks().getLast()[0];
        // Pretend the outage lasted a minute: the ledger says the last tick was 60 s before.
        db.sql("UPDATE gonode_periodic SET last_tick = last_tick - interval '60 seconds'");
        db.sql("DELETE FROM gonode_job");
        start("node-b");
        Await.until("a tick ran after the restart", () -> !ticks().isEmpty());
        nodes.forEach(Node::close);
        nodes.clear();
        List<long[]> ticks = ticks();
        assertTrue(ticks.getFirst()[0] >= lastBefore, "the catch-up is the latest due tick, not one of the ~60"
                + " missed during the outage: " + ticks.getFirst()[0] + " vs " + lastBefore);
        assertTrue(ticks.size() <= ticks.getLast()[0] - ticks.getFirst()[0] + 1, "one job per tick since");
    }
}
