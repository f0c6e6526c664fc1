package dev.gonode.runtime.internal.sched;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Every live goroutine of a runtime, for dumps, stats and leak detection.
 *
 * <p>Implementation notes. The registry holds {@link G} records, which refer to their threads only
 * weakly, so it never keeps a goroutine alive: a finished goroutine removes its record, and a
 * parked goroutine that nothing can reach any more (nobody holds the channel or lock it waits on)
 * is collected by the garbage collector. Its record is then enqueued on {@link #collected}; sysmon
 * (and every read of the registry) moves such records out of the live set into {@link #leaked()}, a bounded history of proven leaks
 * that keeps their creation site, wait reason and wait site (the stack itself is gone). This only
 * works when goroutines are not also tracked by the JDK's root thread container; see
 * {@link GoroutineContainer}.
 *
 * <p>The live set is a striped, intrusive, doubly linked list: the links are fields of {@link G}
 * and each stripe (chosen by the goroutine's id) has its own {@link SpinLock}, so registering and
 * deregistering a goroutine is a few stores under an uncontended lock and allocates nothing. It
 * replaced a {@code ConcurrentHashMap<G, Boolean>}, whose {@code put} and {@code remove} (a node
 * of 32 bytes per live goroutine, a bin CAS or monitor, and a counter-cell update each) were 18%
 * of the JFR samples of {@code SchedulerBench.fanOutFanIn}. The list must hold its records
 * strongly: a {@code G} is the weak reference the leak proof relies on, and a weak reference that
 * is itself collected is never enqueued.
 */
public final class GoroutineRegistry {

    static final int LEAK_HISTORY = 1024;

    private static final int STRIPES = 64; // a power of two
    private final Stripe[] stripes = new Stripe[STRIPES];
    final ReferenceQueue<Thread> collected = new ReferenceQueue<>();
    private final LongAdder leakedTotal = new LongAdder();
    private final ArrayDeque<G> leakHistory = new ArrayDeque<>(); // guarded by itself

    /** One stripe of the live set: a doubly linked list of records through their registry links. */
    private static final class Stripe {
        final SpinLock lock = new SpinLock();
        G head; // guarded by lock
        volatile int size; // written under lock

        void add(G g) {
            lock.lock();
            try {
                g.registryPrev = null;
                g.registryNext = head;
                if (head != null) {
                    head.registryPrev = g;
                }
                head = g;
                g.registered = true;
                size = size + 1;
            } finally {
                lock.unlock();
            }
        }

        boolean remove(G g) {
            lock.lock();
            try {
                if (!g.registered) {
                    return false;
                }
                G prev = g.registryPrev;
                G next = g.registryNext;
                if (prev == null) {
                    head = next;
                } else {
                    prev.registryNext = next;
                }
                if (next != null) {
                    next.registryPrev = prev;
                }
                g.registryPrev = null;
                g.registryNext = null;
                g.registered = false;
                size = size - 1;
                return true;
            } finally {
                lock.unlock();
            }
        }

        void copyInto(List<G> into) {
            lock.lock();
            try {
                for (G g = head; g != null; g = g.registryNext) {
                    into.add(g);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    public GoroutineRegistry() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    private Stripe stripeOf(G g) {
        return stripes[(int) g.id() & (STRIPES - 1)];
    }

    void add(G g) {
        stripeOf(g).add(g);
    }

    void remove(G g) {
        stripeOf(g).remove(g);
    }

    /** The live goroutines (a snapshot taken one stripe at a time, so weakly consistent; unordered). */
    public Stream<G> goroutines() {
        expungeCollected();
        List<G> all = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, liveCount()));
        for (Stripe stripe : stripes) {
            stripe.copyInto(all);
        }
        return all.stream();
    }

    /** The number of live goroutines. */
    public long count() {
        expungeCollected();
        return liveCount();
    }

    private long liveCount() {
        long n = 0;
        for (Stripe stripe : stripes) {
            n += stripe.size;
        }
        return n;
    }

    /** Moves goroutines the garbage collector found unreachable while blocked into the leak history. */
    void expungeCollected() {
        Reference<? extends Thread> ref;
        while ((ref = collected.poll()) != null) {
            G g = (G) ref;
            if (stripeOf(g).remove(g) && !g.finished()) {
                leakedTotal.increment();
                synchronized (leakHistory) {
                    if (leakHistory.size() == LEAK_HISTORY) {
                        leakHistory.removeFirst();
                    }
                    leakHistory.addLast(g);
                }
            }
        }
    }

    /** Goroutines collected while blocked (proven leaks), oldest first, at most the last 1024. */
    public List<G> leaked() {
        expungeCollected();
        synchronized (leakHistory) {
            return new ArrayList<>(leakHistory);
        }
    }

    /** How many goroutines were collected while blocked since start. */
    public long leakedTotal() {
        expungeCollected();
        return leakedTotal.sum();
    }
}
