package dev.gonode.node.internal.jobs;

import java.util.Locale;

/** Where a job is in its life, as {@code GET /v1/jobs/{id}} reports it. */
public enum JobStatus {
    /** Accepted, waiting in its handler's mailbox (or, on the shared queue, for a claim). */
    QUEUED,
    /** Accepted with {@code ?run_at=} or {@code ?delay=}, waiting until it is due. */
    SCHEDULED,
    /** An attempt failed and another is due after a backoff. */
    RETRYABLE,
    /** A worker goroutine is running it. */
    RUNNING,
    /** The handler returned a result. */
    SUCCEEDED,
    /** The handler threw, rejected the payload, or the job's deadline passed. */
    FAILED,
    /** Its caller went away before the answer, and the job was called off. */
    CANCELLED,
    /** The node drained and gave up on it at the drain timeout; retrying elsewhere is safe. */
    ABORTED,
    /** Every attempt failed (or was lost with its node); it will not run again and is kept until pruned. */
    DISCARDED;

    /** Whether the job has its final answer. */
    public boolean isFinal() {
        return this != QUEUED && this != RUNNING && this != SCHEDULED && this != RETRYABLE;
    }

    /** The lower-case name used in JSON. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
