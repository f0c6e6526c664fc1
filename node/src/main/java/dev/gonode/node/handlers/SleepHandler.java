package dev.gonode.node.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.node.PayloadException;
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
        JsonNode ms = job.payload().get("ms");
        if (ms == null || !ms.isIntegralNumber() || ms.asLong() < 0 || ms.asLong() > MAX_MS) {
            throw new PayloadException("sleep takes {\"ms\": N} with N a whole number of milliseconds from 0 to "
                    + MAX_MS);
        }
        long millis = ms.asLong();
        boolean slept = Select.select(
                Select.receiveOk(job.context().done()).map(closed -> false),
                Select.timeout(Duration.ofMillis(millis)).map(v -> true));
        if (!slept) {
            throw job.context().err();
        }
        return Map.of("slept_ms", millis);
    }
}
