package dev.gonode.runtime.sync.internal;

/**
 * Something that can cancel a blocking wait from outside: the hook through which a future
 * {@code Context} (its {@code Done()} channel) cancels {@code Semaphore.acquire}.
 *
 * <p>A blocking acquire checks {@link #isCancelled()} before it queues, registers a wake-up with
 * {@link #onCancel(Runnable)} while queued, and deregisters it when it leaves the queue.
 */
public interface CancelSignal {

    /** Never cancels. */
    CancelSignal NEVER = new CancelSignal() {
        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Registration onCancel(Runnable wake) {
            return Registration.NONE;
        }
    };

    /** Whether the wait is cancelled (already, or from now on: once true, always true). */
    boolean isCancelled();

    /**
     * Arranges for {@code wake} to run once when the signal is cancelled (at once, on the calling
     * thread, if it already is). {@code wake} is short and does not block: it unparks a waiter.
     */
    Registration onCancel(Runnable wake);

    /** A registered wake-up. */
    interface Registration {

        /** Nothing to deregister. */
        Registration NONE = () -> { };

        /** Drops the wake-up if it has not run yet; idempotent. */
        void deregister();
    }
}
