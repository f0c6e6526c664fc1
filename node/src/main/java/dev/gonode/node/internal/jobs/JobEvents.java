package dev.gonode.node.internal.jobs;

/**
 * What the job engine reports as it goes, for metrics and JFR. Calls come from event-loop threads
 * and goroutines; implementations must be quick and must not block.
 */
public interface JobEvents {

    /** Does nothing. */
    JobEvents NONE = new JobEvents() {
    };

    /** A job of {@code handler} was accepted into its mailbox. */
    default void accepted(String handler) {
    }

    /** A job of {@code handler} was refused; {@code reason} is {@code draining} or {@code mailbox_full}. */
    default void rejected(String handler, String reason) {
    }

    /** {@code job} has its final outcome. */
    default void settled(JobRecord job) {
    }
}
