package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.JobHandler;
import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's jobs: the one place that decides whether a submission is accepted, that settles each
 * job exactly once, and that drains.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li><b>Acceptance against the drain</b> is a Dekker-style pair of atomics, with no lock on the
 *       hot path: a submission first counts itself in {@link #inFlight}, then reads
 *       {@link #draining}; the drain first sets {@code draining}, then reads {@code inFlight}. So
 *       either the submission sees the drain and backs out, or the drain sees the submission and
 *       waits for it: the drain cannot miss an accepted job. Whoever brings {@code inFlight} to 0
 *       while draining closes {@link #allSettled}, once.</li>
 *   <li><b>Live jobs</b> ({@link #live}, by id, for the drain's abort) are added before the job is
 *       offered to its actor and removed when it is settled, so a job that finishes before
 *       {@code submit} returns is still removed (the earlier design added after the offer and
 *       leaked such jobs).</li>
 *   <li><b>Settling</b> ({@link #settle}): the first outcome wins ({@link JobRecord#decide}); the
 *       engine then updates its books and the store, reports the event, and only then releases the
 *       job, which runs its completion callbacks (the HTTP layer's answer). A job's deadline is its
 *       context's: a context hook settles it as {@code deadline_exceeded} at once, whether or not
 *       the handler notices; on any other settlement the hook is unregistered, so the success path
 *       starts no goroutine.</li>
 *   <li><b>Bytes</b>: the payload bytes of accepted, unsettled jobs are bounded by
 *       {@code jobs.queued-max-bytes} (a submission over it is refused as {@code queue_full}), and
 *       the store bounds what finished jobs keep; with the counts of mailboxes, memory stays bounded
 *       in bytes.</li>
 * </ul>
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

        /** The payloads of the node's unfinished jobs reach {@code jobs.queued-max-bytes}. */
        record QueueFull(long maxBytes) implements Submission {
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
    private final JobEvents events;
    private final long queuedMaxBytes;
    private final ConcurrentHashMap<String, JobRecord> live = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicInteger aborted = new AtomicInteger();
    private volatile boolean draining;
    private final Channel<Object> allSettled = Channel.make();
    private boolean allSettledClosed; // guarded by this

    /**
     * @param handlers       the handler implementations by name
     * @param settings       each handler's actor settings, in configuration order
     * @param jobs           the node's job settings (worker idle timeout, byte bounds)
     * @param store          where jobs are kept for lookups and idempotency
     * @param mapper         writes results as JSON
     * @param events         metrics and JFR
     */
    public JobEngine(Map<String, JobHandler> handlers, Map<String, NodeConfig.Handler> settings, NodeConfig.Jobs jobs,
                     JobStore store, ObjectMapper mapper, JobEvents events) {
        Map<String, HandlerActor> byName = new LinkedHashMap<>();
        settings.forEach((name, config) -> byName.put(name, new HandlerActor(handlers.get(name), config,
                jobs.workerIdleTimeout(), mapper, this::settle, events)));
        this.actors = Collections.unmodifiableMap(byName);
        this.store = store;
        this.events = events;
        this.queuedMaxBytes = jobs.queuedMaxBytes();
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
        return draining;
    }

    /** Jobs accepted and not yet settled. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Payload bytes of the jobs accepted and not yet settled. */
    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    /** Jobs accepted and not yet settled, as the drain sees them (0 once all are settled). */
    public int liveJobs() {
        return live.size();
    }

    /** Jobs waiting in all mailboxes now. */
    public int queued() {
        return actors.values().stream().mapToInt(HandlerActor::queued).sum();
    }

    /** Jobs the drain gave up on (aborted) so far. */
    public int aborted() {
        return aborted.get();
    }

    /** Jobs waiting in {@code handler}'s mailbox now; 0 for an unknown handler. */
    public int mailboxLength(String handler) {
        HandlerActor actor = actors.get(handler);
        return actor == null ? 0 : actor.queued();
    }

    /** The capacity of {@code handler}'s mailbox; 0 for an unknown handler. */
    public int mailboxCapacity(String handler) {
        HandlerActor actor = actors.get(handler);
        return actor == null ? 0 : actor.capacity();
    }

    /** Workers of {@code handler} running a job ({@code busy}) or waiting for one. */
    public int workers(String handler, boolean busy) {
        HandlerActor actor = actors.get(handler);
        return actor == null ? 0 : busy ? actor.busyWorkers() : actor.idleWorkers();
    }

    /** The default timeout of {@code handler}, or {@code null} if there is no such handler. */
    public Duration defaultTimeout(String handler) {
        HandlerActor actor = actors.get(handler);
        return actor == null ? null : actor.settings().timeout();
    }

    /**
     * Submits a job: refused if the handler is unknown, the node drains, the handler's mailbox is
     * full or the node's unfinished payloads reach their byte bound; otherwise queued.
     *
     * @param payloadBytes   the size of the request body the payload was read from
     * @param timeout        the job's deadline from now
     * @param idempotencyKey may be {@code null}
     */
    public Submission submit(String handler, JsonNode payload, int payloadBytes, Duration timeout,
                             String idempotencyKey) {
        HandlerActor actor = actors.get(handler);
        if (actor == null) {
            return new Submission.UnknownHandler(handlerNames());
        }
        inFlight.incrementAndGet();
        if (draining) {
            leaveFlight();
            events.rejected(handler, "draining");
            return new Submission.Draining();
        }
        if (inFlightBytes.addAndGet(payloadBytes) > queuedMaxBytes) {
            inFlightBytes.addAndGet(-payloadBytes);
            leaveFlight();
            events.rejected(handler, "queue_full");
            return new Submission.QueueFull(queuedMaxBytes);
        }
        JobRecord record = new JobRecord(newId(), handler, payload, payloadBytes, idempotencyKey, timeout);
        JobRecord existing = store.addOrGetExisting(record);
        if (existing != record) {
            abandon(record);
            return new Submission.Duplicate(existing);
        }
        live.put(record.id(), record);
        record.deadlineHook(Context.afterFunc(record.context(), () -> {
            if (record.context().err() == Context.DEADLINE_EXCEEDED) {
                settle(record, new Outcome.DeadlineExceeded(record.timeout()));
            }
        }));
        if (!actor.offer(record)) {
            live.remove(record.id());
            store.remove(record);
            abandon(record);
            events.rejected(handler, "mailbox_full");
            return new Submission.MailboxFull(actor.capacity());
        }
        events.accepted(record);
        return new Submission.Accepted(record);
    }

    /** Undoes the books of a record that was made but not accepted. */
    private void abandon(JobRecord record) {
        record.decide(new Outcome.Cancelled());
        record.release();
        inFlightBytes.addAndGet(-record.payloadBytes());
        leaveFlight();
    }

    /** The caller of {@code job} went away before its answer: call the job off if it is still live. */
    public void cancel(JobRecord job) {
        settle(job, new Outcome.Cancelled());
    }

    /** Settles {@code job} with {@code outcome} unless it is settled already; returns whether it did. */
    boolean settle(JobRecord job, Outcome outcome) {
        if (!job.decide(outcome)) {
            return false;
        }
        live.remove(job.id());
        inFlightBytes.addAndGet(-job.payloadBytes());
        store.finished(job);
        events.settled(job);
        job.release();
        leaveFlight();
        return true;
    }

    private void leaveFlight() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            closeAllSettled();
        }
    }

    private synchronized void closeAllSettled() {
        if (!allSettledClosed) {
            allSettledClosed = true;
            allSettled.close();
        }
    }

    /**
     * Refuses new jobs from now on (idempotent). Returns immediately; {@link #awaitDrained} waits
     * for the jobs already accepted.
     */
    public void beginDrain() {
        draining = true;
        if (inFlight.get() == 0) {
            closeAllSettled();
        }
    }

    /**
     * Waits up to {@code timeout} for every accepted job to settle, then aborts the rest (their
     * callers get 503 {@code aborted}) and closes the mailboxes. Call after {@link #beginDrain}.
     */
    public DrainReport awaitDrained(Duration timeout) {
        if (!draining) {
            throw new IllegalStateException("awaitDrained before beginDrain");
        }
        long start = System.nanoTime();
        int before = inFlight.get();
        boolean allDone = Select.select(
                Select.receiveOk(allSettled).map(r -> true),
                Select.timeout(timeout).map(v -> false));
        int gaveUp = 0;
        if (!allDone) {
            for (JobRecord job : new ArrayList<>(live.values())) {
                if (settle(job, new Outcome.Aborted())) {
                    gaveUp++;
                    aborted.incrementAndGet();
                }
            }
        }
        actors.values().forEach(HandlerActor::close);
        return new DrainReport(Math.max(0, before - gaveUp), gaveUp, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * A job id: a version-7 UUID (RFC 9562), time-ordered so ids sort by creation and index well
     * in a database, from {@link ThreadLocalRandom} (a job id is a name, not a secret; the JDK's
     * {@code randomUUID} serialises every caller on one SecureRandom).
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
