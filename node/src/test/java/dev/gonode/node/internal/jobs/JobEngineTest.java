package dev.gonode.node.internal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.handlers.EchoHandler;
import dev.gonode.node.handlers.SleepHandler;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The engine on its own: settlement once, abort at the drain timeout, bounded memory (no record
 * outlives the store, byte bounds), elastic and supervised workers.
 */
class JobEngineTest {

    private static final Duration FOREVER = Duration.ofMinutes(10);

    /** Holds every job until its context ends. */
    static final class Stuck implements JobHandler {
        final Channel<Object> entered = Channel.make(10_000);

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

    private static NodeConfig.Jobs jobs(Duration idle) {
        return new NodeConfig.Jobs(Duration.ofMinutes(1), 100, 1 << 20, 1 << 20, idle);
    }

    private static JobStore store() {
        return new JobStore(Duration.ofMinutes(1), 100, 1 << 20, System::nanoTime);
    }

    private static JobEngine engine(JobHandler handler, int concurrency, int mailbox, JobStore store,
                                    NodeConfig.Jobs jobs, JobEvents events) {
        return new JobEngine(Map.of(handler.name(), handler),
                Map.of(handler.name(), new NodeConfig.Handler(concurrency, mailbox, Duration.ofSeconds(30))
                        .withRetries(1, Duration.ofSeconds(1), Duration.ofSeconds(1))),
                jobs, store, new ObjectMapper(), events);
    }

    private static JobEngine engine(JobHandler handler, int concurrency, int mailbox, JobStore store) {
        return engine(handler, concurrency, mailbox, store, jobs(FOREVER), JobEvents.NONE);
    }

    private static JobRecord submit(JobEngine engine, String handler, JsonNode payload, String key) {
        return assertInstanceOf(JobEngine.Submission.Accepted.class,
                engine.submit(handler, payload, payload.toString().length(), Duration.ofSeconds(30), key)).job();
    }

    /** Waits for {@code job}'s outcome through a completion callback. */
    private static Outcome settled(JobRecord job) throws Exception {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        job.onSettled(j -> done.complete(j.outcome()));
        return done.get(20, TimeUnit.SECONDS);
    }

    @Test
    void drainTimeoutAbortsQueuedAndRunningJobsAndAnswersTheirCallers() throws Exception {
        Stuck stuck = new Stuck();
        JobEngine engine = engine(stuck, 2, 10, store());
        List<JobRecord> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(submit(engine, "stuck", JsonNodeFactory.instance.numberNode(i), null));
        }
        stuck.entered.receive();
        stuck.entered.receive();
        engine.beginDrain();
        assertInstanceOf(JobEngine.Submission.Draining.class,
                engine.submit("stuck", JsonNodeFactory.instance.nullNode(), 4, Duration.ofSeconds(1), null));
        JobEngine.DrainReport report = engine.awaitDrained(Duration.ofMillis(50));
        assertEquals(5, report.aborted());
        assertEquals(0, report.finished());
        for (JobRecord job : jobs) {
            assertInstanceOf(Outcome.Aborted.class, settled(job));
            assertEquals(JobStatus.ABORTED, job.status());
            assertNotNull(job.context().err(), "an aborted job's context is cancelled");
        }
        assertEquals(0, engine.inFlight());
        assertEquals(0, engine.liveJobs());
    }

    @Test
    void aJobIsSettledOnceWhoeverComesFirst() throws Exception {
        Stuck stuck = new Stuck();
        JobEngine engine = engine(stuck, 1, 1, store());
        JobRecord job = submit(engine, "stuck", JsonNodeFactory.instance.nullNode(), null);
        stuck.entered.receive();
        engine.cancel(job);
        assertInstanceOf(Outcome.Cancelled.class, settled(job));
        // The handler now returns (its context ended); its result does not replace the outcome.
        engine.beginDrain();
        assertEquals(0, engine.awaitDrained(Duration.ofSeconds(10)).aborted());
        assertEquals(JobStatus.CANCELLED, job.status());
    }

