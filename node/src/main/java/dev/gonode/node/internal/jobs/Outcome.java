package dev.gonode.node.internal.jobs;

import dev.gonode.runtime.GoDuration;
import java.time.Duration;

/**
 * How a job ended: set exactly once, by whoever settles the job first (its worker, its deadline,
 * its caller going away, the drain). Each outcome knows the job's final {@link JobStatus}, a
 * stable machine-readable {@link #code()} and a message for people; what that means in HTTP is
 * the edge's business ({@code JobAnswers}), not the domain's.
 */
public sealed interface Outcome {

    /** The job's final status. */
    JobStatus status();

    /** A stable snake_case code: {@code succeeded} for a success, the error code otherwise. */
    String code();

    /** What happened, for people; never a stack trace. */
    String message();

    /**
     * The handler returned a result, kept as the JSON text it was written to (written once, on
     * the worker, so that every later answer of the job is a copy of bytes and can never fail).
     */
    record Succeeded(byte[] resultJson) implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.SUCCEEDED;
        }

        @Override
        public String code() {
            return "succeeded";
        }

        @Override
        public String message() {
            return "the handler returned a result";
        }
    }

    /** The handler refused the payload ({@code PayloadException}); {@code reason} is its message. */
    record PayloadRejected(String reason) implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.FAILED;
        }

        @Override
        public String code() {
            return "payload_rejected";
        }

        @Override
        public String message() {
            return reason;
        }
    }

    /** The handler threw, or its result could not be written as JSON; the log has {@code errorId}. */
    record HandlerFailed(String handler, String errorId) implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.FAILED;
        }

        @Override
        public String code() {
            return "handler_failed";
        }

        @Override
        public String message() {
            return "handler " + handler + " failed; the node's log has the details under error id " + errorId;
        }
    }

    /** The job's deadline passed before it finished. */
    record DeadlineExceeded(Duration timeout) implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.FAILED;
        }

        @Override
        public String code() {
            return "deadline_exceeded";
        }

        @Override
        public String message() {
            return "the job did not finish within its timeout of " + GoDuration.format(timeout);
        }
    }

    /**
     * The job was called off: its caller went away ({@link #CALLER_WENT_AWAY}), or an operator
     * cancelled it with {@code DELETE /v1/jobs/{id}} ({@link #BY_REQUEST}); {@code message} says which.
     */
    record Cancelled(String message) implements Outcome {
        /** The caller that started the job went away before its answer. */
        public static final Cancelled CALLER_WENT_AWAY = new Cancelled(
                "the job was cancelled because its caller went away");
        /** {@code DELETE /v1/jobs/{id}}. */
        public static final Cancelled BY_REQUEST = new Cancelled("the job was cancelled by DELETE /v1/jobs/{id}");

        @Override
        public JobStatus status() {
            return JobStatus.CANCELLED;
        }

        @Override
        public String code() {
            return "cancelled";
        }
    }

    /**
     * Every attempt failed: {@code last} is how the last one ended (a handler failure, a deadline,
     * a lost lease); the job will not run again.
     */
    record Discarded(Outcome last, int attempts) implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.DISCARDED;
        }

        @Override
        public String code() {
            return last.code();
        }

        @Override
        public String message() {
            return last.message() + " (attempt " + attempts + " of " + attempts + "; no attempts are left, so the job"
                    + " is discarded)";
        }
    }

    /**
     * Shared queue, for the node that ran the attempt: it failed with {@code failure} and the job
     * is due again after {@code delay}, on any node. Ends the local attempt, not the job; a caller
     * waiting for the job goes on waiting for the row.
     */
    record RetryScheduled(Outcome failure, Duration delay) implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.RETRYABLE;
        }

        @Override
        public String code() {
            return failure.code();
        }

        @Override
        public String message() {
            return failure.message() + "; retrying in " + GoDuration.format(delay);
        }
    }

    /** Whether another attempt may cure this: a handler failure or a deadline, never a rejected payload. */
    default boolean retriable() {
        return this instanceof HandlerFailed || this instanceof DeadlineExceeded;
    }

    /** The node drained and gave up on the job at the drain timeout; running it elsewhere is safe. */
    record Aborted() implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.ABORTED;
        }

        @Override
        public String code() {
            return "aborted";
        }

        @Override
        public String message() {
            return "the node is shutting down and gave up on this job before it finished; it is safe to retry on"
                    + " another node";
        }
    }

    /**
     * The node drained and, at the drain timeout, handed the unfinished job back to the fleet's
     * shared queue, where another node runs it: the job is queued again, not ended. Its caller
     * retries (with the same {@code Idempotency-Key} to wait for this job) or reads it later.
     */
    record Released() implements Outcome {
        @Override
        public JobStatus status() {
            return JobStatus.QUEUED;
        }

        @Override
        public String code() {
            return "released";
        }

        @Override
        public String message() {
            return "this node is shutting down and handed the job back to the queue before it finished; another node"
                    + " will run it: retry with the same Idempotency-Key to wait for it, or GET /v1/jobs/{id}";
        }
    }

    /**
     * A job that ended in the fleet's shared queue in a way this node's other outcomes do not
     * describe, such as {@code discarded} after its owners' leases expired on every attempt;
     * {@code code} and {@code message} are as the queue recorded them.
     */
    record Recorded(JobStatus status, String code, String message) implements Outcome {
    }
}
