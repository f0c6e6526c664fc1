package dev.gonode.bench.chan;

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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Channel workloads, side by side in one run: {@code impl=gonode} (gonode channels on goroutines),
 * {@code impl=jox} (jox 1.0.1 channels on JDK virtual threads) and {@code impl=jdk}
 * ({@code SynchronousQueue} / {@code ArrayBlockingQueue} on JDK virtual threads). Each invocation
 * starts its goroutines from the benchmark thread, runs the whole workload and waits for it, so
 * the figure per operation includes a small share of start-up. Values are boxed ints from
 * Integer's cache: no workload allocates to make a value. For P=1 pass
 * {@code -jvmArgsAppend "-Xmx4g -Dgonode.gomaxprocs=1 -Djdk.virtualThreadScheduler.parallelism=1"}
 * (a command-line {@code -jvmArgsAppend} replaces the {@code @Fork} options; the runtime's own
 * come first from {@link dev.gonode.bench.BenchMain}).
 * One consumer selecting over two channels is in {@link ChanSelectBench} (JDK queues have no select).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class ChanBench {

    static final int ROUND_TRIPS = 100_000;
    static final int MESSAGES = 1_000_000;
    static final int CAPACITY = 1024;
    static final int SIDES = 4;
    static final int JOBS = 1_000_000;

    @Param({"gonode", "jox", "jdk"})
    public String impl;

    private Impl im;

    @Setup
    public void setup() {
        im = Impl.of(impl);
    }

    /** W1: two goroutines pass a value back and forth over two unbuffered channels; per round trip. */
    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongUnbuffered() throws InterruptedException {
        Impl.Lane ping = im.lane(0);
        Impl.Lane pong = im.lane(0);
        CountDownLatch done = new CountDownLatch(2);
        im.start(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.send(i & 127);
                pong.receive();
            }
            done.countDown();
        });
        im.start(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                pong.send(ping.receive());
            }
            done.countDown();
        });
        done.await();
    }

    /** W2: one producer, one consumer, buffer of 1024; per message. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long bufferedSpsc() throws InterruptedException {
        Impl.Lane ch = im.lane(CAPACITY);
        CountDownLatch done = new CountDownLatch(1);
        long[] sum = new long[1];
        im.start(() -> {
            for (int i = 0; i < MESSAGES; i++) {
                ch.send(i & 127);
            }
        });
        im.start(() -> {
            long s = 0;
            for (int i = 0; i < MESSAGES; i++) {
                s += ch.receive();
            }
            sum[0] = s;
            done.countDown();
        });
        done.await();
        return sum[0];
    }

    /** W3: four producers, four consumers, one buffer of 1024; per message. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long bufferedMpmc() throws InterruptedException {
        Impl.Lane ch = im.lane(CAPACITY);
        CountDownLatch done = new CountDownLatch(SIDES);
        AtomicLong sum = new AtomicLong();
        int each = MESSAGES / SIDES;
        for (int p = 0; p < SIDES; p++) {
            im.start(() -> {
                for (int i = 0; i < each; i++) {
                    ch.send(i & 127);
                }
            });
        }
        for (int c = 0; c < SIDES; c++) {
            im.start(() -> {
                long s = 0;
                for (int i = 0; i < each; i++) {
                    s += ch.receive();
                }
                sum.addAndGet(s);
                done.countDown();
            });
        }
        done.await();
        return sum.get();
    }

    /**
     * W7: a producer feeds a million tiny jobs through a channel of 1024 to a pool of P workers
     * (P = GOMAXPROCS, or the virtual-thread parallelism), which stop when it is closed (a poison
     * value per worker for a JDK queue); per job.
     */
    @Benchmark
    @OperationsPerInvocation(JOBS)
    public long workerPool() throws InterruptedException {
        int workers = im.parallelism();
        Impl.Lane jobs = im.lane(CAPACITY);
        CountDownLatch done = new CountDownLatch(workers);
        AtomicLong sum = new AtomicLong();
        im.start(() -> {
            for (int i = 0; i < JOBS; i++) {
                jobs.send(i & 127);
            }
            jobs.closeForReceivers(workers);
        });
        for (int w = 0; w < workers; w++) {
            im.start(() -> {
                long s = 0;
                for (Integer job; (job = jobs.receive()) != null;) {
                    s += Integer.bitCount(job * 0x9E3779B9); // the tiny job
                }
                sum.addAndGet(s);
                done.countDown();
            });
        }
        done.await();
        return sum.get();
    }
}
