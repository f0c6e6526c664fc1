package dev.gonode.runtime.dump.internal;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.dump.DumpFilter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The goroutines a dump shows, in id order, each read into a {@link Snapshot} shortly before the
 * writer reaches it.
 *
 * <p>Implementation notes. Memory stays bounded by a fixed window of stacks: selection keeps
 * references to the matching goroutine records only (a few words each, and the records are alive
 * anyway), sorts them by id as Go lists goroutines in creation order, and takes stacks while
 * iterating, so a writer that streams its output holds only the stacks of the window. The filter's
 * criteria read only the record and run before any stack is taken; the limit counts goroutines
 * actually shown, so one that finishes between selection and its snapshot does not use up a slot.
 *
 * <p>Taking a parked goroutine's stack ({@link StackReader}, 2–5 µs) is most of a dump's cost, and stacks can
 * be taken in parallel, so on a machine with at least 4 processors the iterator snapshots chunks
 * of {@value #CHUNK} goroutines on {@link #PARALLELISM} helper threads (half the processors, at most
 * 4), at most two chunks
 * per helper ahead of the writer, and hands them out in order. The helpers are daemon platform
 * threads of a pool per iteration that retire after a second idle, so an iteration the writer
 * abandons (an I/O error, a client gone) leaks nothing. With fewer processors the dump runs on the
 * caller's thread alone, leaving the other processor to the node.
 *
 * <p>A dump is not a stop-the-world snapshot: goroutines started after selection are absent and
 * the record and stack of one goroutine are read a few microseconds apart.
 */
public final class Selection implements Iterable<Snapshot> {

    static final int CHUNK = 256;
    /** Helper threads for a dump: half the processors, at most 4; below 2, none. */
    public static final int PARALLELISM = Math.min(4, Runtime.getRuntime().availableProcessors() / 2);

    private final List<Goroutine> selected;
    private final long limit;
    private final int parallelism;

    private Selection(List<Goroutine> selected, long limit, int parallelism) {
        this.selected = selected;
        this.limit = limit;
        this.parallelism = parallelism;
    }

    /** Selects from {@code goroutines} those {@code filter} matches. */
    public static Selection of(Stream<? extends Goroutine> goroutines, DumpFilter filter) {
        return of(goroutines, filter, PARALLELISM);
    }

    /** {@link #of(Stream, DumpFilter)} with {@code parallelism} helper threads (below 2: none). */
    public static Selection of(Stream<? extends Goroutine> goroutines, DumpFilter filter, int parallelism) {
        List<Goroutine> list = new ArrayList<>();
        goroutines.filter(filter::matches).forEach(list::add);
        list.sort(Comparator.comparingLong(Goroutine::id));
        return new Selection(list, filter.limit(), parallelism);
    }

    /** How many goroutines matched the filter when selected (before the limit and finished ones). */
    public int matched() {
        return selected.size();
    }

    @Override
    public Iterator<Snapshot> iterator() {
        return parallelism >= 2 && selected.size() > CHUNK ? new Parallel() : new Sequential();
    }

    /** Snapshots on the caller's thread, one at a time. */
    private final class Sequential implements Iterator<Snapshot> {
        private final StackReader stacks = new StackReader();
        private int next;
        private long shown;
        private Snapshot pending;

        @Override
        public boolean hasNext() {
            while (pending == null && shown < limit && next < selected.size()) {
                pending = Snapshot.take(selected.get(next++), stacks);
            }
            return pending != null;
        }

        @Override
        public Snapshot next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Snapshot s = pending;
            pending = null;
            shown++;
            return s;
        }
    }

    /** Snapshots chunks ahead on helper threads; hands them out in id order. */
    private final class Parallel implements Iterator<Snapshot> {
        private final StackReader stacks = new StackReader();
        private final ThreadPoolExecutor helpers;
        private final ArrayDeque<Future<Snapshot[]>> ahead = new ArrayDeque<>();
        private int nextChunkStart;
        private Snapshot[] chunk = new Snapshot[0];
        private int inChunk;
        private long shown;
        private Snapshot pending;

        Parallel() {
            helpers = new ThreadPoolExecutor(parallelism, parallelism, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> Thread.ofPlatform().daemon().name("gonode-dump-", 0).unstarted(r));
            helpers.allowCoreThreadTimeOut(true);
            refill();
        }

        private void refill() {
            while (ahead.size() < 2 * parallelism && nextChunkStart < selected.size()) {
                int from = nextChunkStart;
                int to = Math.min(from + CHUNK, selected.size());
                nextChunkStart = to;
                ahead.add(helpers.submit(() -> {
                    Snapshot[] out = new Snapshot[to - from];
                    for (int i = from; i < to; i++) {
                        out[i - from] = Snapshot.take(selected.get(i), stacks);
                    }
                    return out;
                }));
            }
        }

        @Override
        public boolean hasNext() {
            while (pending == null && shown < limit) {
                if (inChunk < chunk.length) {
                    pending = chunk[inChunk];
                    chunk[inChunk++] = null;
                } else if (ahead.isEmpty()) {
                    break;
                } else {
                    chunk = await(ahead.poll());
                    inChunk = 0;
                    refill();
                }
            }
            if (pending == null) {
                helpers.shutdownNow();
            }
            return pending != null;
        }

        private Snapshot[] await(Future<Snapshot[]> f) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                helpers.shutdownNow();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while taking goroutine stacks for a dump", e);
            } catch (ExecutionException e) {
                helpers.shutdownNow();
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("taking goroutine stacks for a dump failed", e.getCause());
            }
        }

        @Override
        public Snapshot next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Snapshot s = pending;
            pending = null;
            shown++;
            return s;
        }
    }
}
