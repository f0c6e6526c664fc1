package dev.gonode.node.internal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.chan.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The engine on its own: settlement once, abort at the drain timeout, expiry of finished jobs. */
class JobEngineTest {

    /** Holds every job until its context ends; ignores the gate channel otherwise. */
    static final class Stuck implements JobHandler {
        final Channel<Object> entered = Channel.make(1000);

        @Override
        public String name() {
            return "stuck";
        }

        @Override
        public Object handle(Job job) {
            entered.send(job.id());
            job.context().done().receiveOk();
            return "never answered";
        }
    }

    private static JobEngine engine(JobHandler handler, int concurrency, int mailbox, JobStore store) {
        JobEngine engine = new JobEngine(Map.of(handler.name(), handler),
                Map.of(handler.name(), new NodeConfig.Handler(concurrency, mailbox, Duration.ofSeconds(30))),
                store, new ObjectMapper(), JobEvents.NONE);
        engine.start();
        return engine;
    }

    @Test
    void drainTimeoutAbortsQueuedAndRunningJobsAndAnswersTheirCallers() {
        Stuck stuck = new Stuck();
        JobEngine engine = engine(stuck, 2, 10, new JobStore(Duration.ofMinutes(1), 100, System::nanoTime));
        List<JobRecord> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            var submission = engine.submit("stuck", JsonNodeFactory.instance.numberNode(i), Duration.ofSeconds(30), null);
            jobs.add(assertInstanceOf(JobEngine.Submission.Accepted.class, submission).job());
        }
        stuck.entered.receive();
        stuck.entered.receive();
        engine.beginDrain();
        assertInstanceOf(JobEngine.Submission.Draining.class,
                engine.submit("stuck", JsonNodeFactory.instance.nullNode(), Duration.ofSeconds(1), null));
        JobEngine.DrainReport report = engine.awaitDrained(Duration.ofMillis(50));
        assertEquals(5, report.aborted());
        assertEquals(0, report.finished());
        for (JobRecord job : jobs) {
            assertTrue(job.done().receiveOk() != null);
            assertEquals(JobStatus.ABORTED, job.status());
            assertEquals(503, job.outcome().error().httpStatus());
            assertTrue(job.context().err() != null, "an aborted job's context is cancelled");
        }
        assertEquals(0, engine.inFlight());
    }

    @Test
    void aJobIsSettledOnceWhoeverComesFirst() {
        Stuck stuck = new Stuck();
        JobEngine engine = engine(stuck, 1, 1, new JobStore(Duration.ofMinutes(1), 100, System::nanoTime));
        JobRecord job = ((JobEngine.Submission.Accepted) engine.submit("stuck",
                JsonNodeFactory.instance.nullNode(), Duration.ofSeconds(30), null)).job();
        stuck.entered.receive();
        engine.cancel(job);
        job.done().receiveOk();
        assertEquals(JobStatus.CANCELLED, job.status());
        // The handler now returns (its context ended); its result does not replace the outcome.
        engine.beginDrain();
        assertEquals(0, engine.awaitDrained(Duration.ofSeconds(10)).aborted());
        assertEquals(JobStatus.CANCELLED, job.status());
    }

    @Test
    void finishedJobsAreForgottenByCountAndByAge() {
        AtomicLong now = new AtomicLong();
        JobStore store = new JobStore(Duration.ofSeconds(10), 2, now::get);
        JobHandler echo = new JobHandler() {
            @Override
            public String name() {
                return "echo";
            }

            @Override
            public Object handle(Job job) {
                return job.payload();
            }
        };
        JobEngine engine = engine(echo, 1, 10, store);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobRecord job = ((JobEngine.Submission.Accepted) engine.submit("echo",
                    JsonNodeFactory.instance.numberNode(i), Duration.ofSeconds(5), "key-" + i)).job();
            job.done().receiveOk();
            ids.add(job.id());
        }
        assertEquals(null, engine.job(ids.get(0)), "the oldest of 3 goes when 2 are kept");
        assertEquals(ids.get(1), engine.job(ids.get(1)).id());
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertEquals(null, engine.job(ids.get(2)), "expired after the TTL");
        // Its idempotency key went with it: the same key makes a new job.
        assertInstanceOf(JobEngine.Submission.Accepted.class,
                engine.submit("echo", JsonNodeFactory.instance.nullNode(), Duration.ofSeconds(5), "key-2"));
    }
}
