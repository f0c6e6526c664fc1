package dev.gonode.node.internal.store.postgres;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A row of {@code gonode_job} as read. JSON columns are JSON text as PostgreSQL's {@code jsonb}
 * prints it (keys sorted by length then bytes, no insignificant white space), {@code null} where
 * the column is NULL.
 *
 * @param timeout     how long one attempt may run; {@code null}: the handler's configured timeout
 * @param errors      a JSON array with each failed attempt's error, oldest first
 * @param leaseToken  the fencing token of the last claim, or {@code null} if never claimed
 */
public record StoredJob(UUID id, String handler, JobState state, String payload, String result, String error,
                        String errors, String idempotencyKey, int attempt, int maxAttempts, Duration timeout,
                        Instant createdAt, Instant scheduledAt, Instant attemptedAt, Instant finishedAt,
                        String owner, Long leaseToken, Instant leaseExpiresAt) {

    /** The lease of the claim that returned this row; only meaningful for a {@link JobState#RUNNING} job. */
    public Lease lease() {
        if (leaseToken == null) {
            throw new IllegalStateException("job " + id + " has never been claimed");
        }
        return new Lease(id, leaseToken);
    }
}
