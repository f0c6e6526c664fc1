package dev.gonode.node.handlers;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import java.util.Map;

/**
 * {@code flaky}: {@code {"fail_attempts": N}} (N from 0 to 1000) fails its first N attempts with a
 * handler error (500 {@code handler_failed}, which is retried) and then returns
 * {@code {"attempt": k}}, k being the attempt that succeeded. For trying retries, backoff, the
 * dead set ({@code discarded}), alerts and dashboards end to end on a live fleet: with the default
 * {@code max-attempts: 3}, {@code fail_attempts: 2} succeeds on the third attempt and
 * {@code fail_attempts: 3} is discarded.
 */
public final class FlakyHandler implements JobHandler {

    /** The most attempts a job can have ({@code max-attempts}' limit): more failures could never show. */
    static final long MAX_FAIL_ATTEMPTS = 1000;

    @Override
    public String name() {
        return "flaky";
    }

    @Override
    public Object handle(Job job) {
        long failAttempts = PayloadFields.of(job, "flaky takes {\"fail_attempts\": N}, the attempts that fail")
                .wholeNumber("fail_attempts", 0, MAX_FAIL_ATTEMPTS);
        if (job.attempt() <= failAttempts) {
            throw new FlakyFailure("flaky: attempt " + job.attempt() + " fails as asked (fail_attempts "
                    + failAttempts + ")");
        }
        return Map.of("attempt", job.attempt());
    }

    /** The failure {@code flaky} was asked for; logged by the node like any handler failure. */
    static final class FlakyFailure extends RuntimeException {
        FlakyFailure(String message) {
            super(message, null, false, false);
        }
    }
}
