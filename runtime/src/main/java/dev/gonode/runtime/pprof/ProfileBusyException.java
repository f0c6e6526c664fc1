package dev.gonode.runtime.pprof;

/**
 * A profile of this kind is already being collected; the message says which and for about how long.
 * The HTTP endpoints answer it with 409.
 */
public final class ProfileBusyException extends IllegalStateException {

    public ProfileBusyException(String message) {
        super(message);
    }
}
