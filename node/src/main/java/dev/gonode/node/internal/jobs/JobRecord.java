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
 */
public final class JobRecord implements Job {

    private final String id;
    private final String handler;
    private final String idempotencyKey;
    private final Duration timeout;
    private final int payloadBytes;
    private final Instant createdAt;
    private final long createdNanos = System.nanoTime();
    private final Context.WithCancel context;
    private volatile JsonNode payload;
    private volatile BooleanSupplier stopDeadlineHook;
    private volatile long startedNanos;
    private volatile long finishedNanos;
    private volatile long goroutineId;
    private volatile String resultNotKept;

    private volatile Outcome outcome; // written under this
    private boolean released; // guarded by this
    private List<Consumer<JobRecord>> callbacks; // guarded by this; null until the first one

    JobRecord(String id, String handler, JsonNode payload, int payloadBytes, String idempotencyKey, Duration timeout) {
        this.id = id;
        this.handler = handler;
        this.payload = payload;
        this.payloadBytes = payloadBytes;
        this.idempotencyKey = idempotencyKey;
        this.timeout = timeout;
        this.createdAt = Instant.now();
        this.context = Context.withTimeout(Context.background(), timeout);
    }

    /**
     * A job whose home is the fleet's shared queue, as this node sees it: created at
     * {@code createdAt} (the database's clock); with a deadline {@code timeout} from now, or none
     * (and no timer) when {@code timeout} is {@code null}.
     */
    JobRecord(String id, String handler, String idempotencyKey, Duration timeout, Instant createdAt) {
        this.id = id;
        this.handler = handler;
        this.payload = null;
        this.payloadBytes = 0;
        this.idempotencyKey = idempotencyKey;
        this.timeout = timeout;
        this.createdAt = createdAt;
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
        return outcome == null;
    }

    /** Sets the final outcome unless another one won; returns whether this call decided it. */
    boolean decide(Outcome result) {
        synchronized (this) {
            if (outcome != null) {
                return false;
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
        BooleanSupplier stop = stopDeadlineHook;
        if (stop != null) {
            stop.getAsBoolean();
        }
        context.cancel();
        payload = null;
        List<Consumer<JobRecord>> run;
        synchronized (this) {
            released = true;
            run = callbacks;
            callbacks = null;
        }
        if (run != null) {
            run.forEach(callback -> callback.accept(this));
        }
    }

    /**
     * Heap the finished record holds, roughly: the result's JSON and a fixed part for the record,
     * its id, key and context.
     */
    long retainedBytes() {
        Outcome o = outcome;
        long result = o instanceof Outcome.Succeeded s && s.resultJson() != null ? s.resultJson().length : 0;
        return RECORD_OVERHEAD_BYTES + result + (idempotencyKey == null ? 0 : 2L * idempotencyKey.length());
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
