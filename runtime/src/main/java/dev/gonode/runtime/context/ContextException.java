package dev.gonode.runtime.context;

/**
 * Why a context is done: {@link Context#CANCELED} ({@code context canceled}) or
 * {@link Context#DEADLINE_EXCEEDED} ({@code context deadline exceeded}), Go's two sentinel errors.
 * Compare with {@code ==}. Thrown by code that gives up because its context ended; the stack trace
 * is not filled in, since the two instances are shared.
 */
public final class ContextException extends RuntimeException {

    private final boolean deadline;

    ContextException(String message, boolean deadline) {
        super(message, null, false, false);
        this.deadline = deadline;
    }

    /** Whether this is {@link Context#DEADLINE_EXCEEDED} (Go's {@code Timeout()}). */
    public boolean isTimeout() {
        return deadline;
    }
}
