package dev.gonode.node.internal.store.postgres;

import dev.gonode.node.internal.store.postgres.PostgresJobQueue.Completion;
import dev.gonode.runtime.sync.WaitGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Settles jobs one at a time from many goroutines, and writes them to the database in batches:
 * {@link #complete} returns whether the lease still held, as {@link PostgresJobQueue#complete}
 * does, but many concurrent calls share one statement and one commit.
 *
 * <p>Implementation notes. Group commit without a timer: one flusher goroutine takes the first
 * waiting completion, drains whatever else has queued up (at most {@code maxBatch}), writes them
 * all with {@link PostgresJobQueue#completeAll}, and answers each caller. While a write is in
 * flight, new completions queue, so the batch grows with the load: an idle node pays one round
 * trip per job and no added delay, a busy one a round trip per batch (River's batch completer
 * waits on a short timer instead; the drain needs none). A failed write (the store unavailable)
 * fails every caller of that batch with the exception; the caller keeps its result and decides.
 * {@link #close()} writes what is queued, then stops the flusher.
 */
public final class BatchCompleter implements AutoCloseable {

    private record Request(Completion completion, CompletableFuture<Boolean> answer) {
    }

    /** Queued by {@link #close()}: the flusher ends once it reaches it. */
    private static final Request STOP = new Request(null, null);

    private final PostgresJobQueue queue;
    private final int maxBatch;
    private final LinkedBlockingQueue<Request> pending = new LinkedBlockingQueue<>();
    private final WaitGroup flusher = new WaitGroup();
    private volatile boolean closed;

    public BatchCompleter(PostgresJobQueue queue, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, not " + maxBatch);
        }
        this.queue = queue;
        this.maxBatch = maxBatch;
        flusher.go("gonode-postgres-completer", this::flushLoop);
    }

    /**
     * Records how one attempt ended once the next batch is written; returns whether the lease
     * still held. Blocks the calling goroutine until then.
     *
     * @throws StoreException           the batch could not be written
     * @throws IllegalStateException    after {@link #close()}
     */
    public boolean complete(Lease lease, Outcome outcome) {
        try {
            return completeAsync(lease, outcome).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Queues one attempt's end for the next batch without waiting: the future completes with
     * whether the lease still held, or exceptionally with the {@link StoreException} that failed
     * the batch. It completes on the flusher goroutine: what it runs must not block.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public CompletableFuture<Boolean> completeAsync(Lease lease, Outcome outcome) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the batch completer is closed");
            }
            pending.add(new Request(new Completion(lease, outcome), answer));
        }
        return answer;
    }

    private void flushLoop() {
        List<Request> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                batch.add(pending.take());
            } catch (InterruptedException e) {
                return;
            }
            pending.drainTo(batch, maxBatch - 1);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                write(batch);
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void write(List<Request> batch) {
        Set<UUID> held;
        try {
            held = queue.completeAll(batch.stream().map(Request::completion).toList());
        } catch (RuntimeException e) {
            batch.forEach(r -> r.answer().completeExceptionally(e));
            return;
        }
        for (Request r : batch) {
            r.answer().complete(held.contains(r.completion().lease().jobId()));
        }
    }

    /** Writes the completions already queued, then stops; later {@link #complete} calls fail. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pending.add(STOP);
        }
        flusher.waitAll();
    }
}
