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

    /** A job of {@code handler} was refused; {@code reason} is {@code draining} or {@code mailbox_full}. */
    default void rejected(String handler, String reason) {
    }

    /** {@code job} has its final outcome. */
    default void settled(JobRecord job) {
    }
}
