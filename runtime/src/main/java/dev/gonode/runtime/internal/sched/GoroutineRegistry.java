package dev.gonode.runtime.internal.sched;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class GoroutineRegistry {

    static final int LEAK_HISTORY = 1024;

    private final ConcurrentHashMap<G, Boolean> live = new ConcurrentHashMap<>();
    final ReferenceQueue<Thread> collected = new ReferenceQueue<>();
    private final LongAdder leakedTotal = new LongAdder();
    private final ArrayDeque<G> leakHistory = new ArrayDeque<>(); // guarded by itself

    void add(G g) {
        live.put(g, Boolean.TRUE);
    }

    void remove(G g) {
        live.remove(g);
    }

    /** The live goroutines (weakly consistent; unordered). */
    public Stream<G> goroutines() {
        expungeCollected();
        return live.keySet().stream();
    }

    /** The number of live goroutines. */
    public long count() {
        expungeCollected();
        return live.size();
    }

    /** Moves goroutines the garbage collector found unreachable while blocked into the leak history. */
    void expungeCollected() {
        Reference<? extends Thread> ref;
        while ((ref = collected.poll()) != null) {
            G g = (G) ref;
            if (live.remove(g) != null && !g.finished()) {
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
