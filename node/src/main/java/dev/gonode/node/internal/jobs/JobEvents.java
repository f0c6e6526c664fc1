package dev.gonode.node.internal.jobs;

/**
 * What the job engine reports as it goes, for metrics and JFR. Calls come from event-loop threads
 * and goroutines; implementations must be quick and must not block.
 */
public interface JobEvents {

    /** Does nothing. */
    JobEvents NONE = new JobEvents() {
    };

    /** {@code job} was accepted into its handler's mailbox. */
    default void accepted(JobRecord job) {
    }

    /**
     * A job of {@code handler} was refused; {@code reason} is {@code draining}, {@code mailbox_full}
     * or {@code queue_full}.
     */
    default void rejected(String handler, String reason) {
    }

    /**
     * An attempt of {@code job} failed and another is scheduled (a retry with backoff); counted in
     * {@code gonode_jobs_retries_total{handler}}. A job whose attempts run out is settled
     * {@code discarded} instead ({@link #settled}).
     */
    default void retried(JobRecord job) {
    }

    /** {@code job} has its final outcome. */
    default void settled(JobRecord job) {
    }

    /** A worker of {@code handler} died (the log has {@code errorId}) and was replaced. */
    default void workerRestarted(String handler, String errorId) {
    }
}
