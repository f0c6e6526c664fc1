package dev.gonode.node.testhandlers;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code counter}: a test handler that counts its runs (shared by every node in the JVM) and
 * answers the count, so a test can tell one run from two.
 */
public final class CountingHandler implements JobHandler {

    private static final AtomicInteger RUNS = new AtomicInteger();

    /** Runs so far, across nodes. */
    public static int runs() {
        return RUNS.get();
    }

    @Override
    public String name() {
        return "counter";
    }

    @Override
    public Object handle(Job job) {
        return Map.of("run", RUNS.incrementAndGet());
    }
}
