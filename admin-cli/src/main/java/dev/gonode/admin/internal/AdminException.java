package dev.gonode.admin.internal;

/** A failure the CLI reports on stderr and turns into its exit status. */
public final class AdminException extends RuntimeException {

    /** The node answered with an error. */
    public static final int NODE_ERROR = 1;
    /** Bad usage. */
    public static final int USAGE = 2;
    /** {@code leaks --fail} found something. */
    public static final int LEAKS_FOUND = 3;
    /** The node cannot be reached. */
    public static final int UNREACHABLE = 4;

    private final int exitCode;

    public AdminException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
