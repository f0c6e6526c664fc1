package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.Job;
import dev.gonode.runtime.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One job, from acceptance to its final answer: what {@code GET /v1/jobs/{id}} reads and what
 * waiting callers register on.
 *
 * <p>Implementation notes. Settling is two steps so that the engine's bookkeeping happens between
 * them: {@link #decide} sets the outcome exactly once (whoever comes first — the worker, the
 * deadline, the caller going away, the drain — wins; the others change nothing), then
 * {@link #release} stops the deadline hook, cancels the job's context (a handler still running
 * learns it is no longer wanted), drops the payload, and runs the completion callbacks. A callback
 * registered after the release runs at once on the registering thread, so none is ever lost;
 * callbacks must not block (the HTTP layer's hops back onto the request's event loop). The state
 * that decides this ({@link #outcome}, {@link #released}, {@link #callbacks}) is guarded by the
 * record's monitor, which is uncontended in practice (one settler, one or two registrants); the
 * outcome is also volatile so that readers ({@code GET}) take no lock.
 *
 * <p><b>Attempts.</b> A job may run more than once ({@code max-attempts}). Each attempt has its own
 * context (its deadline counts from the attempt's start) and its own number; whoever ends an
 * attempt names it, so a late report about an earlier attempt (its deadline hook, or its handler
 * returning after the deadline) changes nothing. {@link #endAttempt} records a failed attempt's
 * error and leaves the job unsettled (a retry follows); {@link #beginAttempt} starts the next one.
 * The record's callbacks stay registered across attempts, so a waiting caller waits across
 * retries. A job that needs no retry allocates nothing for this: the errors list is created by the
 * first failure.
 */
public final class JobRecord implements Job {

    private final String id;
    private final String handler;
    private final String idempotencyKey;
    private final Duration timeout;
    private final int payloadBytes;
    private final Instant createdAt;
    private final long createdNanos = System.nanoTime();
    private volatile int maxAttempts;
    private volatile Context.WithCancel context;
    // Attempt numbers are also the tokens that name an attempt (attemptToken), so they never go
    // back: a retry by an operator (reopen) counts afresh by moving attemptBase instead, and a late
    // report about a run before the reopen cannot end a run after it.
    private volatile int attempt = 1;
    private volatile int attemptBase;
    private volatile boolean attemptEnded; // written under this
    /** What the job waits for while it is not running and has no outcome; {@code null}: its mailbox or a claim. */
    private volatile JobStatus waiting;
    private volatile Instant scheduledAt;
    private volatile List<AttemptError> errors = List.of(); // replaced, never mutated, under this
    private volatile JsonNode payload;
    /** Memory store: whether a job that ends unsuccessfully keeps its payload, so that it can be retried. */
    private boolean retainsPayload;
    private volatile BooleanSupplier stopDeadlineHook;
    private volatile long startedNanos;
    private volatile long finishedNanos;
    private volatile long goroutineId;
    private volatile String resultNotKept;

    private volatile Outcome outcome; // written under this
    private boolean released; // guarded by this
    private List<Consumer<JobRecord>> callbacks; // guarded by this; null until the first one

    JobRecord(String id, String handler, JsonNode payload, int payloadBytes, String idempotencyKey, Duration timeout,
              int maxAttempts) {
        this.id = id;
        this.handler = handler;
        this.payload = payload;
        this.payloadBytes = payloadBytes;
        this.idempotencyKey = idempotencyKey;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.createdAt = Instant.now();
        this.context = Context.withTimeout(Context.background(), timeout);
    }

    /**
     * A job accepted now that is due at {@code dueAt}: it waits as {@link JobStatus#SCHEDULED},
     * and its first attempt's deadline starts with {@link #beginAttempt}.
     */
    JobRecord(String id, String handler, JsonNode payload, int payloadBytes, String idempotencyKey, Duration timeout,
              int maxAttempts, Instant dueAt) {
        this.id = id;
        this.handler = handler;
        this.payload = payload;
        this.payloadBytes = payloadBytes;
        this.idempotencyKey = idempotencyKey;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.createdAt = Instant.now();
        this.context = Context.withCancel(Context.background());
        this.waiting = JobStatus.SCHEDULED;
        this.scheduledAt = dueAt;
        this.attempt = 0;
    }

    /**
     * A job whose home is the fleet's shared queue, as this node sees it: created at
     * {@code createdAt} (the database's clock); with a deadline {@code timeout} from now, or none
     * (and no timer) when {@code timeout} is {@code null}.
     */
    JobRecord(String id, String handler, String idempotencyKey, Duration timeout, Instant createdAt) {
        this(id, handler, null, 0, idempotencyKey, timeout, createdAt, 1, 1);
    }

    /**
     * A job claimed from the shared queue ({@code payload}) or a view of a row: attempt
     * {@code attempt} of {@code maxAttempts}, with a deadline {@code timeout} from now, or none.
     */
    JobRecord(String id, String handler, JsonNode payload, int payloadBytes, String idempotencyKey, Duration timeout,
              Instant createdAt, int attempt, int maxAttempts) {
        this.id = id;
        this.handler = handler;
        this.payload = payload;
        this.payloadBytes = payloadBytes;
        this.idempotencyKey = idempotencyKey;
        this.timeout = timeout;
        this.createdAt = createdAt;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.context = timeout == null ? Context.withCancel(Context.background())
                : Context.withTimeout(Context.background(), timeout);
    }

    /** Sets the times a job read from the shared queue waited and ran ({@code null}: not started, not finished). */
    void recordTimes(Duration queuedFor, Duration ranFor) {
        if (queuedFor != null) {
            startedNanos = createdNanos + Math.max(1, queuedFor.toNanos());
            if (ranFor != null) {
                finishedNanos = startedNanos + ranFor.toNanos();
            }
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String handler() {
        return handler;
    }

    /** The payload; {@code null} once the job is settled (it is not kept with the result). */
    @Override
    public JsonNode payload() {
        return payload;
    }

    @Override
    public Context context() {
        return context.context();
    }

    /** The attempt running now or last, from 1 ({@code 0}: a scheduled job that has not started). */
    @Override
    public int attempt() {
        return attempt - attemptBase;
    }

    /**
     * The current attempt's token for {@link #attemptOver}, {@link #endAttempt} and
     * {@link #decide}: unlike {@link #attempt()} it never repeats within the record's life.
     */
    int attemptToken() {
        return attempt;
    }

    /** How many attempts the job gets. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Each failed attempt's error, oldest first; empty while none failed. */
    public List<AttemptError> errors() {
        return errors;
    }

    /** When a scheduled job is (or was) due; {@code null} for a job due at acceptance. */
    public Instant scheduledAt() {
        return scheduledAt;
    }

    /** Sets the attempts a stored row records, for a stand-in answered from that row. */
    void recordAttempts(int attemptNumber, int attemptsAllowed, List<AttemptError> attemptErrors) {
        attempt = attemptNumber;
        maxAttempts = attemptsAllowed;
        errors = List.copyOf(attemptErrors);
    }

    /** Sets what a view of a stored row shows: its waiting state, due time and errors. */
    void recordQueueState(JobStatus waitingFor, Instant dueAt, List<AttemptError> attemptErrors) {
        waiting = waitingFor;
        scheduledAt = dueAt;
        errors = List.copyOf(attemptErrors);
    }

    /**
     * Ends attempt {@code number} with {@code error} without settling the job (a retry follows),
     * and cancels that attempt's context; {@code false} if the job is settled, or that attempt
     * is not the current one or was ended already.
     */
    boolean endAttempt(int number, AttemptError error) {
        Context.WithCancel ended;
        synchronized (this) {
            if (outcome != null || number != attempt || attemptEnded) {
                return false;
            }
            attemptEnded = true;
            List<AttemptError> more = new ArrayList<>(errors.size() + 1);
            more.addAll(errors);
            more.add(error);
            errors = List.copyOf(more);
            waiting = JobStatus.RETRYABLE;
            ended = context;
        }
        BooleanSupplier stop = stopDeadlineHook;
        if (stop != null) {
            stop.getAsBoolean();
        }
        ended.cancel();
        return true;
    }

    /**
     * Starts the next attempt (or a scheduled job's first): a new number and a new context with
     * the job's deadline from now; the job waits in its mailbox. Returns the attempt's number, or
     * 0 if the job was settled meanwhile (cancelled, aborted).
     */
    int beginAttempt() {
        synchronized (this) {
            if (outcome != null) {
                return 0;
            }
            attempt++;
            attemptEnded = false;
            context = Context.withTimeout(Context.background(), timeout);
            waiting = JobStatus.QUEUED;
            return attempt;
        }
    }

    /** Sets when the job is next due (a scheduled job, or a retry). */
    void dueAt(Instant at) {
        scheduledAt = at;
    }

    /** Whether attempt {@code number} is over: the job is settled, or that attempt ended or was followed by another. */
    boolean attemptOver(int number) {
        return outcome != null || number != attempt || attemptEnded;
    }

    /** Memory store: keep the payload if the job ends unsuccessfully, so {@link #reopen} can run it again. */
    void retainPayloadOnFailure() {
        retainsPayload = true;
    }

    /**
     * Memory store: makes a job that ended unsuccessfully (and kept its payload) waiting again,
     * with its attempts counted afresh and its errors kept; {@code false} if it has not ended,
     * succeeded, or kept no payload. The caller then schedules its first attempt.
     */
    boolean reopen() {
        synchronized (this) {
            Outcome o = outcome;
            if (o == null || o instanceof Outcome.Succeeded || payload == null || !released) {
                return false;
            }
            outcome = null;
            released = false;
            attemptBase = attempt;
            attemptEnded = false;
            startedNanos = 0;
            finishedNanos = 0;
            goroutineId = 0;
            waiting = JobStatus.QUEUED;
            return true;
        }
    }

    /** Whether the job waits for a due time (scheduled, or a retry's backoff) rather than for a worker. */
    boolean waitsForDueTime() {
        JobStatus w = waiting;
        return w == JobStatus.SCHEDULED || w == JobStatus.RETRYABLE;
    }

    /** The key the caller sent in {@code Idempotency-Key}, or {@code null}. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The job's deadline, measured from its acceptance. */
    public Duration timeout() {
        return timeout;
    }

    /** The size of the request body the payload came from. */
    public int payloadBytes() {
        return payloadBytes;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The status now. */
    public JobStatus status() {
        Outcome o = outcome;
        if (o != null) {
            return o.status();
        }
        JobStatus w = waiting;
        if (w != null) {
            return w;
        }
        return startedNanos != 0 ? JobStatus.RUNNING : JobStatus.QUEUED;
    }

    /** The final outcome, or {@code null} while the job is queued or running. */
    public Outcome outcome() {
        return outcome;
    }

    /** Id of the goroutine that ran the job; 0 if none did. */
    public long goroutineId() {
        return goroutineId;
    }

    /** Why the result is not kept (too large for the store), or {@code null} if it is. */
    public String resultNotKept() {
        return resultNotKept;
    }

    /** How long the job waited in the mailbox; {@code null} if it never started. */
    public Duration queueWait() {
        long started = startedNanos;
        return started == 0 ? null : Duration.ofNanos(started - createdNanos);
    }

    /** How long the handler ran until the outcome; {@code null} unless it started and finished. */
    public Duration runTime() {
        long started = startedNanos;
        long finished = finishedNanos;
        return started == 0 || finished == 0 ? null : Duration.ofNanos(finished - started);
    }

    /**
     * Registers {@code callback} to run once the job is settled and released; runs it now, on this
     * thread, if that has happened already. It must not block.
     */
    public void onSettled(Consumer<JobRecord> callback) {
        synchronized (this) {
            if (!released) {
                if (callbacks == null) {
                    callbacks = new ArrayList<>(2);
                }
                callbacks.add(callback);
                return;
            }
        }
        callback.accept(this);
    }

    /** Arms the hook that settles the job when its deadline passes; {@code stop} unregisters it. */
    void deadlineHook(BooleanSupplier stop) {
        stopDeadlineHook = stop;
    }

    /** Marks the job running on goroutine {@code gid}; {@code false} if it is settled already. */
    boolean start(long gid) {
        if (outcome != null) {
            return false;
        }
        goroutineId = gid;
        startedNanos = System.nanoTime();
        if (waiting != null) {
            waiting = null;
        }
        return outcome == null;
    }

    /** Sets the final outcome unless another one won; returns whether this call decided it. */
    boolean decide(Outcome result) {
        return decide(ANY_ATTEMPT, result);
    }

    /** Whoever settles a job from outside its attempts (its caller, an operator, the drain). */
    static final int ANY_ATTEMPT = -1;

    /**
     * Sets the final outcome as the end of attempt {@code number} ({@link #ANY_ATTEMPT}: whichever
     * runs or waits) unless another outcome won or that attempt is over; whether this call decided it.
     */
    boolean decide(int number, Outcome result) {
        return decide(number, result, null);
    }

    /** {@link #decide(int, Outcome)}, adding {@code lastError} (if any) to the job's errors when it decides. */
    boolean decide(int number, Outcome result, AttemptError lastError) {
        synchronized (this) {
            if (outcome != null || (number != ANY_ATTEMPT && (number != attempt || attemptEnded))) {
                return false;
            }
            if (lastError != null) {
                List<AttemptError> more = new ArrayList<>(errors.size() + 1);
                more.addAll(errors);
                more.add(lastError);
                errors = List.copyOf(more);
            }
            if (finishedNanos == 0) {
                finishedNanos = System.nanoTime();
            }
            outcome = result;
            return true;
        }
    }

    /**
     * After {@link #decide}: stops the deadline hook, cancels the context, drops the payload and
     * runs the callbacks.
     */
    void release() {
        List<Consumer<JobRecord>> run = releaseKeepingCallbacks();
        if (run != null) {
            run.forEach(callback -> callback.accept(this));
        }
    }

    /**
     * {@link #release} without running the callbacks: returns them (or {@code null}) for the
     * caller to pass on. Shared queue: an attempt that ends in a retry hands its waiting callers
     * to the record that waits for the job's row.
     */
    List<Consumer<JobRecord>> releaseKeepingCallbacks() {
        BooleanSupplier stop = stopDeadlineHook;
        if (stop != null) {
            stop.getAsBoolean();
        }
        context.cancel();
        if (outcome instanceof Outcome.Succeeded || outcome instanceof Outcome.RetryScheduled || !retainsPayload) {
            payload = null; // a failed job keeps it on the memory store, for a retry (retainedBytes counts it)
        }
        synchronized (this) {
            released = true;
            List<Consumer<JobRecord>> run = callbacks;
            callbacks = null;
            return run;
        }
    }

    /**
     * Heap the finished record holds, roughly: the result's JSON and a fixed part for the record,
     * its id, key and context.
     */
    long retainedBytes() {
        Outcome o = outcome;
        long result = o instanceof Outcome.Succeeded s && s.resultJson() != null ? s.resultJson().length : 0;
        long kept = retainsPayload && payload != null && !(o instanceof Outcome.Succeeded) ? payloadBytes : 0;
        return RECORD_OVERHEAD_BYTES + result + kept + (idempotencyKey == null ? 0 : 2L * idempotencyKey.length());
    }

    /** Drops the result from memory: it was answered but is too large to keep. */
    void forgetResult(String why) {
        resultNotKept = why;
        if (outcome instanceof Outcome.Succeeded) {
            outcome = new Outcome.Succeeded(null);
        }
    }

    /** What a finished record costs beyond its result: the object, id, times, context and store entries. */
    static final long RECORD_OVERHEAD_BYTES = 640;
}
