package dev.gonode.runtime.chan;

import dev.gonode.runtime.internal.sched.Park;

/**
 * A goroutine blocked in a channel operation (Go's {@code sudog}): one per blocked send or receive,
 * one per channel case of a blocked {@code select}.
 *
 * <p>Implementation notes. A waiter sits in one channel's send or receive queue, linked through
 * {@link #prev}/{@link #next} under that channel's lock. The goroutine that takes it out of the
 * queue to communicate with it (the "waker") first {@linkplain #tryClaim() claims} it: a plain
 * waiter can always be claimed, a select waiter only if its select has not been claimed already
 * through another case (the CAS on {@link SelectWait#state} is Go's {@code selectDone}). The waker
 * then writes {@link #elem} and {@link #success} and {@linkplain #complete() completes} it: a
 * volatile write ({@link #done}, or {@link SelectWait#fired} for a select) that the parked
 * goroutine polls, followed by an unpark. The volatile write orders the waker's writes before the
 * parked goroutine's reads, which is the happens-before edge from a send to its receive when the
 * value is handed over directly. Waiters are never reused, so a late or spurious unpark can only
 * make a parked goroutine re-check its flag.
 */
final class Waiter {

    /** The parked thread (a goroutine's virtual thread, or a plain thread). */
    final Thread thread;
    /** The channel whose queue this waiter is (or was) in. */
    final Channel<?> channel;
    /** The shared state of the select this waiter belongs to, or {@code null} for a plain send/receive. */
    final SelectWait select;
    /** For a select waiter: the index of its case in the select's channel cases. */
    final int caseIndex;
    /** For a send: the value offered. For a receive: the value received, written by the waker. */
    Object elem;
    /** Written by the waker: {@code true} if a value was communicated, {@code false} if the channel was closed. */
    boolean success;

    // Queue links, guarded by the channel's lock.
    Waiter prev;
    Waiter next;
    boolean queued;
    /** Link in the list of waiters that {@code close} wakes after releasing the lock. */
    Waiter wakeNext;

    /** Set by the waker of a plain waiter once {@link #elem} and {@link #success} are written. */
    private volatile boolean done;

    Waiter(Thread thread, Channel<?> channel, SelectWait select, int caseIndex, Object elem) {
        this.thread = thread;
        this.channel = channel;
        this.select = select;
        this.caseIndex = caseIndex;
        this.elem = elem;
    }

    /**
     * Called by a waker that has just unlinked this waiter, under the channel's lock: whether it may
     * communicate with it. {@code false} means the waiter's select already won through another case
     * (or timed out); the waiter is simply dropped, and its select removes its other waiters itself.
     */
    boolean tryClaim() {
        return select == null || select.claim();
    }

    /** Publishes {@link #elem} and {@link #success} to the parked thread and wakes it. Called without locks. */
    void complete() {
        if (select == null) {
            done = true;
        } else {
            select.fired = this;
        }
        Park.unpark(thread);
    }

    /** Whether a plain waiter has been completed. */
    boolean isDone() {
        return done;
    }

    /** A FIFO of waiters (Go's {@code waitq}), guarded by the owning channel's lock. */
    static final class Queue {
        private Waiter first;
        private Waiter last;
        /** Number of waiters linked (including select waiters that already lost), for diagnostics and tests. */
        private int size;

        void enqueue(Waiter w) {
            w.next = null;
            w.prev = last;
            if (last == null) {
                first = w;
            } else {
                last.next = w;
            }
            last = w;
            w.queued = true;
            size++;
        }

        /**
         * Unlinks and returns the first waiter that can be claimed, dropping select waiters whose
         * select has already completed; {@code null} if there is none.
         */
        Waiter dequeue() {
            for (;;) {
                Waiter w = first;
                if (w == null) {
                    return null;
                }
                unlink(w);
                if (w.tryClaim()) {
                    return w;
                }
            }
        }

        /** Unlinks {@code w} if it is still queued (a select removing its losing cases). */
        void remove(Waiter w) {
            if (w.queued) {
                unlink(w);
            }
        }

        /** Whether no waiter is queued. Only a hint when read without the lock. */
        boolean isEmpty() {
            return first == null;
        }

        int size() {
            return size;
        }

        private void unlink(Waiter w) {
            Waiter p = w.prev;
            Waiter n = w.next;
            if (p == null) {
                first = n;
            } else {
                p.next = n;
            }
            if (n == null) {
                last = p;
            } else {
                n.prev = p;
            }
            w.prev = null;
            w.next = null;
            w.queued = false;
            size--;
        }
    }
}
