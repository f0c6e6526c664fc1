package dev.gonode.node.internal.store.postgres;

/**
 * A queue operation failed in the database. The message says which operation and why, never a
 * password. {@link StoreUnavailableException}, the subclass, means the database could not be
 * reached and retrying later may work; any other {@code StoreException} is a bug or a rejected
 * value (invalid JSON, a value a constraint refuses).
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
