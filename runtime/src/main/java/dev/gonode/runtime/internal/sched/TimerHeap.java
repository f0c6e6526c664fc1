package dev.gonode.runtime.internal.sched;

import java.util.Arrays;

/**
 * One P's timers: a binary min-heap on deadline (Go's per-P {@code timers} heap).
 *
 * <p>Implementation notes. Each entry remembers its index, so cancelling is O(log n) and leaves
 * nothing behind (Go's old "deleted timer" backlog never builds up). A {@link SpinLock} guards the
 * heap because timers are added by the P's goroutines but may be cancelled from anywhere and run by
 * the P's carrier or by sysmon (a parking lock could deadlock them: see {@link SpinLock}).
 * {@link #nextDeadline} is published outside the lock so that carriers and sysmon can check
 * "anything due?" with one volatile read; {@code Long.MAX_VALUE} means empty. Actions run outside
 * the lock, after their entry has been removed, so an action that schedules or cancels timers
 * cannot deadlock and each action runs at most once.
 */
final class TimerHeap {

    /** A scheduled action; also the handle given back to the caller. */
    static final class Entry implements Timers.Timer {
        final long deadline;
        final Runnable action;
        volatile TimerHeap heap; // changes only when a retired P's timers move to another P
        int index = -1; // position in the heap, -1 once removed (fired or cancelled); guarded by heap.lock

        Entry(long deadline, Runnable action, TimerHeap heap) {
            this.deadline = deadline;
            this.action = action;
            this.heap = heap;
        }

        @Override
        public boolean cancel() {
            for (;;) {
                TimerHeap h = heap;
                if (h.remove(this)) {
                    return true;
                }
                if (heap == h) {
                    return false;
                }
                // moved to another heap while we looked: try there
            }
        }
    }

    private final SpinLock lock = new SpinLock();
    private Entry[] heap = new Entry[16];
    private int size;
    volatile long nextDeadline = Long.MAX_VALUE;

    /** Adds a timer; returns whether it became the earliest one. */
    Entry add(long deadline, Runnable action) {
        Entry e = new Entry(deadline, action, this);
        lock.lock();
        try {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            heap[size] = e;
            e.index = size;
            siftUp(size++);
            nextDeadline = heap[0].deadline;
        } finally {
            lock.unlock();
        }
        return e;
    }

    int size() {
        return size;
    }

    private boolean remove(Entry e) {
        lock.lock();
        try {
            int i = e.index;
            if (i < 0 || e.heap != this) {
                return false;
            }
            removeAt(i);
            nextDeadline = size == 0 ? Long.MAX_VALUE : heap[0].deadline;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs every timer due at {@code now}; returns how many ran. Safe to call from any thread.
     */
    int runDue(long now) {
        if (nextDeadline - now > 0) {
            return 0;
        }
        int ran = 0;
        for (;;) {
            Entry due;
            lock.lock();
            try {
                if (size == 0 || heap[0].deadline - now > 0) {
                    nextDeadline = size == 0 ? Long.MAX_VALUE : heap[0].deadline;
                    return ran;
                }
                due = heap[0];
                removeAt(0);
                nextDeadline = size == 0 ? Long.MAX_VALUE : heap[0].deadline;
            } finally {
                lock.unlock();
            }
            due.action.run();
            ran++;
        }
    }

    /**
     * Moves every timer into {@code target} (when a P is retired). Handles stay valid: both locks
     * are held while an entry changes heaps, so a concurrent cancel finds it in one or the other.
     * Only GOMAXPROCS changes call this, one at a time, so the two-lock order cannot cycle.
     */
    void moveAllTo(TimerHeap target) {
        lock.lock();
        try {
            target.lock.lock();
            try {
                for (int i = 0; i < size; i++) {
                    Entry e = heap[i];
                    heap[i] = null;
                    e.heap = target;
                    if (target.size == target.heap.length) {
                        target.heap = Arrays.copyOf(target.heap, target.size * 2);
                    }
                    target.heap[target.size] = e;
                    e.index = target.size;
                    target.siftUp(target.size++);
                }
                size = 0;
                nextDeadline = Long.MAX_VALUE;
                target.nextDeadline = target.size == 0 ? Long.MAX_VALUE : target.heap[0].deadline;
            } finally {
                target.lock.unlock();
            }
        } finally {
            lock.unlock();
        }
    }

    private void removeAt(int i) {
        Entry removed = heap[i];
        removed.index = -1;
        int last = --size;
        if (i != last) {
            Entry moved = heap[last];
            heap[i] = moved;
            moved.index = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
    }

    private void siftUp(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (p.deadline - e.deadline <= 0) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private void siftDown(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].deadline - heap[child].deadline < 0) {
                child = right;
            }
            if (e.deadline - heap[child].deadline <= 0) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
