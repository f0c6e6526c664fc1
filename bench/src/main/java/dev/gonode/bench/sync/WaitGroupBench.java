package dev.gonode.bench.sync;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.sync.WaitGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * WaitGroup against {@link CountDownLatch}, the JDK's nearest equivalent, in two workloads. A
 * coordinator goroutine (or virtual thread) does the waiting, as in real code; the benchmark
 * thread only waits for the coordinator once per invocation.
 *
 * <ul>
 *   <li>{@code forkJoin_*}: {@value #ROUNDS} rounds of: start {@value #FANOUT} goroutines that each
 *       do a trivial task and count down, then wait for all of them. Per task; dominated by
 *       starting the goroutine, which is what fork/join code pays. The WaitGroup comes twice:
 *       with Go 1.25's {@code wg.go(task)} (an add per goroutine) and in the classic form (one
 *       {@code add(FANOUT)}, then {@code Go.go} and {@code done()}).</li>
 *   <li>{@code doneContended_*}: {@value #WORKERS} goroutines call {@code done()} (or
 *       {@code countDown()}) {@value #DONES} times each on one shared counter while the coordinator
 *       waits for zero. Per {@code done}; isolates the primitive under contention.</li>
 * </ul>
 *
 * Each comes as gonode's {@link WaitGroup} on gonode goroutines, {@code CountDownLatch} on gonode
 * goroutines, and {@code CountDownLatch} on the JDK's default virtual-thread scheduler.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class WaitGroupBench {

    static final int ROUNDS = 100;
    static final int FANOUT = 64;
    static final int WORKERS = 8;
    static final int DONES = 8_000;

    private final AtomicLong sink = new AtomicLong();

    // ---------------------------------------------------------------- fork/join

    @Benchmark
    @OperationsPerInvocation(ROUNDS * FANOUT)
    public long forkJoin_waitGroup_goroutines() throws InterruptedException {
        return coordinate(true, () -> {
            for (int r = 0; r < ROUNDS; r++) {
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < FANOUT; i++) {
                    wg.go(sink::incrementAndGet);
                }
                wg.waitAll();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS * FANOUT)
    public long forkJoin_waitGroupAdd_goroutines() throws InterruptedException {
        return coordinate(true, () -> {
            for (int r = 0; r < ROUNDS; r++) {
                WaitGroup wg = new WaitGroup();
                wg.add(FANOUT); // the classic form: one add, then go + done
                for (int i = 0; i < FANOUT; i++) {
                    Go.go(() -> {
                        sink.incrementAndGet();
                        wg.done();
                    });
                }
                wg.waitAll();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS * FANOUT)
    public long forkJoin_countDownLatch_goroutines() throws InterruptedException {
        return coordinate(true, () -> latchRounds(true));
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS * FANOUT)
    public long forkJoin_countDownLatch_jdkVirtualThreads() throws InterruptedException {
        return coordinate(false, () -> latchRounds(false));
    }

    private void latchRounds(boolean onGonode) {
        try {
            for (int r = 0; r < ROUNDS; r++) {
                CountDownLatch latch = new CountDownLatch(FANOUT);
                Runnable task = () -> {
                    sink.incrementAndGet();
                    latch.countDown();
                };
                for (int i = 0; i < FANOUT; i++) {
                    start(onGonode, task);
                }
                latch.await();
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- contended done()

    @Benchmark
    @OperationsPerInvocation(WORKERS * DONES)
    public long doneContended_waitGroup_goroutines() throws InterruptedException {
        return coordinate(true, () -> {
            WaitGroup wg = new WaitGroup();
            wg.add(WORKERS * DONES);
            for (int w = 0; w < WORKERS; w++) {
                Go.go(() -> {
                    for (int i = 0; i < DONES; i++) {
                        wg.done();
                    }
                });
            }
            wg.waitAll();
        });
    }

    @Benchmark
    @OperationsPerInvocation(WORKERS * DONES)
    public long doneContended_countDownLatch_goroutines() throws InterruptedException {
        return coordinate(true, () -> latchCountDowns(true));
    }

    @Benchmark
    @OperationsPerInvocation(WORKERS * DONES)
    public long doneContended_countDownLatch_jdkVirtualThreads() throws InterruptedException {
        return coordinate(false, () -> latchCountDowns(false));
    }

    private void latchCountDowns(boolean onGonode) {
        CountDownLatch latch = new CountDownLatch(WORKERS * DONES);
        for (int w = 0; w < WORKERS; w++) {
            start(onGonode, () -> {
                for (int i = 0; i < DONES; i++) {
                    latch.countDown();
                }
            });
        }
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static void start(boolean onGonode, Runnable body) {
        if (onGonode) {
            Go.go(body);
        } else {
            Thread.ofVirtual().start(body);
        }
    }

    /** Runs {@code coordinator} in a goroutine (or JDK virtual thread) and waits for it. */
    private long coordinate(boolean onGonode, Runnable coordinator) throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(1);
        start(onGonode, () -> {
            try {
                coordinator.run();
            } finally {
                finished.countDown();
            }
        });
        finished.await();
        return sink.get();
    }
}
