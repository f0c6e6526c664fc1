package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.JobHandler;
import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's jobs: accepting them into their handler's mailbox, settling each exactly once, and
 * draining.
 *
 * <p>Implementation notes. Acceptance and the start of a drain are serialised on this object's
 * monitor, so a job is either refused as "draining" or counted in {@link #inFlight} before the
 * drain looks at the count: the drain cannot miss an accepted job. Every accepted job ends through
 * {@link #complete}, whoever settles it (its worker, its deadline, the caller going away, the
 * drain), and only the first settlement counts ({@link JobRecord#finish}). The drain waits on a
 * channel that the last settlement closes, with the drain timeout as a select timeout; what is
 * still live then is settled as {@code aborted}, which answers its callers and cancels its context.
 * A job's deadline is its context's: when the context expires the job is settled as
 * {@code deadline_exceeded} at once, whether or not the handler notices.
 */
public final class JobEngine {

    /** What became of a submission. */
    public sealed interface Submission {
        /** Accepted now: the job is queued. */
        record Accepted(JobRecord job) implements Submission {
        }

        /** Its idempotency key names an earlier job of the same handler: that job, not a new one. */
        record Duplicate(JobRecord job) implements Submission {
        }

        /** No handler of that name; {@code known} lists the configured ones. */
        record UnknownHandler(List<String> known) implements Submission {
        }

        /** The handler's mailbox is full. */
        record MailboxFull(int capacity) implements Submission {
        }

        /** The node is draining and takes no new jobs. */
        record Draining() implements Submission {
        }
    }

    /** Counters for metrics and the drain log. */
    public record DrainReport(int finished, int aborted, Duration took) {
    }

    private final Map<String, HandlerActor> actors;
    private final JobStore store;
    private final Set<JobRecord> live = ConcurrentHashMap.newKeySet();
    private final JobEvents events;
    private int inFlight; // guarded by this
    private boolean draining; // guarded by this
    private Channel<Object> allSettled; // guarded by this; made when the drain starts
    private volatile boolean drainingFlag;
    private final AtomicInteger aborted = new AtomicInteger();

    public JobEngine(Map<String, JobHandler> handlers, Map<String, NodeConfig.Handler> settings, JobStore store,
                     ObjectMapper mapper, JobEvents events) {
        Map<String, HandlerActor> byName = new LinkedHashMap<>();
        settings.forEach((name, config) -> byName.put(name, new HandlerActor(handlers.get(name), config, mapper, this)));
        this.actors = Collections.unmodifiableMap(byName);
        this.store = store;
        this.events = events;
    }

    /** Starts every handler's workers. */
    public void start() {
        actors.values().forEach(HandlerActor::start);
    }

    /** The configured handler names, in configuration order. */
    public List<String> handlerNames() {
        return List.copyOf(actors.keySet());
    }

    /** The job with this id, or {@code null}. */
    public JobRecord job(String id) {
        return store.get(id);
    }

    /** Whether a drain has begun. */
    public boolean draining() {
        return drainingFlag;
    }

    /** Jobs accepted and not yet settled. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** Jobs waiting in all mailboxes now. */
    public int queued() {
        return actors.values().stream().mapToInt(HandlerActor::queued).sum();
    }

    /** Jobs the drain gave up on (aborted) so far. */
    public int aborted() {
        return aborted.get();
    }

    /** Jobs waiting in {@code handler}'s mailbox, and its capacity; {@code null} for an unknown handler. */
    public int[] mailbox(String handler) {
        HandlerActor actor = actors.get(handler);
        return actor == null ? null : new int[] {actor.queued(), actor.capacity()};
    }

    /** The default timeout of {@code handler}, or {@code null} if there is no such handler. */
    public Duration defaultTimeout(String handler) {
        HandlerActor actor = actors.get(handler);
        return actor == null ? null : actor.settings().timeout();
    }

    /**
     * Submits a job. {@code timeout} is its deadline from now; {@code idempotencyKey} may be
     * {@code null}.
     */
    public Submission submit(String handler, JsonNode payload, Duration timeout, String idempotencyKey) {
        HandlerActor actor = actors.get(handler);
        if (actor == null) {
            return new Submission.UnknownHandler(handlerNames());
        }
        Context.WithCancel job = Context.withTimeout(Context.background(), timeout);
        JobRecord record = new JobRecord(UUID.randomUUID().toString(), handler, payload, idempotencyKey, timeout,
                job.context(), job::cancel);
        synchronized (this) {
            if (draining) {
                job.cancel();
                events.rejected(handler, "draining");
                return new Submission.Draining();
            }
            JobRecord existing = store.addOrGetExisting(record);
            if (existing != record) {
                job.cancel();
                return new Submission.Duplicate(existing);
            }
            if (!actor.offer(record)) {
                store.remove(record);
                job.cancel();
                events.rejected(handler, "mailbox_full");
                return new Submission.MailboxFull(actor.capacity());
            }
            inFlight++;
            live.add(record);
        }
        events.accepted(record);
        Context.afterFunc(job.context(), () -> {
            if (job.context().err() == Context.DEADLINE_EXCEEDED) {
                complete(record, deadlineExceeded(record));
            }
        });
        return new Submission.Accepted(record);
    }

    /** The outcome of a job whose deadline passed. */
    static JobRecord.Outcome deadlineExceeded(JobRecord job) {
        return new JobRecord.Outcome(JobStatus.FAILED, null, JobError.deadlineExceeded(GoDuration.format(job.timeout())));
    }

    /** The caller of {@code job} went away before its answer: call the job off if it is still live. */
    public void cancel(JobRecord job) {
        complete(job, new JobRecord.Outcome(JobStatus.CANCELLED, null, JobError.cancelled()));
    }

    /** Settles {@code job} with {@code outcome} unless it is settled already; returns whether it did. */
    boolean complete(JobRecord job, JobRecord.Outcome outcome) {
        if (!job.finish(outcome)) {
            return false;
        }
        live.remove(job);
        store.finished(job);
        events.settled(job);
        job.release();
        synchronized (this) {
            inFlight--;
            if (draining && inFlight == 0) {
                allSettled.close();
            }
        }
        return true;
    }

    /**
     * Refuses new jobs from now on (idempotent). Returns immediately; {@link #awaitDrained} waits
     * for the jobs already accepted.
     */
    public void beginDrain() {
        synchronized (this) {
            if (draining) {
                return;
            }
            draining = true;
            drainingFlag = true;
            allSettled = Channel.make();
            if (inFlight == 0) {
                allSettled.close();
            }
        }
    }

    /**
     * Waits up to {@code timeout} for every accepted job to settle, then aborts the rest (their
     * callers get 503 {@code aborted}) and closes the mailboxes. Call after {@link #beginDrain}.
     */
    public DrainReport awaitDrained(Duration timeout) {
        long start = System.nanoTime();
        Channel<Object> settled;
        int before;
        synchronized (this) {
            if (!draining) {
                throw new IllegalStateException("awaitDrained before beginDrain");
            }
            settled = allSettled;
            before = inFlight;
        }
        boolean allDone = Select.select(
                Select.receiveOk(settled).map(r -> true),
                Select.timeout(timeout).map(v -> false));
        int aborted = 0;
        if (!allDone) {
            List<JobRecord> left = new ArrayList<>(live);
            for (JobRecord job : left) {
                if (complete(job, new JobRecord.Outcome(JobStatus.ABORTED, null, JobError.aborted()))) {
                    aborted++;
                    this.aborted.incrementAndGet();
                }
            }
        }
        actors.values().forEach(HandlerActor::close);
        return new DrainReport(Math.max(0, before - aborted), aborted, Duration.ofNanos(System.nanoTime() - start));
    }
}
