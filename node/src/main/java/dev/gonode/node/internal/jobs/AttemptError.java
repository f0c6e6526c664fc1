package dev.gonode.node.internal.jobs;

import java.time.Instant;

/**
 * How one failed attempt of a job ended, as {@code GET /v1/jobs/{id}} lists it under {@code errors}.
 *
 * @param attempt the attempt's number, from 1
 * @param at      when it ended
 * @param code    the error code ({@code handler_failed}, {@code deadline_exceeded}, {@code lease_expired})
 * @param message what happened, for people
 * @param errorId the node log's error id for a handler failure; {@code null} otherwise
 */
public record AttemptError(int attempt, Instant at, String code, String message, String errorId) {

    /** Attempt {@code attempt} ended now with {@code failure}. */
    static AttemptError of(int attempt, Outcome failure) {
        return new AttemptError(attempt, Instant.now(), failure.code(), failure.message(),
                failure instanceof Outcome.HandlerFailed f ? f.errorId() : null);
    }
}
