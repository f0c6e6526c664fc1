package dev.gonode.node;

import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import org.junit.jupiter.api.BeforeAll;

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
}
