package dev.gonode.node.testhandlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.runtime.chan.Select;
import java.time.Duration;

/**
 * {@code tally}: a test handler for fleets of child-process nodes that makes every execution
 * observable and lets a test hold jobs on one chosen node.
 *
 * <p>Payload {@code {"n": N, "holdOn": "node-a", "holdMs": M}}. It prints
 * {@code tally start n=N job=ID on NODE} when an execution begins and {@code tally done n=N ...}
 * when it returns, so a test counts executions per node from the nodes' output (which survives a
 * {@code kill -9}). On the node named by {@code holdOn} (its {@code GONODE_NODE_NAME}) it first
 * waits for {@code holdMs} milliseconds, or, without {@code holdMs}, until its context ends (the
 * deadline, or a drain that hands the job back); on every other node it returns at once. The
 * result {@code {"n": N, "ranOn": NODE}} names the node whose run the row kept.
 */
public final class TallyHandler implements JobHandler {

    private static final String NODE = System.getenv().getOrDefault("GONODE_NODE_NAME", "unnamed");

    @Override
    public String name() {
        return "tally";
    }

    @Override
    public Object handle(Job job) throws Exception {
        JsonNode payload = job.payload();
        long n = payload.path("n").asLong(-1);
        System.out.println("tally start n=" + n + " job=" + job.id() + " on " + NODE);
        if (NODE.equals(payload.path("holdOn").asText(null))) {
            long holdMs = payload.path("holdMs").asLong(0);
            boolean held = holdMs > 0
                    ? Select.select(Select.receiveOk(job.context().done()).map(r -> false),
                            Select.timeout(Duration.ofMillis(holdMs)).map(v -> true))
                    : Select.select(Select.receiveOk(job.context().done()).map(r -> false));
            if (!held) {
                System.out.println("tally stopped n=" + n + " job=" + job.id() + " on " + NODE);
                throw job.context().err();
            }
        }
        System.out.println("tally done n=" + n + " job=" + job.id() + " on " + NODE);
        return JsonNodeFactory.instance.objectNode().put("n", n).put("ranOn", NODE);
    }
}
