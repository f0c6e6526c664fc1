package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.JobHandler;
import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.time.Time;
import dev.gonode.runtime.time.Timer;
import java.time.Duration;
import java.time.Instant;
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
 *   <li><b>Retries</b> ({@link #settle}): an attempt that ends in a handler failure or its
 *       deadline, with attempts left, does not settle the job. On the memory store the job is
 *       handed to a timer ({@link #scheduleDue}) that offers it to its actor again after the
 *       backoff, with a new attempt number and context; its callers stay registered, so a waiting
 *       caller waits across retries. On the shared queue the attempt is written as
 *       {@code retryable} and any node claims the job when it is due. The last attempt's failure
 *       settles the job {@link Outcome.Discarded} (or, for a handler with one attempt, as it is). A
 *       job that succeeds takes none of this path: it costs a type test.</li>
 *   <li><b>Due times on the memory store.</b> A scheduled job and a job waiting for its retry are
 *       live and in flight (the drain waits for them) and sit in {@link #dueJobs} with their timer.
 *       When the drain begins to wait ({@link #awaitDrained}) every one due after the drain
 *       deadline is aborted at once (it could not run before the node stops; its answer says it is
 *       safe to send elsewhere), and a retry scheduled later that would fall due after the
 *       deadline is aborted instead; those due before the deadline run, and the drain waits for
 *       them. A cancelled or aborted job's timer is stopped with it.</li>
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

        /** The shared job store cannot be reached; {@code store} names it for the answer. */
        record StoreUnavailable(String store) implements Submission {
        }

        /** The shared job store refuses the payload (PostgreSQL's jsonb cannot hold it); {@code reason} says why. */
        record Unstorable(String reason) implements Submission {
        }
    }

    /** What {@link #cancel(String)} did. */
    public sealed interface CancelResult {
        /** The job was queued, scheduled, waiting for a retry or running, and is cancelled now. */
        record Cancelled(JobRecord job) implements CancelResult {
        }

        /** No job has that id (or it was pruned). */
        record NotFound() implements CancelResult {
        }

        /** The job had ended already, with {@code status}. */
        record AlreadyFinished(JobStatus status) implements CancelResult {
        }
    }

    /** What {@link #retry(String)} did. */
    public sealed interface RetryResult {
        /** The job is queued again, with its attempts counted afresh and its earlier errors kept. */
        record Retried(JobRecord job) implements RetryResult {
        }

        /** No job has that id (or it was pruned). */
        record NotFound() implements RetryResult {
        }

        /**
         * The job is not one that can be retried: it has not ended ({@code queued}, {@code scheduled},
         * {@code retryable}, {@code running}) or it succeeded; {@code status} says which.
         */
        record NotRetryable(JobStatus status) implements RetryResult {
        }

        /** The node is draining and takes no jobs. */
        record Draining() implements RetryResult {
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
    /** Memory store: jobs waiting for their due time (scheduled, or a retry's backoff), by id. */
    private final ConcurrentHashMap<String, Due> dueJobs = new ConcurrentHashMap<>();
    /** Memory store: the drain's deadline ({@link System#nanoTime}), once {@link #drainDeadlineSet}. */
    private volatile long drainDeadlineNanos;
    private volatile boolean drainDeadlineSet;
    private final ObjectMapper mapper;
    private boolean allSettledClosed; // guarded by this
    /** The fleet's shared queue on {@code jobs.store: postgres}; {@code null} on the memory store. */
    private final FleetJobs fleet;

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
        this(handlers, settings, jobs, store, mapper, events, null);
    }

    /**
     * An engine whose jobs live in the fleet's shared queue when {@code shared} is given (it
     * starts claiming at once), in this node's memory otherwise.
     */
    public JobEngine(Map<String, JobHandler> handlers, Map<String, NodeConfig.Handler> settings, NodeConfig.Jobs jobs,
                     JobStore store, ObjectMapper mapper, JobEvents events, SharedQueue shared) {
        Map<String, HandlerActor> byName = new LinkedHashMap<>();
        settings.forEach((name, config) -> byName.put(name, new HandlerActor(handlers.get(name), config,
                jobs.workerIdleTimeout(), mapper, this::settle, events)));
        this.mapper = mapper;
        this.actors = Collections.unmodifiableMap(byName);
        this.store = store;
        this.events = events;
        this.queuedMaxBytes = jobs.queuedMaxBytes();
        this.fleet = shared == null ? null : new FleetJobs(this, actors, shared.queue(), jobs.postgres(), shared.owner(),
                jobs.resultsTtl(), mapper, events, shared.events());
        if (fleet != null) {
            fleet.start();
        }
    }

    /**
     * The shared queue a fleet's engines use: the queue, the name this node claims jobs under,
     * and where queue metrics go.
     */
    public record SharedQueue(dev.gonode.node.internal.store.postgres.PostgresJobQueue queue, String owner,
                              QueueEvents events) {
    }

    /**
     * Whether {@link #submit} and {@link #job} block on a database ({@code jobs.store: postgres}):
     * then call them from a goroutine, never an event loop.
     */
    public boolean blocks() {
        return fleet != null;
    }

    /** Whether the job store answers, or has been unreachable for less than {@code jobs.postgres.unavailable-grace}. */
    public boolean storeReady() {
        return fleet == null || fleet.ready();
    }

    /** Whether the last job store operation succeeded (always on the memory store). */
    public boolean storeUp() {
        return fleet == null || fleet.up();
    }

    /** Fleet-wide jobs of {@code handler} in queue state {@code state} (a {@code gonode_job.state}), as last counted; 0 on memory. */
    public long queueDepth(String handler, String state) {
        return fleet == null ? 0 : fleet.depth(handler,
                dev.gonode.node.internal.store.postgres.JobState.fromDb(state));
    }

    /** Seconds the oldest available job of {@code handler} has waited, fleet-wide, as last read; 0 on memory. */
    public double oldestAvailableAge(String handler) {
        return fleet == null ? 0 : fleet.oldestAvailableAge(handler);
    }

    /** Stops the shared queue's loops and closes it, after the drain; nothing on the memory store. */
    public void closeStore() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /** The configured handler names, in configuration order. */
    public List<String> handlerNames() {
        return List.copyOf(actors.keySet());
    }

    /**
     * The job with this id, or {@code null}. On the shared queue this reads the database (see
     * {@link #blocks}) and throws {@code StoreException} when it cannot.
     */
    public JobRecord job(String id) {
        return fleet == null ? store.get(id) : fleet.lookup(id);
    }

    /** The job this node runs or queues now with this id ({@code null}: none), for an operator's cancel. */
    JobRecord liveJob(String id) {
        return live.get(id);
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
        return submit(handler, payload, payloadBytes, timeout, idempotencyKey, true);
    }

    /**
     * {@link #submit(String, JsonNode, int, Duration, String)}, saying whether the caller waits for
     * the result ({@code wait}): on the shared queue a waited-for job runs on this node when its
     * handler has a free slot. On the shared queue this blocks (see {@link #blocks}).
     */
    public Submission submit(String handler, JsonNode payload, int payloadBytes, Duration timeout,
                             String idempotencyKey, boolean wait) {
        return submit(handler, payload, payloadBytes, timeout, idempotencyKey, wait, null);
    }

    /**
     * {@link #submit(String, JsonNode, int, Duration, String, boolean)} for a job due after
     * {@code delay} ({@code null}: at once). A scheduled job waits as {@code scheduled}; its
     * deadline counts from when it is due. The caller does not wait for a scheduled job. A
     * handler with a uniqueness window ({@code unique-for}) gives a job without an idempotency key
     * one made of its payload and window, so a repeat within the window is a {@link Submission.Duplicate}.
     */
    public Submission submit(String handler, JsonNode payload, int payloadBytes, Duration timeout,
                             String idempotencyKey, boolean wait, Duration delay) {
        HandlerActor actor = actors.get(handler);
        if (actor != null && idempotencyKey == null && !actor.settings().uniqueFor().isZero()) {
            idempotencyKey = UniqueKeys.of(mapper, payload, actor.settings().uniqueFor());
        }
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
        if (fleet != null) {
            inFlightBytes.addAndGet(-payloadBytes); // a job waiting in the shared queue holds no memory here
            return fleet.submit(actor, payload, payloadBytes, timeout, idempotencyKey, wait, delay);
        }
        int maxAttempts = actor.settings().maxAttempts();
        JobRecord record = delay == null
                ? new JobRecord(newId(), handler, payload, payloadBytes, idempotencyKey, timeout, maxAttempts)
                : new JobRecord(newId(), handler, payload, payloadBytes, idempotencyKey, timeout, maxAttempts,
                        Instant.now().plus(delay));
        JobRecord existing = store.addOrGetExisting(record);
        if (existing != record) {
            abandon(record);
            return new Submission.Duplicate(existing);
        }
        live.put(record.id(), record);
        record.retainPayloadOnFailure();
        if (delay != null) {
            events.accepted(record);
            scheduleDue(record, delay);
            return new Submission.Accepted(record);
        }
        armDeadline(record);
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
        record.decide(Outcome.Cancelled.CALLER_WENT_AWAY);
        record.release();
        inFlightBytes.addAndGet(-record.payloadBytes());
        leaveFlight();
    }

    /** The caller of {@code job} went away before its answer: call the job off if it is still live. */
    public void cancel(JobRecord job) {
        if (fleet == null || fleet.runsHere(job)) {
            settle(job, Outcome.Cancelled.CALLER_WENT_AWAY);
        }
    }

    /**
     * Cancels the job with this id wherever it is ({@code DELETE /v1/jobs/{id}}): a queued,
     * scheduled or retry-waiting job at once; a running one by cancelling its context, on
     * whichever node runs it (on the shared queue the row ends {@code cancelled} now and its
     * owner is notified). Callers waiting for it are answered {@code cancelled}. On the shared
     * queue this blocks (see {@link #blocks}).
     */
    public CancelResult cancel(String id) {
        if (fleet != null) {
            return fleet.cancel(id);
        }
        JobRecord job = store.get(id);
        if (job == null) {
            return new CancelResult.NotFound();
        }
        if (settle(job, JobRecord.ANY_ATTEMPT, Outcome.Cancelled.BY_REQUEST)) {
            return new CancelResult.Cancelled(job);
        }
        return new CancelResult.AlreadyFinished(job.status());
    }

    /**
     * Runs a job that ended unsuccessfully ({@code failed}, {@code discarded}, {@code cancelled},
     * {@code aborted}) again, keeping its id and its earlier errors, with its attempts counted
     * afresh; it is queued at once. On the shared queue this blocks (see {@link #blocks}).
     */
    public RetryResult retry(String id) {
        if (fleet != null) {
            return fleet.retry(id);
        }
        JobRecord job = store.get(id);
        if (job == null) {
            return new RetryResult.NotFound();
        }
        if (!enterFlight()) {
            return new RetryResult.Draining();
        }
        if (!job.reopen()) {
            leaveFlight();
            return new RetryResult.NotRetryable(job.status());
        }
        if (!store.reopen(job)) { // forgotten between the lookup and now
            job.decide(new Outcome.Aborted());
            job.release();
            leaveFlight();
            return new RetryResult.NotFound();
        }
        live.put(job.id(), job);
        inFlightBytes.addAndGet(job.payloadBytes());
        scheduleDue(job, Duration.ZERO);
        return new RetryResult.Retried(job);
    }

    /** Shared queue: a job that runs here was cancelled elsewhere; end it (its row is cancelled already). */
    void cancelledElsewhere(JobRecord job) {
        settle(job, JobRecord.ANY_ATTEMPT, Outcome.Cancelled.BY_REQUEST);
    }

    /** Settles {@code job} with {@code outcome} unless it is settled already; returns whether it did. */
    boolean settle(JobRecord job, Outcome outcome) {
        return settle(job, JobRecord.ANY_ATTEMPT, outcome);
    }

    /**
     * Ends attempt {@code attempt} of {@code job} ({@link JobRecord#ANY_ATTEMPT}: from outside
     * the attempts, which is never retried) with {@code outcome}: a retry when the outcome is
     * retriable and attempts are left, otherwise the job's final outcome. Returns whether this
     * call counted (false: the job or the attempt had ended already).
     */
    boolean settle(JobRecord job, int attempt, Outcome outcome) {
        if (outcome.retriable() && attempt != JobRecord.ANY_ATTEMPT) {
            if (job.attempt() < job.maxAttempts()) {
                Duration delay = backoff(actors.get(job.handler()).settings(), job.attempt());
                if (fleet == null) {
                    return retryLater(job, attempt, outcome, delay);
                }
                outcome = new Outcome.RetryScheduled(outcome, delay); // written as retryable; any node runs it
            } else if (job.maxAttempts() > 1) {
                outcome = new Outcome.Discarded(outcome, job.maxAttempts());
            }
        }
        AttemptError error = attempt == JobRecord.ANY_ATTEMPT || outcome instanceof Outcome.Succeeded
                || outcome instanceof Outcome.RetryScheduled ? null
                : AttemptError.of(job.attempt(), outcome instanceof Outcome.Discarded d ? d.last() : outcome);
        if (!job.decide(attempt, outcome, error)) {
            return false;
        }
        if (job.waitsForDueTime()) {
            Due due = dueJobs.remove(job.id());
            if (due != null) {
                due.stop();
            }
        }
        live.remove(job.id());
        inFlightBytes.addAndGet(-job.payloadBytes());
        if (fleet != null) {
            fleet.finished(job); // writes the outcome, then calls afterWrite
            return true;
        }
        store.finished(job);
        events.settled(job);
        job.release();
        leaveFlight();
        return true;
    }

    /** Arms the hook that settles the job's current attempt when that attempt's deadline passes. */
    void armDeadline(JobRecord job) {
        int attempt = job.attemptToken();
        Context attemptContext = job.context();
        job.deadlineHook(Context.afterFunc(attemptContext, () -> {
            if (attemptContext.err() == Context.DEADLINE_EXCEEDED) {
                settle(job, attempt, new Outcome.DeadlineExceeded(job.timeout()));
            }
        }));
    }

    /**
     * The delay before the retry that follows failed attempt {@code attempt} (from 1):
     * exponential with "equal jitter": the step {@code d = min(backoff-max, backoff * 2^(attempt-1))},
     * then a uniform pick from {@code [d/2, d]}, so retries of many jobs that failed together
     * spread out, and no retry comes sooner than half its step.
     */
    static Duration backoff(NodeConfig.Handler handler, int attempt) {
        long step = backoffStep(handler, attempt).toNanos();
        long half = step / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(step - half + 1));
    }

    /** The step of {@link #backoff} for failed attempt {@code attempt}: the most the retry waits. */
    static Duration backoffStep(NodeConfig.Handler handler, int attempt) {
        long base = handler.backoff().toNanos();
        long cap = handler.backoffMax().toNanos();
        int doublings = Math.max(0, attempt - 1);
        return Duration.ofNanos(doublings >= 62 || base > (cap >> doublings) ? cap : base << doublings);
    }

    /**
     * The longest a job that is at attempt {@code attempt} can take to end, with every attempt
     * using its whole deadline and every retry its whole backoff step: how long a synchronous
     * caller may wait for it.
     */
    static Duration retryBudget(NodeConfig.Handler handler, Duration timeout, int attempt, int maxAttempts) {
        Duration budget = timeout;
        for (int failed = Math.max(1, attempt); failed < maxAttempts; failed++) {
            budget = budget.plus(backoffStep(handler, failed)).plus(timeout);
        }
        return budget;
    }

    /** Memory store: attempt {@code attempt} failed with {@code failure}; run the job again after {@code delay}. */
    private boolean retryLater(JobRecord job, int attempt, Outcome failure, Duration delay) {
        if (!job.endAttempt(attempt, AttemptError.of(job.attempt(), failure))) {
            return false;
        }
        events.retried(job);
        scheduleDue(job, delay);
        return true;
    }

    /** A memory-store job waiting for its due time, with its timer. */
    private static final class Due {
        final long atNanos;
        volatile Timer timer;

        Due(long atNanos) {
            this.atNanos = atNanos;
        }

        void stop() {
            Timer t = timer;
            if (t != null) {
                t.stop();
            }
        }
    }

    /**
     * Memory store: offers {@code job} to its actor after {@code delay}, as a new attempt; aborts
     * it instead when a drain will have stopped the node by then (see the notes).
     */
    private void scheduleDue(JobRecord job, Duration delay) {
        Due due = new Due(System.nanoTime() + delay.toNanos());
        job.dueAt(Instant.now().plus(delay));
        dueJobs.put(job.id(), due);
        if (drainDeadlineSet && due.atNanos - drainDeadlineNanos > 0) {
            settle(job, JobRecord.ANY_ATTEMPT, new Outcome.Aborted());
            return;
        }
        due.timer = Time.afterFunc(delay, () -> becomeDue(job, due));
        if (job.outcome() != null) {
            due.stop(); // settled while the timer was being made
        }
    }

    /** On the timer's goroutine: the job is due; it starts its next attempt in its mailbox, waiting for room. */
    private void becomeDue(JobRecord job, Due due) {
        dueJobs.remove(job.id(), due);
        if (job.beginAttempt() == 0) {
            return; // cancelled or aborted while it waited
        }
        armDeadline(job);
        try {
            actors.get(job.handler()).put(job);
        } catch (RuntimeException closed) {
            // The drain closed the mailboxes: it settled every live job first, this one included.
            settle(job, JobRecord.ANY_ATTEMPT, new Outcome.Aborted());
        }
    }

    /** Shared queue: a local job's outcome is written (or kept for a retry); answer its callers. */
    void afterWrite(JobRecord job) {
        events.settled(job);
        job.release();
        leaveFlight();
    }

    /** Shared queue: counts one more job in flight unless a drain has begun; whether it did. */
    boolean enterFlight() {
        inFlight.incrementAndGet();
        if (draining) {
            leaveFlight();
            return false;
        }
        return true;
    }

    /** Shared queue: counts a claimed job in flight (the claim's own count keeps a drain waiting meanwhile). */
    void enterFlightClaimed() {
        inFlight.incrementAndGet();
    }

    /** Shared queue: a claimed job joins the live jobs and the in-flight bytes. */
    void adoptLive(JobRecord job) {
        live.put(job.id(), job);
        inFlightBytes.addAndGet(job.payloadBytes());
    }

    /** Shared queue: a job handed back at the drain leaves the live jobs. */
    void forgetLive(JobRecord job) {
        live.remove(job.id());
        inFlightBytes.addAndGet(-job.payloadBytes());
    }

    void leaveFlight() {
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
        int gaveUp = 0;
        if (fleet == null) {
            drainDeadlineNanos = start + timeout.toNanos();
            drainDeadlineSet = true;
            for (Map.Entry<String, Due> waiting : dueJobs.entrySet()) {
                if (waiting.getValue().atNanos - drainDeadlineNanos > 0) {
                    JobRecord job = live.get(waiting.getKey());
                    if (job != null && settle(job, JobRecord.ANY_ATTEMPT, new Outcome.Aborted())) {
                        gaveUp++;
                        aborted.incrementAndGet();
                    }
                }
            }
        }
        boolean allDone = Select.select(
                Select.receiveOk(allSettled).map(r -> true),
                Select.timeout(timeout).map(v -> false));
        if (!allDone && fleet != null) {
            int handedBack = fleet.handBack();
            gaveUp += handedBack;
            aborted.addAndGet(handedBack);
        } else if (!allDone) {
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
