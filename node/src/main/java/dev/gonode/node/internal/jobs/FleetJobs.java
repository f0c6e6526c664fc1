package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.internal.store.postgres.JobState;
import dev.gonode.node.internal.store.postgres.Lease;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue;
import dev.gonode.node.internal.store.postgres.QueueListener;
import dev.gonode.node.internal.store.postgres.StoreException;
import dev.gonode.node.internal.store.postgres.StoreUnavailableException;
import dev.gonode.node.internal.store.postgres.StoredJob;
import dev.gonode.node.internal.store.postgres.BatchCompleter;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.sync.WaitGroup;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of {@code jobs.store: postgres}: jobs live in the fleet's shared queue
 * ({@link PostgresJobQueue}), and this node enqueues them, claims and runs them on its handler
 * actors, renews their leases, writes how they ended, hands them back on drain, and answers
 * callers waiting for jobs that run on other nodes. The {@link JobEngine} still decides
 * acceptance and drain; every call here that touches the database blocks, so the HTTP edge calls
 * the engine from a goroutine on this store.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li><b>Accepting.</b> A committed row is an accepted job. A synchronous job whose handler has
 *       a free slot is inserted and claimed by this node in one transaction
 *       ({@link PostgresJobQueue#enqueueAndClaim}): it runs here, with no hop through another
 *       node, and the notification that wakes other claimers arrives when it already runs. Any
 *       other job is only inserted; some node's claimer takes it. The table's unique constraint
 *       makes an {@code Idempotency-Key} one job across the fleet: a repeat gets the first row.</li>
 *   <li><b>Claiming.</b> One claimer goroutine per handler keeps at most {@link #capacityOf}
 *       jobs of it on this node (its concurrency, plus as many again waiting in its mailbox so
 *       workers never idle for a claim's round trip): it claims the free slots in one query
 *       ({@code FOR UPDATE SKIP LOCKED}), and sleeps until a notification says jobs arrived, a
 *       local job ends (a slot frees; it then claims once half its slots are free, so claims stay
 *       batches under load), or the poll interval passes. Slots are reserved before the
 *       query and counted in the engine's in-flight jobs, so a drain that begins meanwhile waits
 *       for what the query returns.</li>
 *   <li><b>Ending.</b> A local job's outcome is decided once, as on the memory store; then it is
 *       written with its lease as the fencing token through a {@link BatchCompleter} (many jobs,
 *       one statement), and only then is the caller answered, so a client that got its answer
 *       reads the same from any node. If the write fails (the database is away) the caller is
 *       answered anyway and the write is retried every poll interval until it lands or the lease
 *       is found taken (another node ran the job again: at-least-once).</li>
 *   <li><b>Waiting on other nodes.</b> A synchronous caller whose job runs elsewhere waits on a
 *       local stand-in record, one per job id ({@link #waits}). {@code NOTIFY gonode_job_settled}
 *       names ended jobs; the waiter goroutine reads those rows and settles the stand-ins, and
 *       every poll interval it reads all waited rows, in case a notification was lost. At the
 *       caller's deadline a job still waiting for a claim is ended {@code deadline_exceeded} in the
 *       table (so the answer and the row agree); one running elsewhere gets one more timeout for
 *       its runner's own deadline to end it.</li>
 *   <li><b>Leases.</b> The renewer extends the leases of local jobs every third of the lease. A
 *       lease found taken is logged; the job's completion will be refused by its fencing token.
 *       A lease lost because the job was cancelled ends the local job, in case the cancel's
 *       notification was missed.</li>
 *   <li><b>Retries.</b> An attempt that fails with attempts left is written {@code retryable},
 *       due after its backoff, and any node's claimer takes it then (claimers poll, so it starts
 *       within a poll interval of its due time). A caller waiting for the job on this node is
 *       moved from the attempt's record to a stand-in that waits for the row, as for a job that
 *       runs elsewhere; a stand-in waits at most the job's retry budget
 *       ({@link JobEngine#retryBudget}).</li>
 *   <li><b>Cancel.</b> {@code DELETE} ends the row {@code cancelled} in one transaction and
 *       notifies {@code gonode_job_cancelled} when it ran; the owner cancels the job's context,
 *       and its completion, fenced on a running row, changes nothing.</li>
 *   <li><b>Drain.</b> Claimers stop at once. At the drain timeout the engine calls
 *       {@link #handBack}: local unfinished jobs are decided {@link Outcome.Released} (which the
 *       worker can no longer overwrite), released in the table in one statement (attempt given
 *       back, claimers woken), and their callers answered 503 {@code released}; stand-ins get the
 *       same answer. A claim or enqueue still in flight then finds the job's mailbox closed
 *       (or {@link #handedBack} set) and hands its jobs back itself: the volatile flag, written
 *       before {@code handBack} reads {@link #held} and read after {@code adopt} writes it, makes
 *       sure one of the two sees each job, and {@link JobRecord#decide} that only one releases it.</li>
 *   <li><b>Store health.</b> Every operation reports success or failure; the time of the first
 *       failure since the last success tells {@code /readyz} (not ready after
 *       {@code unavailable-grace}) and {@code gonode_store_up}.</li>
 * </ul>
 */
final class FleetJobs {

    private static final Logger LOG = LoggerFactory.getLogger(FleetJobs.class);

    /** The most jobs one claim query takes. */
    private static final int MAX_CLAIM = 500;
    private static final Duration STATS_INTERVAL = Duration.ofSeconds(5);
    private static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);

    /** A job this node claimed and runs (or ran, until its end is written). */
    private record Held(JobRecord job, Lease lease, Claimer claimer) {
    }

    /** A write that failed while the database was away, retried every poll interval. */
    private record PendingWrite(Lease lease, dev.gonode.node.internal.store.postgres.Outcome outcome) {
    }

    private final JobEngine engine;
    private final PostgresJobQueue queue;
    private final NodeConfig.Postgres settings;
    private final String owner;
    private final Duration resultsTtl;
    private final ObjectMapper mapper;
    private final JobEvents jobEvents;
    private final QueueEvents events;
    private final Map<String, Claimer> claimers = new LinkedHashMap<>();
    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, JobRecord> waits = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<PendingWrite> pendingWrites = new ConcurrentLinkedQueue<>();
    private final Channel<List<UUID>> settledHints = Channel.make(256);
    private final Channel<Object> stop = Channel.make();
    private final WaitGroup loops = new WaitGroup();
    private final BatchCompleter completer;
    private volatile long unreachableSinceNanos; // 0 while the store answers
    /** Set by {@link #handBack}: the mailboxes close, and a job claimed from now on goes straight back. */
    private volatile boolean handedBack;
    private volatile List<PostgresJobQueue.Depth> depth = List.of();
    private volatile Map<String, Double> oldestAvailable = Map.of();
    private QueueListener listener;

    FleetJobs(JobEngine engine, Map<String, HandlerActor> actors, PostgresJobQueue queue, NodeConfig.Postgres settings,
              String owner, Duration resultsTtl, ObjectMapper mapper, JobEvents jobEvents, QueueEvents events) {
        this.engine = engine;
        this.queue = queue;
        this.settings = settings;
        this.owner = owner;
        this.resultsTtl = resultsTtl;
        this.mapper = mapper;
        this.jobEvents = jobEvents;
        this.events = events;
        actors.forEach((name, actor) -> claimers.put(name, new Claimer(actor)));
        this.completer = new BatchCompleter(queue, 500);
    }

    /** Starts the claimers, the listener and the upkeep loops. */
    void start() {
        listener = queue.listen(new QueueListener.Events() {
            @Override
            public void jobsAvailable(String handler) {
                Claimer claimer = claimers.get(handler);
                if (claimer != null) {
                    claimer.wake();
                }
            }

            @Override
            public void jobsSettled(List<UUID> ids) {
                List<UUID> waited = ids.stream().filter(id -> waits.containsKey(id.toString())).toList();
                if (!waited.isEmpty()) {
                    settledHints.trySend(waited); // if full, the next poll reads every waited row
                }
            }

            @Override
            public void jobsCancelled(List<UUID> ids) {
                for (UUID id : ids) {
                    Held h = held.get(id.toString());
                    if (h != null) {
                        Go.go("job cancel " + id, () -> engine.cancelledElsewhere(h.job()));
                    }
                }
            }

            @Override
            public void listening() {
                claimers.values().forEach(Claimer::wake);
                settledHints.trySend(List.of()); // anything may have ended meanwhile: read every waited row
            }

            @Override
            public void lost(StoreUnavailableException cause) {
                unreachable("listen");
                LOG.warn("{}", cause.getMessage());
            }
        });
        claimers.values().forEach(c -> loops.go("claimer " + c.actor.name(), c::run));
        loops.go("job store waiter", this::waitLoop);
        loops.go("job store lease renewer", this::renewLoop);
        loops.go("job store upkeep", this::upkeepLoop);
    }

    // ---------------------------------------------------------------- accepting

    /**
     * Enqueues a job the engine accepted (counted in flight by the caller, which this method
     * takes over). Blocks on the database.
     */
    JobEngine.Submission submit(HandlerActor actor, JsonNode payload, int payloadBytes, Duration timeout, String key,
                                boolean wait, Duration delay) {
        String json;
        try {
            json = mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            engine.leaveFlight();
            return new JobEngine.Submission.Unstorable(e.getOriginalMessage());
        }
        Claimer claimer = claimers.get(actor.name());
        boolean runHere = wait && delay == null && claimer.reserve(1);
        int maxAttempts = actor.settings().maxAttempts();
        PostgresJobQueue.Enqueued enqueued;
        try {
            enqueued = runHere
                    ? queue.enqueueAndClaim(actor.name(), json, key, timeout, maxAttempts, owner, settings.lease())
                    : queue.enqueue(actor.name(), json, key, timeout, maxAttempts, delay == null ? Duration.ZERO : delay);
            reachable();
        } catch (StoreException e) {
            if (runHere) {
                claimer.unreserve(1);
            }
            engine.leaveFlight();
            String unstorable = unstorable(e);
            if (unstorable != null) {
                return new JobEngine.Submission.Unstorable(unstorable);
            }
            failed("enqueue", e);
            if (e instanceof StoreUnavailableException) {
                return new JobEngine.Submission.StoreUnavailable("PostgreSQL");
            }
            throw e;
        }
        StoredJob row = enqueued.job();
        if (runHere && enqueued.inserted() && row.state() == JobState.RUNNING) {
            JobRecord job = adopt(row, claimer, payload, payloadBytes, timeout);
            return new JobEngine.Submission.Accepted(job);
        }
        if (runHere) {
            claimer.unreserve(1);
        }
        JobRecord view = wait && !row.state().isFinal() ? awaitElsewhere(row, waitBudget(row, timeout))
                : snapshotLeavingFlight(row);
        return enqueued.inserted() ? new JobEngine.Submission.Accepted(view) : new JobEngine.Submission.Duplicate(view);
    }

    /**
     * How long a caller waits for a row's job, at most: its first attempt's deadline alone when it
     * has no retries (as before retries existed), otherwise its remaining attempts' deadlines and
     * backoff steps, plus a claim's delay per retry ({@link #claimSlack}).
     */
    private Duration waitBudget(StoredJob row, Duration timeout) {
        HandlerActor actor = claimers.get(row.handler()).actor;
        Duration deadline = timeout != null ? timeout : row.timeout() != null ? row.timeout() : actor.settings().timeout();
        int retriesLeft = row.maxAttempts() - Math.max(1, row.attempt());
        return JobEngine.retryBudget(actor.settings(), deadline, row.attempt(), row.maxAttempts())
                .plus(retriesLeft > 0 ? claimSlack(retriesLeft) : Duration.ZERO);
    }

    /** What {@code retries} retries may add to a wait beyond their backoffs: a poll interval each (retries are not notified) and a second. */
    private Duration claimSlack(int retries) {
        return settings.pollInterval().multipliedBy(Math.max(0, retries)).plus(Duration.ofSeconds(1));
    }

    private JobRecord snapshotLeavingFlight(StoredJob row) {
        engine.leaveFlight();
        return snapshot(row);
    }

    /** The reason a payload cannot be stored (PostgreSQL's jsonb refuses it), or {@code null} for any other failure. */
    private static String unstorable(StoreException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("54"))) {
                return "the payload cannot be stored in the job queue: " + sql.getMessage().lines().findFirst().orElse("");
            }
        }
        return null;
    }

    /**
     * The stand-in a synchronous caller waits on for a job that runs (or will run) on any node;
     * callers of the same job share one, counted once in flight.
     */
    private JobRecord awaitElsewhere(StoredJob row, Duration timeout) {
        return awaitElsewhere(row.id().toString(), row.handler(), row.idempotencyKey(), timeout, row.createdAt());
    }

    private JobRecord awaitElsewhere(String id, String handler, String key, Duration timeout, java.time.Instant createdAt) {
        JobRecord fresh = new JobRecord(id, handler, key, timeout, createdAt);
        JobRecord shadow = waits.putIfAbsent(id, fresh);
        if (shadow != null) {
            engine.leaveFlight();
            return shadow;
        }
        fresh.deadlineHook(Context.afterFunc(fresh.context(), () -> {
            if (fresh.context().err() == Context.DEADLINE_EXCEEDED) {
                waitDeadlinePassed(fresh);
            }
        }));
        return fresh;
    }

    private void waitDeadlinePassed(JobRecord shadow) {
        Outcome late = new Outcome.DeadlineExceeded(shadow.timeout());
        try {
            if (queue.failIfWaiting(UUID.fromString(shadow.id()), errorJson(late))) {
                reachable();
                settleStandIn(shadow, late, null);
                return;
            }
            Optional<StoredJob> row = queue.get(UUID.fromString(shadow.id()));
            reachable();
            if (row.isPresent() && row.get().state().isFinal()) {
                settleStandIn(shadow, outcomeOf(row.get()), row.get());
                return;
            }
            // It runs on some node, whose own deadline for it (counted from its claim) ends it soon.
            Channel<Object> ended = Channel.make();
            shadow.onSettled(j -> ended.close());
            Select.select(Select.receiveOk(ended), Select.timeout(shadow.timeout()));
        } catch (StoreException e) {
            failed("get", e);
        }
        settleStandIn(shadow, late, null);
    }

    private void settleStandIn(JobRecord shadow, Outcome outcome, StoredJob row) {
        if (row != null) {
            shadow.recordTimes(queuedFor(row), ranFor(row));
            shadow.recordAttempts(row.attempt(), row.maxAttempts(), attemptErrors(row));
        }
        if (shadow.decide(outcome)) {
            waits.remove(shadow.id(), shadow);
            shadow.release();
            engine.leaveFlight();
        }
    }

    // ---------------------------------------------------------------- running

    /** Makes a claimed row a local job and gives it to its actor; its slot is reserved and it is counted in flight. */
    private JobRecord adopt(StoredJob row, Claimer claimer, JsonNode payload, int payloadBytes, Duration timeout) {
        Duration deadline = timeout != null ? timeout : row.timeout() != null ? row.timeout()
                : claimer.actor.settings().timeout();
        JobRecord job = new JobRecord(row.id().toString(), row.handler(), payload, payloadBytes, row.idempotencyKey(),
                deadline, row.createdAt(), row.attempt(), row.maxAttempts());
        held.put(job.id(), new Held(job, row.lease(), claimer));
        engine.adoptLive(job);
        engine.armDeadline(job);
        jobEvents.accepted(job);
        // handedBack is read after the held.put above, and handBack sets it before it reads held:
        // either handBack saw this job, or this sees handBack (or both; decide picks one).
        if (handedBack || !claimer.actor.put(job)) {
            handBackLate(held.get(job.id()));
        }
        return job;
    }

    /**
     * A job claimed as the drain timed out, after {@link #handBack} ran (the claim or the enqueue
     * was in flight): its mailbox is closed, so it goes back to the queue at once, unless
     * {@code handBack} took it.
     */
    private void handBackLate(Held h) {
        if (h == null || !h.job().decide(new Outcome.Released())) {
            return;
        }
        try {
            if (queue.release(List.of(h.lease())).contains(h.lease().jobId())) {
                events.released(h.job().handler(), 1);
            }
            reachable();
            LOG.info("drain: handed job {} back to the queue (its claim ended after the drain timeout)", h.job().id());
        } catch (StoreException e) {
            failed("release", e);
            LOG.warn("drain: could not hand job {} back ({}); its lease expires within {} and another node runs it"
                    + " then", h.job().id(), e.getMessage(), settings.lease());
        }
        engine.forgetLive(h.job());
        release(h);
    }

    /** Whether {@code job} is one this node runs (not a stand-in for one elsewhere). */
    boolean runsHere(JobRecord job) {
        return held.get(job.id()) != null;
    }

    /**
     * After the engine decided a local job's outcome: writes it (fenced by the lease), then lets
     * the engine answer the callers. Never blocks.
     */
    void finished(JobRecord job) {
        Held h = held.get(job.id());
        if (h == null) {
            engine.afterWrite(job);
            return;
        }
        dev.gonode.node.internal.store.postgres.Outcome stored = toStored(job.outcome());
        try {
            completer.completeAsync(h.lease(), stored).whenComplete((stillOurs, failure) -> {
                if (failure != null) {
                    failed("complete", failure);
                    pendingWrites.add(new PendingWrite(h.lease(), stored));
                } else {
                    reachable();
                    if (!stillOurs && !(job.outcome() instanceof Outcome.Cancelled)) {
                        LOG.info("job {}: its lease was taken by another node before this one finished it; the other"
                                + " run's end is kept", job.id());
                    }
                }
                release(h);
                if (failure == null && !stillOurs) {
                    answerStandInWithLostRun(job);
                }
            });
        } catch (IllegalStateException closed) {
            pendingWrites.add(new PendingWrite(h.lease(), stored));
            release(h);
        }
    }

    private void release(Held h) {
        held.remove(h.job().id(), h);
        h.claimer().unreserve(1);
        JobRecord job = h.job();
        if (job.outcome() instanceof Outcome.RetryScheduled) {
            retryWritten(job);
            return;
        }
        engine.afterWrite(job);
    }

    /**
     * A local run's end that its lease no longer let it write: a sync caller of this node may wait on
     * a stand-in for this very job (it was enqueued while the claimer held every free slot, and then
     * this node's claimer took it). The row is another node's now and may end much later, so the
     * caller gets this run's end, as a caller of a directly claimed job does (at-least-once).
     */
    private void answerStandInWithLostRun(JobRecord job) {
        JobRecord standIn = waits.get(job.id());
        // Only a final end: a retry's callers already wait on the stand-in for the row (retryWritten),
        // and a released job ends elsewhere.
        Outcome end = job.outcome();
        if (standIn != null && !(end instanceof Outcome.Released) && !(end instanceof Outcome.RetryScheduled)) {
            standIn.recordAttempts(job.attempt(), job.maxAttempts(), job.errors());
            settleStandIn(standIn, end, null);
        }
    }

    /**
     * A local attempt was written as a retry: the job is not over. Its waiting callers, if any,
     * move to a stand-in that waits for the row (which keeps the job's count in flight).
     */
    private void retryWritten(JobRecord attempt) {
        jobEvents.retried(attempt);
        List<java.util.function.Consumer<JobRecord>> callers = attempt.releaseKeepingCallbacks();
        if (callers == null || callers.isEmpty()) {
            engine.leaveFlight();
            return;
        }
        HandlerActor actor = claimers.get(attempt.handler()).actor;
        Duration budget = JobEngine.backoffStep(actor.settings(), attempt.attempt())
                .plus(JobEngine.retryBudget(actor.settings(), attempt.timeout(), attempt.attempt() + 1,
                        attempt.maxAttempts()))
                .plus(claimSlack(attempt.maxAttempts() - attempt.attempt()));
        JobRecord shadow = awaitElsewhere(attempt.id(), attempt.handler(), attempt.idempotencyKey(), budget,
                attempt.createdAt());
        callers.forEach(shadow::onSettled);
    }

    private void failed(String operation, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                ? c.getCause() : failure;
        if (cause instanceof StoreUnavailableException) {
            unreachable(operation);
        } else {
            events.storeError(operation);
            LOG.warn("job store: {} failed: {}", operation, cause.toString());
        }
    }

    private void reachable() {
        if (unreachableSinceNanos != 0) {
            unreachableSinceNanos = 0;
            LOG.info("job store: PostgreSQL answers again");
        }
    }

    private void unreachable(String operation) {
        events.storeError(operation);
        if (unreachableSinceNanos == 0) {
            unreachableSinceNanos = System.nanoTime() | 1;
            LOG.warn("job store: PostgreSQL is unreachable ({} failed); new jobs are answered 503 store_unavailable"
                    + " until it answers again", operation);
        }
    }

    /** Whether the store answers, or has been unreachable for less than the grace. */
    boolean ready() {
        long since = unreachableSinceNanos;
        return since == 0 || System.nanoTime() - since < settings.unavailableGrace().toNanos();
    }

    /** Whether the last store operation succeeded. */
    boolean up() {
        return unreachableSinceNanos == 0;
    }

    /** Fleet-wide jobs of {@code handler} in {@code state}, as last counted. */
    long depth(String handler, JobState state) {
        for (PostgresJobQueue.Depth d : depth) {
            if (d.handler().equals(handler) && d.state() == state) {
                return d.count();
            }
        }
        return 0;
    }

    /** Seconds the oldest available job of {@code handler} has been due, as last read; 0 for none. */
    double oldestAvailableAge(String handler) {
        return oldestAvailable.getOrDefault(handler, 0.0);
    }

    // ---------------------------------------------------------------- reading

    /** The job with this id as the table has it, or {@code null}; throws {@link StoreException}. */
    JobRecord lookup(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (id.length() != 36) {
            return null;
        }
        try {
            Optional<StoredJob> row = queue.get(uuid);
            reachable();
            return row.map(this::snapshot).orElse(null);
        } catch (StoreException e) {
            failed("get", e);
            throw e;
        }
    }

    /** A settled or in-progress view of a row, for answers; no timer, registered nowhere. */
    private JobRecord snapshot(StoredJob row) {
        JobRecord view = new JobRecord(row.id().toString(), row.handler(), null, 0, row.idempotencyKey(), null,
                row.createdAt(), row.attempt(), row.maxAttempts());
        if (row.state() == JobState.RUNNING || row.state().isFinal()) {
            view.recordTimes(queuedFor(row), ranFor(row));
        }
        JobStatus waitingFor = switch (row.state()) {
            case SCHEDULED -> JobStatus.SCHEDULED;
            case RETRYABLE -> JobStatus.RETRYABLE;
            default -> null;
        };
        view.recordQueueState(waitingFor, waitingFor != null || row.scheduledAt().isAfter(row.createdAt())
                ? row.scheduledAt() : null, attemptErrors(row));
        if (row.state().isFinal()) {
            view.decide(outcomeOf(row));
        }
        view.release();
        return view;
    }

    private static Duration queuedFor(StoredJob row) {
        return row.attemptedAt() == null ? null : Duration.between(row.createdAt(), row.attemptedAt());
    }

    private static Duration ranFor(StoredJob row) {
        return row.attemptedAt() == null || row.finishedAt() == null ? null
                : Duration.between(row.attemptedAt(), row.finishedAt());
    }

    /** The row's {@code errors} as the job API lists them. */
    private List<AttemptError> attemptErrors(StoredJob row) {
        if (row.errors() == null || row.errors().equals("[]")) {
            return List.of();
        }
        List<AttemptError> errors = new ArrayList<>();
        try {
            for (JsonNode e : mapper.readTree(row.errors())) {
                errors.add(new AttemptError(e.path("attempt").asInt(), parseInstant(e.path("at").asText(null)),
                        e.path("code").asText(""), e.path("message").asText(""),
                        e.hasNonNull("errorId") ? e.get("errorId").asText() : null));
            }
        } catch (JsonProcessingException e) {
            return List.of(); // jsonb always holds valid JSON
        }
        return errors;
    }

    private static java.time.Instant parseInstant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- cancel

    /** {@link JobEngine#cancel(String)} on the shared queue. */
    JobEngine.CancelResult cancel(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return new JobEngine.CancelResult.NotFound();
        }
        if (id.length() != 36) {
            return new JobEngine.CancelResult.NotFound();
        }
        Optional<JobState> before;
        try {
            before = queue.cancel(uuid, errorJson(Outcome.Cancelled.BY_REQUEST));
            reachable();
        } catch (StoreException e) {
            failed("cancel", e);
            throw e;
        }
        if (before.isEmpty()) {
            return new JobEngine.CancelResult.NotFound();
        }
        if (before.get().isFinal()) {
            return new JobEngine.CancelResult.AlreadyFinished(statusOf(before.get()));
        }
        Held h = held.get(id);
        if (h != null) {
            engine.cancelledElsewhere(h.job()); // runs here: no need to wait for the notification
        }
        return new JobEngine.CancelResult.Cancelled(lookup(id));
    }

    /** {@link JobEngine#retry(String)} on the shared queue. */
    JobEngine.RetryResult retry(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return new JobEngine.RetryResult.NotFound();
        }
        if (id.length() != 36) {
            return new JobEngine.RetryResult.NotFound();
        }
        Optional<JobState> before;
        try {
            before = queue.retry(uuid);
            reachable();
        } catch (StoreException e) {
            failed("retry", e);
            throw e;
        }
        if (before.isEmpty()) {
            return new JobEngine.RetryResult.NotFound();
        }
        if (!before.get().isFinal() || before.get() == JobState.SUCCEEDED) {
            return new JobEngine.RetryResult.NotRetryable(statusOf(before.get()));
        }
        return new JobEngine.RetryResult.Retried(lookup(id));
    }

    private static JobStatus statusOf(JobState state) {
        return switch (state) {
            case AVAILABLE -> JobStatus.QUEUED;
            case SCHEDULED -> JobStatus.SCHEDULED;
            case RUNNING -> JobStatus.RUNNING;
            case RETRYABLE -> JobStatus.RETRYABLE;
            case SUCCEEDED -> JobStatus.SUCCEEDED;
            case FAILED -> JobStatus.FAILED;
            case CANCELLED -> JobStatus.CANCELLED;
            case ABORTED -> JobStatus.ABORTED;
            case DISCARDED -> JobStatus.DISCARDED;
        };
    }

    // ---------------------------------------------------------------- outcomes <-> rows

    private dev.gonode.node.internal.store.postgres.Outcome toStored(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Succeeded s -> dev.gonode.node.internal.store.postgres.Outcome.succeeded(
                    s.resultJson() == null ? "null" : new String(s.resultJson(), StandardCharsets.UTF_8));
            case Outcome.Cancelled c -> dev.gonode.node.internal.store.postgres.Outcome.finished(JobState.CANCELLED,
                    errorJson(c));
            case Outcome.Aborted a -> dev.gonode.node.internal.store.postgres.Outcome.finished(JobState.ABORTED,
                    errorJson(a));
            case Outcome.Discarded d -> dev.gonode.node.internal.store.postgres.Outcome.finished(JobState.DISCARDED,
                    errorJson(d.last()));
            case Outcome.RetryScheduled r -> dev.gonode.node.internal.store.postgres.Outcome.retry(
                    errorJson(r.failure()), r.delay());
            default -> dev.gonode.node.internal.store.postgres.Outcome.finished(JobState.FAILED, errorJson(outcome));
        };
    }

    /** {@code {code, message}} plus what it takes to rebuild the outcome on another node. */
    private String errorJson(Outcome outcome) {
        ObjectNode error = mapper.createObjectNode().put("code", outcome.code()).put("message", outcome.message());
        if (outcome instanceof Outcome.HandlerFailed f) {
            error.put("handler", f.handler()).put("errorId", f.errorId()).put("node", owner);
        } else if (outcome instanceof Outcome.DeadlineExceeded d) {
            error.put("timeoutMs", d.timeout().toMillis());
        }
        return error.toString();
    }

    /** The outcome a final row records. */
    private Outcome outcomeOf(StoredJob row) {
        if (row.state() == JobState.SUCCEEDED) {
            return new Outcome.Succeeded(row.result() == null ? null : row.result().getBytes(StandardCharsets.UTF_8));
        }
        JsonNode error;
        try {
            error = row.error() == null ? mapper.createObjectNode() : mapper.readTree(row.error());
        } catch (JsonProcessingException e) {
            error = mapper.createObjectNode();
        }
        String code = error.path("code").asText(row.state().dbName());
        String message = error.path("message").asText("the job ended " + row.state().dbName());
        if (row.state() == JobState.DISCARDED) {
            Outcome last = switch (code) {
                case "handler_failed" -> new Outcome.HandlerFailed(error.path("handler").asText(row.handler()),
                        error.path("errorId").asText("unknown"));
                case "deadline_exceeded" -> new Outcome.DeadlineExceeded(Duration.ofMillis(error.path("timeoutMs").asLong(0)));
                default -> new Outcome.Recorded(JobStatus.FAILED, code, message);
            };
            return new Outcome.Discarded(last, row.attempt());
        }
        return switch (code) {
            case "payload_rejected" -> new Outcome.PayloadRejected(message);
            case "handler_failed" -> new Outcome.HandlerFailed(error.path("handler").asText(row.handler()),
                    error.path("errorId").asText("unknown"));
            case "deadline_exceeded" -> new Outcome.DeadlineExceeded(Duration.ofMillis(error.path("timeoutMs").asLong(0)));
            case "cancelled" -> new Outcome.Cancelled(message);
            case "aborted" -> new Outcome.Aborted();
            default -> new Outcome.Recorded(row.state() == JobState.CANCELLED ? JobStatus.CANCELLED
                    : row.state() == JobState.ABORTED ? JobStatus.ABORTED : JobStatus.FAILED, code, message);
        };
    }

    // ---------------------------------------------------------------- drain and stop

    /**
     * At the drain timeout: hands every unfinished local job back to the queue and answers its
     * callers 503 {@code released}, and answers callers waiting for jobs elsewhere the same way.
     * Returns how many local jobs were handed back.
     */
    int handBack() {
        handedBack = true; // before reading held: see adopt
        List<Held> giving = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.job().decide(new Outcome.Released())) {
                giving.add(h);
            }
        }
        if (!giving.isEmpty()) {
            try {
                Set<UUID> released = queue.release(giving.stream().map(Held::lease).toList());
                reachable();
                Map<String, Integer> byHandler = new HashMap<>();
                for (Held h : giving) {
                    if (released.contains(h.lease().jobId())) {
                        byHandler.merge(h.job().handler(), 1, Integer::sum);
                    }
                }
                byHandler.forEach(events::released);
                LOG.info("drain: handed {} unfinished job(s) back to the queue; other nodes run them", released.size());
            } catch (StoreException e) {
                failed("release", e);
                LOG.warn("drain: could not hand {} job(s) back ({}); their leases expire within {} and other nodes run"
                        + " them then", giving.size(), e.getMessage(), settings.lease());
            }
            for (Held h : giving) {
                engine.forgetLive(h.job());
                release(h);
            }
        }
        for (JobRecord shadow : new ArrayList<>(waits.values())) {
            settleStandIn(shadow, new Outcome.Released(), null);
        }
        return giving.size();
    }

    /** Stops the loops, writes what is pending, and closes the queue. */
    void close() {
        synchronized (stop) {
            if (!closed(stop)) {
                stop.close();
            }
        }
        loops.waitAll();
        completer.close();
        retryPendingWrites();
        queue.close();
    }

    private static boolean closed(Channel<Object> c) {
        var r = c.tryReceive();
        return r != null && !r.ok();
    }

    // ---------------------------------------------------------------- loops

    /** Claims jobs of one handler while it has free slots. */
    private final class Claimer {
        final HandlerActor actor;
        final int capacity;
        final AtomicInteger reserved = new AtomicInteger();
        /** Jobs may be waiting: a notification, or the listener (re)connected. */
        final Channel<Object> wake = Channel.make(1);
        /** A local job ended: a slot freed. */
        final Channel<Object> freed = Channel.make(1);
        /** The fewest free slots worth a claim when woken only by slots freeing: see {@link #run}. */
        final int batch;

        Claimer(HandlerActor actor) {
            this.actor = actor;
            this.capacity = capacityOf(actor.settings());
            this.batch = Math.max(1, Math.min(MAX_CLAIM, capacity) / 2);
        }

        void wake() {
            wake.trySend(Boolean.TRUE);
        }

        /** Takes {@code n} slots if they are free. */
        boolean reserve(int n) {
            for (;;) {
                int now = reserved.get();
                if (now + n > capacity) {
                    return false;
                }
                if (reserved.compareAndSet(now, now + n)) {
                    return true;
                }
            }
        }

        void unreserve(int n) {
            reserved.addAndGet(-n);
            freed.trySend(Boolean.TRUE);
        }

        /**
         * Claims in batches. A notification, the poll interval or a start claims whatever slots
         * are free; a slot freeing by itself only claims once at least {@link #batch} slots are
         * free. Without that floor, a busy node's claimer, woken by every job that ends (and the
         * batch completer ends them hundreds at a time), claimed one or two jobs per query and
         * spent its round trips and commits on tiny claims (a burn-down fell to a third).
         */
        void run() {
            int least = 1;
            while (true) {
                if (!engine.draining() && claimOnce(least)) {
                    least = batch; // it filled every free slot: claim again once enough have freed
                    continue;
                }
                Integer next = Select.select(
                        Select.receiveOk(stop).map(r -> (Integer) null),
                        Select.receiveOk(wake).map(r -> 1),
                        Select.receiveOk(freed).map(r -> batch),
                        Select.timeout(settings.pollInterval()).map(v -> 1));
                if (next == null) {
                    return;
                }
                least = next;
            }
        }

        /** One claim for the free slots if at least {@code least} are free; whether it filled them (there may be more). */
        private boolean claimOnce(int least) {
            int free = Math.min(MAX_CLAIM, capacity - reserved.get());
            if (free < least || free < 1 || !reserve(free)) {
                return false;
            }
            if (!engine.enterFlight()) { // draining: claim nothing more
                reserved.addAndGet(-free);
                return false;
            }
            try {
                long start = System.nanoTime();
                PostgresJobQueue.ClaimBatch batch = queue.claim(actor.name(), free, owner, settings.lease());
                reachable();
                events.claimed(actor.name(), Duration.ofNanos(System.nanoTime() - start), batch.redelivered());
                reserved.addAndGet(batch.jobs().size() - free);
                for (StoredJob row : batch.jobs()) {
                    engine.enterFlightClaimed();
                    JsonNode payload;
                    try {
                        payload = mapper.readTree(row.payload());
                    } catch (JsonProcessingException e) {
                        payload = mapper.nullNode(); // jsonb always holds valid JSON
                    }
                    adopt(row, this, payload, row.payload().length(), null);
                }
                return batch.jobs().size() == free;
            } catch (StoreException e) {
                reserved.addAndGet(-free);
                failed("claim", e);
                return false;
            } finally {
                engine.leaveFlight();
            }
        }
    }

    /**
     * How many jobs of a handler this node holds at most: its concurrency, plus as many again
     * waiting (no more than its mailbox), so workers find the next job when they finish one.
     */
    static int capacityOf(NodeConfig.Handler handler) {
        return handler.concurrency() + Math.min(handler.concurrency(), handler.mailbox());
    }

    /** Settles stand-ins from the rows that notifications name, and every poll interval from all waited rows. */
    private void waitLoop() {
        while (true) {
            List<UUID> hinted = Select.select(
                    Select.receiveOk(stop).map(r -> (List<UUID>) null),
                    Select.receiveOk(settledHints).map(r -> r.value()),
                    Select.timeout(settings.pollInterval()).map(v -> List.<UUID>of()));
            if (hinted == null) {
                return;
            }
            Set<UUID> ids = new HashSet<>(hinted);
            if (hinted.isEmpty()) {
                waits.keySet().forEach(id -> ids.add(UUID.fromString(id)));
                retryPendingWrites();
            }
            if (ids.isEmpty()) {
                continue;
            }
            try {
                for (StoredJob row : queue.getAll(ids)) {
                    JobRecord shadow = waits.get(row.id().toString());
                    if (shadow != null && row.state().isFinal()) {
                        settleStandIn(shadow, outcomeOf(row), row);
                    }
                }
                reachable();
            } catch (StoreException e) {
                failed("get", e);
            }
        }
    }

    private void retryPendingWrites() {
        if (pendingWrites.isEmpty()) {
            return;
        }
        List<PendingWrite> batch = new ArrayList<>();
        for (PendingWrite w; (w = pendingWrites.poll()) != null; ) {
            batch.add(w);
        }
        try {
            Set<UUID> landed = queue.completeAll(batch.stream()
                    .map(w -> new PostgresJobQueue.Completion(w.lease(), w.outcome())).toList());
            reachable();
            LOG.info("job store: wrote {} job end(s) kept while PostgreSQL was away ({} refused: their leases were"
                    + " taken, and other nodes ran them again)", landed.size(), batch.size() - landed.size());
        } catch (StoreException e) {
            pendingWrites.addAll(batch);
            failed("complete", e);
        }
    }

    /** Extends the leases of the local jobs every third of the lease. */
    private void renewLoop() {
        Duration every = settings.lease().dividedBy(3);
        Set<String> lost = new HashSet<>();
        while (!Select.select(Select.receiveOk(stop).map(r -> true), Select.timeout(every).map(v -> false))) {
            List<Lease> leases = new ArrayList<>();
            for (Held h : held.values()) {
                if (!lost.contains(h.job().id())) {
                    leases.add(h.lease());
                }
            }
            lost.retainAll(held.keySet());
            if (leases.isEmpty()) {
                continue;
            }
            try {
                Set<UUID> renewed = queue.renew(leases, settings.lease());
                reachable();
                List<UUID> notRenewed = leases.stream().map(Lease::jobId).filter(id -> !renewed.contains(id)).toList();
                Set<UUID> cancelled = new HashSet<>();
                if (!notRenewed.isEmpty()) {
                    for (StoredJob row : queue.getAll(notRenewed)) {
                        if (row.state() == JobState.CANCELLED) {
                            cancelled.add(row.id());
                        }
                    }
                }
                for (Lease lease : leases) {
                    Held h = held.get(lease.jobId().toString());
                    if (h != null && cancelled.contains(lease.jobId())) {
                        engine.cancelledElsewhere(h.job()); // its notification was missed
                    } else if (!renewed.contains(lease.jobId()) && h != null && h.job().outcome() == null) {
                        lost.add(h.job().id());
                        LOG.warn("job {}: its lease was taken (this node stalled or lost PostgreSQL longer than"
                                + " jobs.postgres.lease); another node may run it, and this node's result will not"
                                + " be recorded", h.job().id());
                    }
                }
            } catch (StoreException e) {
                failed("renew", e);
            }
        }
    }

    /** Refreshes the queue metrics, ends abandoned jobs, and prunes old rows (one node at a time). */
    private void upkeepLoop() {
        long lastPrune = 0;
        while (!Select.select(Select.receiveOk(stop).map(r -> true), Select.timeout(STATS_INTERVAL).map(v -> false))) {
            try {
                depth = queue.depth();
                oldestAvailable = queue.oldestAvailableAge();
                if (System.nanoTime() - lastPrune > PRUNE_INTERVAL.toNanos() || lastPrune == 0) {
                    lastPrune = System.nanoTime();
                    queue.discardAbandoned();
                    try {
                        PostgresJobQueue.PruneResult pruned = queue.prune(resultsTtl);
                        if (pruned.deleted() > 0) {
                            LOG.info("job store: pruned {} job(s) finished over {} ago", pruned.deleted(), resultsTtl);
                        }
                    } catch (StoreException e) {
                        failed("prune", e);
                        continue;
                    }
                }
                reachable();
            } catch (StoreException e) {
                failed("get", e);
            }
        }
    }
}
