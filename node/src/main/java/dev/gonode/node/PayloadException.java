package dev.gonode.node;

/**
 * Thrown by a {@link JobHandler} whose payload is not acceptable: the job fails and its caller
 * gets {@code 400} with {@code code} {@code payload_rejected} and this message, which should say
 * what the handler expected.
 */
public final class PayloadException extends RuntimeException {

    public PayloadException(String message) {
        super(message);
    }
}
