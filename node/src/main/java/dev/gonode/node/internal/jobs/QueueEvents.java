package dev.gonode.node.internal.jobs;

import java.time.Duration;

/**
 * What the shared queue's side of the engine reports, for metrics ({@code jobs.store: postgres}).
 * Calls come from goroutines; implementations must be quick and must not block.
 */
public interface QueueEvents {

    /** Does nothing. */
    QueueEvents NONE = new QueueEvents() {
    };

    /** One claim query for {@code handler} took {@code took} and re-claimed {@code redelivered} jobs whose lease had expired. */
    default void claimed(String handler, Duration took, int redelivered) {
    }

    /** {@code count} jobs of {@code handler} were handed back to the queue (drain timeout). */
    default void released(String handler, int count) {
    }

    /** A store operation failed ({@code enqueue}, {@code claim}, {@code complete}, {@code renew}, {@code listen}, {@code prune}, {@code get}). */
    default void storeError(String operation) {
    }
}
