package dev.gonode.node.internal.store.postgres;

/**
 * PostgreSQL could not be reached (connection refused or lost, server shutting down, no pooled
 * connection within the connect timeout). Retriable: the job API answers
 * {@code 503 store_unavailable}. The pool reconnects by itself once the server is back.
 */
public final class StoreUnavailableException extends StoreException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
