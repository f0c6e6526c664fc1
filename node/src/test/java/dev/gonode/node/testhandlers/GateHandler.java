package dev.gonode.node.testhandlers;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Received;
import dev.gonode.runtime.chan.Select;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code gate}: a test handler that holds every job until the test opens the gate (or the job's
 * context ends), then returns the payload. Lets tests fill mailboxes and keep jobs in flight
 * without timing.
 */
public final class GateHandler implements JobHandler {

    private static volatile Channel<Object> gate = Channel.make();
    private static final AtomicInteger RUNNING = new AtomicInteger();

    /** Closes the gate for the jobs that come next. */
    public static synchronized void reset() {
        gate = Channel.make();
    }

    /** Lets every held job (and every later one until {@link #reset()}) finish. */
    public static synchronized void open() {
        Channel<Object> current = gate;
        if (!closed(current)) {
            current.close();
        }
    }

    private static boolean closed(Channel<Object> c) {
        Received<Object> r = c.tryReceive(); // nothing is ever sent on a gate
        return r != null && !r.ok();
    }

    /** How many jobs are inside the handler now. */
    public static int running() {
        return RUNNING.get();
    }

    @Override
    public String name() {
        return "gate";
    }

    @Override
    public Object handle(Job job) throws Exception {
        RUNNING.incrementAndGet();
        try {
            boolean opened = Select.select(
                    Select.receiveOk(gate).map(r -> true),
                    Select.receiveOk(job.context().done()).map(r -> false));
            if (!opened) {
                throw job.context().err();
            }
            return job.payload();
        } finally {
            RUNNING.decrementAndGet();
        }
    }
}
