package dev.gonode.node.internal.store.postgres;

import java.time.Duration;
import java.util.Objects;

/**
 * How one attempt of a job ended, as {@link PostgresJobQueue#complete} records it: a final state
 * with its result or error, or a retry due after a delay. Errors are JSON objects (the job API's
 * {@code {code, message, ...}}); each one is also appended to the job's {@code errors} list with
 * the attempt number and the time.
 */
public record Outcome(JobState state, String result, String error, Duration retryIn) {

    public Outcome {
        Objects.requireNonNull(state, "state");
        switch (state) {
            case SUCCEEDED -> {
                Objects.requireNonNull(result, "a succeeded outcome needs a result");
                if (error != null || retryIn != null) {
                    throw new IllegalArgumentException("a succeeded outcome has a result only");
                }
            }
            case FAILED, CANCELLED, ABORTED, DISCARDED -> {
                Objects.requireNonNull(error, "a " + state.dbName() + " outcome needs an error");
                if (result != null || retryIn != null) {
                    throw new IllegalArgumentException("a " + state.dbName() + " outcome has an error only");
                }
            }
            case RETRYABLE -> {
                Objects.requireNonNull(error, "a retry needs the attempt's error");
                Objects.requireNonNull(retryIn, "a retry needs its delay");
                if (result != null || retryIn.isNegative()) {
                    throw new IllegalArgumentException("a retry has an error and a delay >= 0 only");
                }
            }
            default -> throw new IllegalArgumentException(state.dbName() + " is not how an attempt ends");
        }
    }

    /** The handler returned {@code resultJson}. */
    public static Outcome succeeded(String resultJson) {
        return new Outcome(JobState.SUCCEEDED, resultJson, null, null);
    }

    /** The attempt ended in {@code finalState} (failed, cancelled, aborted or discarded) with {@code errorJson}. */
    public static Outcome finished(JobState finalState, String errorJson) {
        return new Outcome(finalState, null, errorJson, null);
    }

    /** The attempt failed with {@code errorJson}; the job is due again after {@code delay}. */
    public static Outcome retry(String errorJson, Duration delay) {
        return new Outcome(JobState.RETRYABLE, null, errorJson, delay);
    }
}
