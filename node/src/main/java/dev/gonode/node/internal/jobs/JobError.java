package dev.gonode.node.internal.jobs;

/**
 * Why a job did not succeed, as its caller sees it: the HTTP status, a stable code and a message
 * for people. Never a stack trace.
 */
public record JobError(int httpStatus, String code, String message) {

    static JobError payloadRejected(String message) {
        return new JobError(400, "payload_rejected", message);
    }

    static JobError deadlineExceeded(String timeout) {
        return new JobError(504, "deadline_exceeded", "the job did not finish within its timeout of " + timeout);
    }

    static JobError handlerFailed(String handler, String errorId) {
        return new JobError(500, "handler_failed", "handler " + handler + " failed; the node's log has the details"
                + " under error id " + errorId);
    }

    static JobError aborted() {
        return new JobError(503, "aborted", "the node is shutting down and gave up on this job before it finished;"
                + " it is safe to retry on another node");
    }

    static JobError cancelled() {
        return new JobError(499, "cancelled", "the job was cancelled because its caller went away");
    }
}
