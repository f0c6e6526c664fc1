package dev.gonode.runtime.sync;

/**
 * Go's {@code sync.Locker}: something that can be locked and unlocked. {@link Mutex} and
 * {@link RWMutex} are lockers, and {@link RWMutex#rLocker()} is a locker over the read side;
 * {@link Cond} waits on one.
 */
public interface Locker {

    /** Acquires the lock, waiting as long as it takes. */
    void lock();

    /** Releases the lock. */
    void unlock();
}