    @Test
    void aCallbackRegisteredAfterTheSettlementRunsAtOnce() throws Exception {
        JobEngine engine = engine(new EchoHandler(), 1, 10, store());
        JobRecord job = submit(engine, "echo", JsonNodeFactory.instance.textNode("x"), null);
        settled(job);
        AtomicInteger ran = new AtomicInteger();
        job.onSettled(j -> ran.incrementAndGet());
        assertEquals(1, ran.get());
        assertNull(job.payload(), "a settled job does not keep its payload");
        assertEquals("\"x\"", new String(((Outcome.Succeeded) job.outcome()).resultJson()));
    }

    @Test
    void finishedJobsAreForgottenByCountAndByAge() throws Exception {
        AtomicLong now = new AtomicLong();
        JobStore store = new JobStore(Duration.ofSeconds(10), 2, 1 << 20, now::get);
        JobEngine engine = engine(new EchoHandler(), 1, 10, store);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobRecord job = submit(engine, "echo", JsonNodeFactory.instance.numberNode(i), "key-" + i);
            settled(job);
            ids.add(job.id());
        }
        assertNull(engine.job(ids.get(0)), "the oldest of 3 goes when 2 are kept");
        assertEquals(ids.get(1), engine.job(ids.get(1)).id());
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertNull(engine.job(ids.get(2)), "expired after the TTL");
        // Its idempotency key went with it: the same key makes a new job.
        submit(engine, "echo", JsonNodeFactory.instance.nullNode(), "key-2");
    }

    @Test
    void finishedJobsAreForgottenByBytesAndAResultTooLargeToKeepIsNotKept() throws Exception {
        long maxBytes = 64 * 1024;
        JobStore store = new JobStore(FOREVER, 1_000_000, maxBytes, System::nanoTime);
        JobEngine engine = engine(new EchoHandler(), 2, 100, store,
                new NodeConfig.Jobs(FOREVER, 1_000_000, maxBytes, 1 << 24, FOREVER), JobEvents.NONE);
        String kilobyte = "k".repeat(1000);
        List<JobRecord> kept = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            JobRecord job = submit(engine, "echo", JsonNodeFactory.instance.textNode(kilobyte), null);
            settled(job);
            kept.add(job);
            assertTrue(store.finishedBytes() <= maxBytes, "finished jobs hold " + store.finishedBytes() + " bytes");
        }
        assertNull(engine.job(kept.get(0).id()), "the oldest are forgotten once the bytes are over the bound");
        assertNotNull(engine.job(kept.get(199).id()));

        JobRecord large = submit(engine, "echo", JsonNodeFactory.instance.textNode("L".repeat(8 * 1024)), null);
        Outcome outcome = settled(large);
        assertInstanceOf(Outcome.Succeeded.class, outcome);
        JobRecord stored = engine.job(large.id());
        assertNotNull(stored, "a job whose result is too large is still known");
        assertNull(((Outcome.Succeeded) stored.outcome()).resultJson());
        assertTrue(stored.resultNotKept().contains("larger than"), stored.resultNotKept());
    }

    @Test
    void payloadBytesOfUnfinishedJobsAreBounded() throws Exception {
        Stuck stuck = new Stuck();
        JobEngine engine = engine(stuck, 4, 100, store(),
                new NodeConfig.Jobs(FOREVER, 100, 1 << 20, 1000, FOREVER), JobEvents.NONE);
        JsonNode payload = JsonNodeFactory.instance.textNode("p");
        assertInstanceOf(JobEngine.Submission.Accepted.class, engine.submit("stuck", payload, 600, FOREVER, null));
        JobEngine.Submission over = engine.submit("stuck", payload, 600, FOREVER, null);
        assertEquals(1000, assertInstanceOf(JobEngine.Submission.QueueFull.class, over).maxBytes());
        assertEquals(600, engine.inFlightBytes());
        engine.beginDrain();
        engine.awaitDrained(Duration.ZERO);
        assertEquals(0, engine.inFlightBytes());
    }

    @Test
    void noRecordOutlivesItsJobOrTheStoreAfterManyConcurrentJobs() throws Exception {
        int threads = 4;
        int perThread = 25_000;
        JobStore store = new JobStore(FOREVER, 10_000, 1L << 30, System::nanoTime);
        JobEngine engine = engine(new EchoHandler(), 8, 100_000, store,
                new NodeConfig.Jobs(FOREVER, 10_000, 1L << 30, 1L << 30, FOREVER), JobEvents.NONE);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch settledAll = new CountDownLatch(threads * perThread);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    JobEngine.Submission s = engine.submit("echo", JsonNodeFactory.instance.numberNode(i), 8,
                            FOREVER, null);
                    if (s instanceof JobEngine.Submission.Accepted accepted) {
                        accepted.job().onSettled(j -> settledAll.countDown());
                    } else {
                        failures.add(new AssertionError("refused: " + s));
                        settledAll.countDown();
                    }
                }
            }));
        }
        for (Thread t : submitters) {
            t.join();
        }
        assertTrue(settledAll.await(60, TimeUnit.SECONDS), "every job settles");
        assertTrue(failures.isEmpty(), () -> failures.peek().toString());
        Await.until(() -> engine.inFlight() == 0);
        assertEquals(0, engine.liveJobs(), "no settled job stays among the live ones");
        assertEquals(10_000, store.size(), "the store holds exactly its bound of finished jobs");
    }

    @Test
    void workersStartOnDemandUpToTheConcurrencyAndEndWhenIdle() throws Exception {
        Stuck stuck = new Stuck();
        JobEngine engine = engine(stuck, 50, 1000, store(),
                new NodeConfig.Jobs(FOREVER, 100, 1 << 20, 1 << 20, Duration.ofMillis(200)), JobEvents.NONE);
        assertEquals(0, engine.workers("stuck", true) + engine.workers("stuck", false), "no job, no worker");
        List<JobRecord> jobs = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            jobs.add(submit(engine, "stuck", JsonNodeFactory.instance.numberNode(i), null));
        }
        for (int i = 0; i < 50; i++) {
            stuck.entered.receive(); // all 50 run at once: a burst gets the full concurrency
        }
        assertEquals(50, engine.workers("stuck", true));
        assertEquals(30, engine.queued());
        jobs.forEach(engine::cancel);
        Await.until(() -> engine.workers("stuck", true) + engine.workers("stuck", false) == 0);
        // And they come back for new work.
        JobRecord again = submit(engine, "stuck", JsonNodeFactory.instance.nullNode(), null);
        stuck.entered.receive();
        engine.cancel(again);
        assertInstanceOf(Outcome.Cancelled.class, settled(again));
    }

    @Test
    void aWorkerKilledByAVirtualMachineErrorIsReplacedAndCounted() throws Exception {
        JobHandler fatal = new JobHandler() {
            @Override
            public String name() {
                return "fatal";
            }

            @Override
            public Object handle(Job job) {
                if (job.payload().asBoolean()) {
                    throw new InternalError("simulated VM failure in a handler");
                }
                return "fine";
            }
        };
        List<String> restarts = new ArrayList<>();
        JobEngine engine = engine(fatal, 2, 100, store(), jobs(FOREVER), new JobEvents() {
            @Override
            public synchronized void workerRestarted(String handler, String errorId) {
                restarts.add(handler + " " + errorId);
            }
        });
        for (int round = 0; round < 5; round++) {
            JobRecord dies = submit(engine, "fatal", JsonNodeFactory.instance.booleanNode(true), null);
            Outcome failed = settled(dies);
            assertEquals("handler_failed", failed.code());
            JobRecord fine = submit(engine, "fatal", JsonNodeFactory.instance.booleanNode(false), null);
            assertInstanceOf(Outcome.Succeeded.class, settled(fine));
        }
        Await.until(() -> {
            synchronized (restarts) {
                return restarts.size() == 5;
            }
        });
        assertTrue(restarts.getFirst().startsWith("fatal "), restarts.toString());
        assertTrue(engine.workers("fatal", true) + engine.workers("fatal", false) <= 2,
                "replacements take the dead workers' slots");
    }

    @Test
    void aBurstOfFourThousandSleepJobsRunsAllAtOnce() throws Exception {
        JobEngine engine = engine(new SleepHandler(), 4000, 16_384, new JobStore(FOREVER, 10_000, 1 << 24,
                System::nanoTime), new NodeConfig.Jobs(FOREVER, 10_000, 1 << 24, 1 << 24, FOREVER), JobEvents.NONE);
        List<JobRecord> jobs = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            jobs.add(submit(engine, "sleep", new ObjectMapper().readTree("{\"ms\":60000}"), null));
        }
        Await.until(() -> jobs.stream().allMatch(job -> job.status() == JobStatus.RUNNING));
        assertEquals(4000, engine.workers("sleep", true));
        assertEquals(0, engine.queued(), "none waits for a worker");
        jobs.forEach(engine::cancel);
        Await.until(() -> engine.inFlight() == 0);
    }

    /** Fails the first {@code failures} calls, then answers the call's number. */
    static final class FailsFirst implements JobHandler {
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        final int failures;

        FailsFirst(int failures) {
            this.failures = failures;
        }

        @Override
        public String name() {
            return "fails-first";
        }

        @Override
        public Object handle(Job job) {
            int call = calls.incrementAndGet();
            if (call <= failures) {
                throw new IllegalStateException("call " + call + " fails");
            }
            return call;
        }
    }

    @Test
    void retryRunsAFailedJobAgainUnderItsIdKeepingItsErrors() throws Exception {
        FailsFirst handler = new FailsFirst(1);
        JobEngine engine = engine(handler, 1, 10, store());
        JobRecord job = submit(engine, "fails-first", JsonNodeFactory.instance.objectNode().put("keep", "me"), null);
        assertInstanceOf(Outcome.HandlerFailed.class, settled(job));
        assertEquals(JobStatus.FAILED, job.status(), "one attempt: failed, not discarded");

        JobEngine.RetryResult retried = engine.retry(job.id());
        assertSame(job, assertInstanceOf(JobEngine.RetryResult.Retried.class, retried).job());
        Await.until(() -> job.status() == JobStatus.SUCCEEDED);
        assertEquals("2", new String(((Outcome.Succeeded) job.outcome()).resultJson()));
        assertEquals(1, job.errors().size(), "the first run's error is kept");
        assertEquals(1, job.attempt(), "attempts are counted afresh");
        assertEquals(job, engine.job(job.id()));

        assertEquals(new JobEngine.RetryResult.NotRetryable(JobStatus.SUCCEEDED), engine.retry(job.id()));
        assertEquals(new JobEngine.RetryResult.NotFound(), engine.retry("no-such-job"));
        engine.beginDrain();
        assertEquals(0, engine.awaitDrained(Duration.ofSeconds(10)).aborted());
    }

    @Test
    void retryOfAJobThatHasNotEndedIsRefusedNamingItsStatus() throws Exception {
        Stuck stuck = new Stuck();
        JobEngine engine = engine(stuck, 1, 10, store());
        JobRecord job = submit(engine, "stuck", JsonNodeFactory.instance.nullNode(), null);
        stuck.entered.receive();
        assertEquals(new JobEngine.RetryResult.NotRetryable(JobStatus.RUNNING), engine.retry(job.id()));
        assertInstanceOf(JobEngine.CancelResult.Cancelled.class, engine.cancel(job.id()));
        assertEquals(new JobEngine.CancelResult.AlreadyFinished(JobStatus.CANCELLED), engine.cancel(job.id()));
        assertInstanceOf(JobEngine.RetryResult.Retried.class, engine.retry(job.id()), "a cancelled job may run again");
        stuck.entered.receive();
        engine.beginDrain();
        assertEquals(1, engine.awaitDrained(Duration.ofMillis(50)).aborted());
    }

    @Test
    void drainAbortsAtOnceJobsDueAfterItsDeadlineAndWaitsForThoseDueBefore() throws Exception {
        JobEngine engine = engine(new EchoHandler(), 1, 10, store());
        JobRecord late = assertInstanceOf(JobEngine.Submission.Accepted.class, engine.submit("echo",
                JsonNodeFactory.instance.numberNode(1), 1, Duration.ofSeconds(30), null, false, Duration.ofHours(1))).job();
        JobRecord soon = assertInstanceOf(JobEngine.Submission.Accepted.class, engine.submit("echo",
                JsonNodeFactory.instance.numberNode(2), 1, Duration.ofSeconds(30), null, false, Duration.ofMillis(300))).job();
        assertEquals(JobStatus.SCHEDULED, late.status());
        engine.beginDrain();
        JobEngine.DrainReport report = engine.awaitDrained(Duration.ofSeconds(10));
        assertEquals(1, report.aborted(), report.toString());
        assertInstanceOf(Outcome.Aborted.class, late.outcome());
        assertInstanceOf(Outcome.Succeeded.class, soon.outcome());
        assertTrue(report.took().compareTo(Duration.ofSeconds(5)) < 0, "it did not wait for the late one: " + report);
    }
}
