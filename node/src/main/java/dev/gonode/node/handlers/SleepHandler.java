package dev.gonode.node.handlers;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.runtime.chan.Select;
import java.time.Duration;
import java.util.Map;

/**
 * {@code sleep}: {@code {"ms": N}} waits N milliseconds (0 to 3,600,000) and returns
 * {@code {"slept_ms": N}}; if the job's context ends first it stops at once with the context's
 * error. A stand-in for a job that waits on I/O.
 */
public final class SleepHandler implements JobHandler {

    static final long MAX_MS = 3_600_000;

    @Override
    public String name() {
        return "sleep";
    }

    @Override
    public Object handle(Job job) throws Exception {
        long millis = PayloadFields.of(job, "sleep takes {\"ms\": N}, N milliseconds").wholeNumber("ms", 0, MAX_MS);
        boolean slept = Select.select(
                Select.receiveOk(job.context().done()).map(closed -> false),
                Select.timeout(Duration.ofMillis(millis)).map(v -> true));
        if (!slept) {
            throw job.context().err();
        }
        return Map.of("slept_ms", millis);
    }
}
