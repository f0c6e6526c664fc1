package dev.gonode.node.internal.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The queue admin's SQL on a table of 50,000 jobs: every listing is an index scan (V4's
 * indexes), never a scan of the whole table, and keyset pages walk the table in order.
 */
@PostgresTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueAdminQueriesTest {

    private PostgresJobQueue queue;
    private QueueAdminQueries queries;

    @BeforeAll
    void fill(TestDatabase db) throws Exception {
        queue = PostgresJobQueue.connect(db.settings());
        queries = new QueueAdminQueries(queue);
        db.sql("""
                INSERT INTO gonode_job (handler, state, payload, max_attempts, created_at, finished_at)
                SELECT 'h' || (i % 20), s.state, '{}', 3, now() - i * interval '1 second',
                       CASE WHEN s.state IN ('succeeded', 'failed', 'discarded') THEN now() END
                  FROM generate_series(1, 50000) i,
                       LATERAL (SELECT (ARRAY['succeeded', 'succeeded', 'succeeded', 'failed', 'discarded',
                                              'available'])[1 + i % 6] AS state) s""");
        db.sql("ANALYZE gonode_job");
    }

    @AfterAll
    void close() {
        queue.close();
    }

    @Test
    void everyListingIsAnIndexScanNotASequentialScan() throws Exception {
        for (Set<JobState> states : List.of(Set.<JobState>of(), Set.of(JobState.DISCARDED), Set.of(JobState.SUCCEEDED))) {
            for (String handler : new String[] {null, "h7"}) {
                for (boolean paged : new boolean[] {false, true}) {
                    String plan = queries.explainList(states, handler, paged);
                    assertTrue(plan.contains("Index"), states + " " + handler + " " + paged + ":\n" + plan);
                    assertFalse(plan.contains("Seq Scan"), states + " " + handler + " " + paged + ":\n" + plan);
                }
            }
        }
    }

    @Test
    void keysetPagesWalkTheFilteredJobsNewestFirstWithoutGapsOrRepeats() {
        List<StoredJob> all = new ArrayList<>();
        Instant afterCreated = null;
        UUID afterId = null;
        while (true) {
            List<StoredJob> page = queries.list(Set.of(JobState.DISCARDED), "h4", null, null, afterCreated, afterId, 100);
            all.addAll(page);
            if (page.size() < 100) {
                break;
            }
            afterCreated = page.getLast().createdAt();
            afterId = page.getLast().id();
        }
        // i % 20 == 4 and i % 6 == 4: i = 4 (mod 60), 834 of 1..50000
        assertEquals(834, all.size());
        assertEquals(all.size(), all.stream().map(StoredJob::id).distinct().count());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).createdAt().isAfter(all.get(i).createdAt()), "newest first at " + i);
        }
        assertTrue(all.stream().allMatch(j -> j.handler().equals("h4") && j.state() == JobState.DISCARDED));
    }
}
