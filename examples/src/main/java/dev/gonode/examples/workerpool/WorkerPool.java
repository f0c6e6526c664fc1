package dev.gonode.examples.workerpool;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.sync.WaitGroup;
import java.util.function.Function;

/**
 * Starts {@code workers} goroutines that share one job channel and one result channel.
 *
 * <pre>{@code
 * Channel<Order> orders = Channel.make(100);
 * ReceiveChannel<Receipt> receipts = WorkerPool.start(8, orders, this::charge);
 * Go.go(() -> { for (Order o : incoming) orders.send(o); orders.close(); });
 * for (Receipt r : receipts) { ... }       // ends when every order has been charged
 * }</pre>
 */
public final class WorkerPool {

    private WorkerPool() {
    }

    /**
     * Starts {@code workers} goroutines, each taking jobs from {@code jobs} until it is closed and
     * drained, and returns the channel their results go to. That channel is closed once every worker
     * has finished, so the caller ranges over it. Results arrive in completion order, not job order.
     *
     * <p>{@code work} should not throw: as in Go, a result that can fail carries its error (a record
     * with a value or an exception). An exception escaping {@code work} ends that worker as a panic.
     *
     * @throws IllegalArgumentException if {@code workers < 1}
     */
    public static <J, R> ReceiveChannel<R> start(int workers, ReceiveChannel<J> jobs, Function<? super J, ? extends R> work) {
        if (workers < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one worker, got " + workers);
        }
        Channel<R> results = Channel.make(workers);
        WaitGroup running = new WaitGroup();
        for (int i = 0; i < workers; i++) {
            running.go(() -> {
                for (J job : jobs) {
                    results.send(work.apply(job));
                }
            });
        }
        Go.go(() -> {
            running.waitAll();
            results.close();
        });
        return results;
    }
}
