package dev.gonode.node;

/**
 * The node cannot start because of something the operator can fix: a bad configuration value or
 * a port another process holds. The message names the input and what to do; {@link Main} prints
 * it and exits with status 2.
 */
public final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
