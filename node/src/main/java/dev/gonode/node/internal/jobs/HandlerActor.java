package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.JobHandler;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.PayloadException;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.Labels;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.context.Context;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler as an actor: a mailbox (a buffered channel of jobs) and {@code concurrency} worker
 * goroutines ranging over it. Accepting a job is a non-blocking send, so a full mailbox is seen at
 * once and answered 429 instead of piling callers up.
 *
 * <p>Each worker runs one job at a time: it marks the job running (skipping jobs that already have
 * an outcome, such as those the drain gave up on while they were queued), calls the handler, and
 * turns what came back into the job's outcome. Workers carry the pprof-style labels
 * {@code handler=<name>}, so a goroutine dump groups them by handler. Closing the mailbox lets the
 * workers finish what is queued and end.
 */
final class HandlerActor {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerActor.class);

    private final JobHandler handler;
    private final NodeConfig.Handler settings;
    private final Channel<JobRecord> mailbox;
    private final ObjectMapper mapper;
    private final JobEngine engine;

    HandlerActor(JobHandler handler, NodeConfig.Handler settings, ObjectMapper mapper, JobEngine engine) {
        this.handler = handler;
        this.settings = settings;
        this.mailbox = Channel.make(settings.mailbox());
        this.mapper = mapper;
        this.engine = engine;
    }

    String name() {
        return handler.name();
    }

    NodeConfig.Handler settings() {
        return settings;
    }

    /** Starts the worker goroutines. */
    void start() {
        Labels.with(Map.of("handler", handler.name()), () -> {
            for (int i = 0; i < settings.concurrency(); i++) {
                Go.go("handler " + handler.name() + " worker " + i, this::work);
            }
        });
    }

    /** Puts a job in the mailbox if there is room; never blocks. */
    boolean offer(JobRecord job) {
        return mailbox.trySend(job);
    }

    /** Jobs waiting in the mailbox now. */
    int queued() {
        return mailbox.len();
    }

    int capacity() {
        return mailbox.cap();
    }

    /** No more jobs: the workers end once the mailbox is empty. */
    void close() {
        mailbox.close();
    }

    private void work() {
        for (JobRecord job : mailbox) {
            if (!job.start()) {
                continue;
            }
            engine.complete(job, run(job));
        }
    }

    private JobRecord.Outcome run(JobRecord job) {
        try {
            Object result = handler.handle(job);
            JsonNode json = mapper.valueToTree(result);
            return new JobRecord.Outcome(JobStatus.SUCCEEDED, json, null);
        } catch (PayloadException e) {
            return new JobRecord.Outcome(JobStatus.FAILED, null, JobError.payloadRejected(e.getMessage()));
        } catch (Throwable t) {
            if (job.outcome() != null) {
                // The deadline, the drain or the caller already settled the job: the handler gave up
                // because its context told it to. Nothing more to say.
                return job.outcome();
            }
            if (job.context().err() == Context.DEADLINE_EXCEEDED) {
                // The deadline passed and the handler noticed before the engine's own deadline hook ran.
                return JobEngine.deadlineExceeded(job);
            }
            String errorId = UUID.randomUUID().toString();
            LOG.error("job {} on handler {} failed (error id {})", job.id(), handler.name(), errorId, t);
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
                engine.complete(job, new JobRecord.Outcome(JobStatus.FAILED, null,
                        JobError.handlerFailed(handler.name(), errorId)));
                throw vme;
            }
            return new JobRecord.Outcome(JobStatus.FAILED, null, JobError.handlerFailed(handler.name(), errorId));
        }
    }
}
