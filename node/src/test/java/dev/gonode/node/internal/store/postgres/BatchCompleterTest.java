package dev.gonode.node.internal.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gonode.runtime.sync.WaitGroup;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@PostgresTest
class BatchCompleterTest {

    @Test
    void manyGoroutinesSettleTheirJobsInSharedBatchesAndLearnWhetherTheirLeaseHeld(TestDatabase db) throws Exception {
        int jobs = 500;
        try (PostgresJobQueue queue = PostgresJobQueue.connect(db.settings())) {
            db.sql("SELECT gonode_enqueue('echo', jsonb_build_object('n', g)) FROM generate_series(1, " + jobs + ") g");
            List<StoredJob> claimed = queue.claim("echo", jobs, "pod-a", Duration.ofMinutes(5)).jobs();
            assertEquals(jobs, claimed.size());
            // One stale lease among them: its completion must be refused, the others accepted.
            Lease stale = new Lease(claimed.getFirst().id(), claimed.getFirst().leaseToken() - 1_000_000);

            AtomicInteger held = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            try (BatchCompleter completer = new BatchCompleter(queue, 100)) {
                WaitGroup wg = new WaitGroup();
                for (StoredJob job : claimed) {
                    Lease lease = job == claimed.getFirst() ? stale : job.lease();
                    wg.go(() -> (completer.complete(lease, Outcome.succeeded(job.payload())) ? held : refused)
                            .incrementAndGet());
                }
                wg.waitAll();
            }
            assertEquals(jobs - 1, held.get());
            assertEquals(1, refused.get());
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM gonode_job WHERE state = 'succeeded'")) {
                rs.next();
                assertEquals(jobs - 1, rs.getLong(1));
            }
        }
    }

    @Test
    void closedCompleterRefusesNewCompletions(TestDatabase db) throws Exception {
        try (PostgresJobQueue queue = PostgresJobQueue.connect(db.settings())) {
            BatchCompleter completer = new BatchCompleter(queue, 10);
            completer.close();
            assertThrows(IllegalStateException.class,
                    () -> completer.complete(new Lease(java.util.UUID.randomUUID(), 1), Outcome.succeeded("{}")));
        }
    }
}
