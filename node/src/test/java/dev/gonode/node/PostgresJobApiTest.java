package dev.gonode.node;

import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** The job API on {@code jobs.store: postgres}, against a real PostgreSQL: the same tests as on memory. */
@PostgresTest
class PostgresJobApiTest extends JobApiContract {

    @BeforeAll
    void startNode(TestDatabase db) throws Exception {
        started(TestNodes.startOnPostgres(db, "api-node", TestNodes.config()));
    }

    @Override
    boolean sharedStore() {
        return true;
    }

    /**
     * Off on the shared queue for now: a known defect, recorded on issue 14. When other test classes
     * ran before this one in the same JVM, the postgres node at times starts none of the eight queued
     * gate jobs within 30 s (about half of the full-suite runs; never when the class runs alone; no
     * error is logged). The memory store still runs the contract's version of this test.
     */
    @Override
    @Test
    @Disabled("known defect (issue 14): after other classes ran in this JVM, queued gate jobs are at times not started within 30 s")
    void jobsBeyondCapacityWaitQueuedAndAllFinish() {
    }
}
