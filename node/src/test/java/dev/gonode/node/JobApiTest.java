package dev.gonode.node;

import org.junit.jupiter.api.BeforeAll;

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
}
