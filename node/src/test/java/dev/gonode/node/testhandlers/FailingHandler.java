package dev.gonode.node.testhandlers;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;

/** {@code boom}: a test handler that always throws, with a message that must not reach the caller. */
public final class FailingHandler implements JobHandler {

    public static final String SECRET = "internal detail 7f3a";

    @Override
    public String name() {
        return "boom";
    }

    @Override
    public Object handle(Job job) {
        throw new IllegalStateException("boom: " + SECRET);
    }
}
