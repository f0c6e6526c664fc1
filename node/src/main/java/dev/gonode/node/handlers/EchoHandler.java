package dev.gonode.node.handlers;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;

/** {@code echo}: the result is the payload. */
public final class EchoHandler implements JobHandler {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public Object handle(Job job) {
        return job.payload();
    }
}
