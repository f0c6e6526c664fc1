package dev.gonode.runtime.internal.sched;

/**
 * The scheduler's global run queue (Go's {@code sched.runq}): FIFO, shared by every P, taking and
 * handing out goroutines in batches.
 *
 * <p>Implementation notes. Like Go's, it is a plain queue under a lock, because its traffic comes in
 * batches: a P whose ring is full moves half of it here in one call, a plain thread's wake-ups
 * arrive a chunk at a time ({@code Scheduler.inject}), and a P that finds its ring empty takes its
 * fair share (up to half a ring) in one call. One lock acquisition per batch replaces the one CAS,
 * one allocated node and one length update per goroutine of a {@code ConcurrentLinkedQueue} (in a
 * million-goroutine fan-out, 12% of the JFR samples). The lock is a {@link SpinLock}: nothing
 * under it blocks or allocates except growing the array. The elements live in a circular array
 * that doubles when full and halves when three quarters empty (never below
 * {@value #MIN_CAPACITY}), so a burst of a million queued goroutines does not keep its array.
 * {@link #size} is written under the lock and read without it for the emptiness checks of the
 * scheduling loop: a stale read there is a missed or empty look, as with Go's {@code sched.runqsize}.
 */
final class GlobalQueue {

    static final int MIN_CAPACITY = 256; // a power of two

    private final SpinLock lock = new SpinLock();
    private Runnable[] ring = new Runnable[MIN_CAPACITY]; // guarded by lock; capacity a power of two
    private int head; // guarded by lock: index of the oldest element
    private volatile int size; // written under lock

    /** Appends {@code task}. */
    void put(Runnable task) {
        lock.lock();
        try {
            ensureRoom(1);
            ring[(head + size) & (ring.length - 1)] = task;
            size = size + 1;
        } finally {
            lock.unlock();
        }
    }

    /** Appends {@code tasks[0..n)}, in order. */
    void putAll(Runnable[] tasks, int n) {
        lock.lock();
        try {
            ensureRoom(n);
            int mask = ring.length - 1;
            int tail = head + size;
            for (int i = 0; i < n; i++) {
                ring[(tail + i) & mask] = tasks[i];
            }
            size = size + n;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the oldest element, or {@code null} when empty. */
    Runnable poll() {
        if (size == 0) {
            return null;
        }
        lock.lock();
        try {
            if (size == 0) {
                return null;
            }
            Runnable task = ring[head];
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            size = size - 1;
            shrinkIfSparse();
            return task;
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code max} of the oldest elements into {@code into[0..)}; returns how many. */
    int pollInto(Runnable[] into, int max) {
        if (size == 0) {
            return 0;
        }
        lock.lock();
        try {
            int n = Math.min(max, size);
            int mask = ring.length - 1;
            for (int i = 0; i < n; i++) {
                int at = (head + i) & mask;
                into[i] = ring[at];
                ring[at] = null;
            }
            head = (head + n) & mask;
            size = size - n;
            shrinkIfSparse();
            return n;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The number of queued goroutines (a racy read: exact only while nobody changes the queue). */
    int length() {
        return size;
    }

    private void ensureRoom(int extra) {
        int needed = size + extra;
        if (needed > ring.length) {
            int capacity = ring.length;
            while (capacity < needed) {
                capacity <<= 1;
            }
            resize(capacity);
        }
    }

    private void shrinkIfSparse() {
        if (ring.length > MIN_CAPACITY && size < ring.length / 4) {
            resize(ring.length / 2);
        }
    }

    /** Copies the elements, oldest first, to the start of a new array of {@code capacity}. */
    private void resize(int capacity) {
        Runnable[] bigger = new Runnable[capacity];
        int mask = ring.length - 1;
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) & mask];
        }
        ring = bigger;
        head = 0;
    }
}
