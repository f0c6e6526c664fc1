package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.PayloadException;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.Labels;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ChannelClosedException;
import dev.gonode.runtime.chan.Received;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler as an actor: a mailbox (a buffered channel of jobs) and up to {@code concurrency}
 * worker goroutines, started on demand and supervised. Accepting a job is a non-blocking send, so a
 * full mailbox is seen at once and answered 429 instead of piling callers up.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li><b>Elastic workers.</b> {@link #offer} puts the job in the mailbox, then starts a worker if
 *       none is idle and fewer than {@code concurrency} run ({@link #ensureWorker}, a CAS on
 *       {@link #workers}). A worker takes jobs until the mailbox stays empty for
 *       {@code idleTimeout}, then ends; an idle node therefore runs no workers, and a burst gets
 *       full concurrency at once. No job is stranded: a worker that times out first leaves the
 *       idle count, then looks at the mailbox and starts a replacement if a job arrived meanwhile;
 *       an offer sends first and reads the idle count after. With both orders fixed (the counters
 *       are atomics, the channel is locked), either the offer sees the worker still idle (and the
 *       worker then sees the job), or the offer sees no idle worker and starts one.</li>
 *   <li><b>Supervision.</b> A worker whose handler throws a {@link VirtualMachineError} (other than
 *       a stack overflow, which fails only its job) settles that job as failed, logs the handler and
 *       an error id, ends, and is replaced at once; the handler keeps its capacity and
 *       {@link JobEvents#workerRestarted} counts it. Any other escape from the loop is treated the
 *       same way.</li>
 *   <li><b>Settling.</b> The actor knows no engine: it hands each outcome, with the number of
 *       the attempt it ran, to the {@code settle} callback it was given, which decides whether it
 *       is the first (the deadline, the drain or the caller may have settled the job or ended the
 *       attempt already) and whether the job is retried.</li>
 * </ul>
 * Workers carry the pprof-style label {@code handler=<name>}, so a goroutine dump groups them by
 * handler. Closing the mailbox lets the workers finish what is queued and end.
 */
final class HandlerActor {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerActor.class);

    private final JobHandler handler;
    private final NodeConfig.Handler settings;
    private final Duration idleTimeout;
    private final Channel<JobRecord> mailbox;
    private final ObjectMapper mapper;
    private final Settler settle;
    private final JobEvents events;
    private final Map<String, String> labels;
    /** Workers started and not yet ended. */
    private final AtomicInteger workers = new AtomicInteger();
    /** Workers waiting on an empty mailbox. */
    private final AtomicInteger idle = new AtomicInteger();

    HandlerActor(JobHandler handler, NodeConfig.Handler settings, Duration idleTimeout, ObjectMapper mapper,
                 Settler settle, JobEvents events) {
        this.handler = handler;
        this.settings = settings;
        this.idleTimeout = idleTimeout;
        this.mailbox = Channel.make(settings.mailbox());
        this.mapper = mapper;
        this.settle = settle;
        this.events = events;
        this.labels = Map.of("handler", handler.name());
    }

    /** How a worker reports the end of an attempt; returns whether that report counted. */
    @FunctionalInterface
    interface Settler {
        boolean settle(JobRecord job, int attempt, Outcome outcome);
    }

    String name() {
        return handler.name();
    }

    NodeConfig.Handler settings() {
        return settings;
    }

    /** Puts a job in the mailbox if there is room, starting a worker if needed; never blocks. */
    boolean offer(JobRecord job) {
        if (!mailbox.trySend(job)) {
            return false;
        }
        ensureWorker();
        return true;
    }

    /**
     * Puts a job in the mailbox, waiting for room if it is full, and starts a worker if needed;
     * returns false, leaving the job to the caller, if the mailbox is (or gets) closed by the drain.
     * For jobs claimed from the shared queue, which are running already: call from a goroutine.
     */
    boolean put(JobRecord job) {
        try {
            mailbox.send(job);
        } catch (ChannelClosedException closed) {
            return false;
        }
        ensureWorker();
        return true;
    }

    /** Jobs waiting in the mailbox now. */
    int queued() {
        return mailbox.len();
    }

    int capacity() {
        return mailbox.cap();
    }

    /** Workers running a job now. */
    int busyWorkers() {
        return Math.max(0, workers.get() - idle.get());
    }

    /** Workers waiting for a job now. */
    int idleWorkers() {
        return idle.get();
    }

    /** No more jobs: the workers end once the mailbox is empty. */
    void close() {
        mailbox.close();
    }

    private void ensureWorker() {
        for (;;) {
            int running = workers.get();
            if (idle.get() > 0 || running >= settings.concurrency()) {
                return;
            }
            if (workers.compareAndSet(running, running + 1)) {
                startWorker();
                return;
            }
        }
    }

    /** Starts a worker goroutine for a slot already counted in {@link #workers}. */
    private void startWorker() {
        Labels.with(labels, () -> Go.go("handler " + handler.name() + " worker", this::work));
    }

    private void work() {
        try {
            for (JobRecord job = next(); job != null; job = next()) {
                if (job.start(Go.current().id())) {
                    run(job);
                }
            }
        } catch (Throwable t) {
            // The worker dies; its slot goes to a replacement so the handler keeps its capacity.
            String errorId = t instanceof WorkerDied died ? died.errorId : UUID.randomUUID().toString();
            if (!(t instanceof WorkerDied)) {
                LOG.error("a worker of handler {} died (error id {}); starting a replacement", handler.name(), errorId, t);
            }
            events.workerRestarted(handler.name(), errorId);
            startWorker();
        }
    }

    /** The next job, or {@code null} when the mailbox is closed or stayed empty for the idle timeout. */
    private JobRecord next() {
        Received<JobRecord> ready = mailbox.tryReceive();
        if (ready == null) {
            idle.incrementAndGet();
            ready = Select.select(Select.receiveOk(mailbox), Select.timeout(idleTimeout).map(v -> null));
            idle.decrementAndGet();
        }
        if (ready != null && ready.ok()) {
            return ready.value();
        }
        workers.decrementAndGet();
        if (ready == null && mailbox.len() > 0) {
            ensureWorker(); // a job came as this worker timed out: see the notes
        }
        return null;
    }

    /**
     * What a handler sees of one attempt: that attempt's context and number, which stay its own
     * when a later attempt begins while this one still runs (a retry after its deadline, or an
     * operator's retry after a cancel the handler has not noticed yet).
     */
    private record AttemptView(JobRecord job, Context context, int attempt) implements Job {
        @Override
        public String id() {
            return job.id();
        }

        @Override
        public String handler() {
            return job.handler();
        }

        @Override
        public JsonNode payload() {
            return job.payload();
        }
    }

    private void run(JobRecord job) {
        int attempt = job.attemptToken();
        Job view = new AttemptView(job, job.context(), job.attempt());
        Outcome outcome;
        try {
            outcome = new Outcome.Succeeded(mapper.writeValueAsBytes(handler.handle(view)));
        } catch (PayloadException e) {
            outcome = new Outcome.PayloadRejected(e.getMessage());
        } catch (JsonProcessingException e) {
            outcome = failed(job, "its result cannot be written as JSON", e);
        } catch (VirtualMachineError e) {
            if (e instanceof StackOverflowError) {
                outcome = failed(job, "it failed", e);
            } else {
                String errorId = UUID.randomUUID().toString();
                LOG.error("job {}: handler {} threw {}, which ends its worker (error id {}); starting a replacement",
                        job.id(), handler.name(), e.getClass().getSimpleName(), errorId, e);
                settle.settle(job, attempt, new Outcome.HandlerFailed(handler.name(), errorId));
                throw new WorkerDied(errorId, e);
            }
        } catch (Throwable t) {
            if (job.attemptOver(attempt)) {
                // The deadline, the drain, the caller or an operator ended the attempt already: the
                // handler gave up because its context told it to. Nothing more to say.
                return;
            }
            outcome = job.context().err() == Context.DEADLINE_EXCEEDED
                    ? new Outcome.DeadlineExceeded(job.timeout())
                    : failed(job, "it failed", t);
        }
        settle.settle(job, attempt, outcome);
    }

    private Outcome failed(JobRecord job, String what, Throwable t) {
        String errorId = UUID.randomUUID().toString();
        LOG.error("job {} on handler {}: {} (error id {})", job.id(), handler.name(), what, errorId, t);
        return new Outcome.HandlerFailed(handler.name(), errorId);
    }

    /** Ends a worker after its handler threw a {@link VirtualMachineError}; logged already. */
    private static final class WorkerDied extends RuntimeException {
        final String errorId;

        WorkerDied(String errorId, Throwable cause) {
            super(cause.toString(), cause, false, false);
            this.errorId = errorId;
        }
    }
}
