package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.Job;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One job, from acceptance to its final answer: what {@code GET /v1/jobs/{id}} reads and what
 * a waiting caller waits on.
 *
 * <p>Implementation notes. The final outcome is set exactly once ({@link #finish}, a CAS on
 * {@link #outcome}), by whoever gets there first: the worker when the handler returns, the
 * deadline, the drain giving up, or the caller going away. Whoever loses changes nothing, so a
 * caller is answered once and with what the record says. Once the engine has recorded the outcome,
 * {@link #release} closes {@link #done} (Go's {@code done chan struct{}}), which wakes every waiter
 * at once: the HTTP request that started the job and idempotent repeats of it. The status before that is a plain volatile that
 * only the job's worker moves from queued to running.
 */
public final class JobRecord implements Job {

    /** The final answer: status, result (for succeeded) or error (otherwise). */
    public record Outcome(JobStatus status, JsonNode result, JobError error) {
    }

    private final String id;
    private final String handler;
    private final JsonNode payload;
    private final String idempotencyKey;
    private final Duration timeout;
    private final Instant createdAt = Instant.now();
    private final long createdNanos = System.nanoTime();
    private final Context context;
    private final Runnable cancel;
    private final Channel<Object> done = Channel.make();
    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    private volatile boolean running;
    private volatile long startedNanos;
    private volatile long finishedNanos;

    JobRecord(String id, String handler, JsonNode payload, String idempotencyKey, Duration timeout,
              Context context, Runnable cancel) {
        this.id = id;
        this.handler = handler;
        this.payload = payload;
        this.idempotencyKey = idempotencyKey;
        this.timeout = timeout;
        this.context = context;
        this.cancel = cancel;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String handler() {
        return handler;
    }

    @Override
    public JsonNode payload() {
        return payload;
    }

    @Override
    public Context context() {
        return context;
    }

    /** The key the caller sent in {@code Idempotency-Key}, or {@code null}. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The job's deadline, measured from its acceptance. */
    public Duration timeout() {
        return timeout;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Closed once the job has its final outcome. */
    public ReceiveChannel<Object> done() {
        return done;
    }

    /** The status now. */
    public JobStatus status() {
        Outcome o = outcome.get();
        if (o != null) {
            return o.status();
        }
        return running ? JobStatus.RUNNING : JobStatus.QUEUED;
    }

    /** The final outcome, or {@code null} while the job is queued or running. */
    public Outcome outcome() {
        return outcome.get();
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

    /** Marks the job running; {@code false} if it already has an outcome (aborted while queued). */
    boolean start() {
        if (outcome.get() != null) {
            return false;
        }
        startedNanos = System.nanoTime();
        running = true;
        return outcome.get() == null;
    }

    /**
     * Sets the final outcome unless another one won; returns whether this call decided it. Waiters
     * are not woken yet: the engine records the outcome first, then calls {@link #release()}.
     */
    boolean finish(Outcome result) {
        if (!outcome.compareAndSet(null, result)) {
            return false;
        }
        finishedNanos = System.nanoTime();
        return true;
    }

    /**
     * After {@link #finish}: cancels the job's context (a handler still running learns it is no
     * longer wanted) and closes {@link #done()}, waking every waiter.
     */
    void release() {
        cancel.run();
        done.close();
    }
}
