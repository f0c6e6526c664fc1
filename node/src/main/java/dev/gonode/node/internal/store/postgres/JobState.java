package dev.gonode.node.internal.store.postgres;

import java.util.Locale;

/**
 * A job's state in the {@code gonode_job} table (its {@code state} column, spelled in lower case).
 * The job API shows fewer words; {@link #apiStatus()} maps one to the other.
 */
public enum JobState {
    /** Due and waiting for a claim. API: {@code queued}. */
    AVAILABLE,
    /** Waiting for its {@code scheduled_at}; claimable once that has passed. API: {@code scheduled}. */
    SCHEDULED,
    /** Claimed by a node that holds its lease. API: {@code running}. */
    RUNNING,
    /** An attempt failed and another is due at {@code scheduled_at}. API: {@code retryable}. */
    RETRYABLE,
    /** The handler returned a result. */
    SUCCEEDED,
    /** The handler failed, rejected the payload, or the deadline passed; no retry follows. */
    FAILED,
    /** Called off (its caller went away, or an operator cancelled it). */
    CANCELLED,
    /** A node gave up on it (the memory store's drain timeout). */
    ABORTED,
    /** Every attempt was used up; kept for inspection until pruned (a dead job). */
    DISCARDED;

    /** The value of the {@code state} column. */
    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state named by a {@code state} column value. */
    public static JobState fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Whether the job has its final answer (the row has {@code finished_at}). */
    public boolean isFinal() {
        return switch (this) {
            case AVAILABLE, SCHEDULED, RUNNING, RETRYABLE -> false;
            case SUCCEEDED, FAILED, CANCELLED, ABORTED, DISCARDED -> true;
        };
    }

    /**
     * The word {@code GET /v1/jobs/{id}} uses: {@code queued} for a due job waiting for a claim,
     * otherwise the state's own name.
     */
    public String apiStatus() {
        return this == AVAILABLE ? "queued" : dbName();
    }
}
