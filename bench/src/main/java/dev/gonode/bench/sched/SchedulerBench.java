package dev.gonode.bench.sched;

import dev.gonode.runtime.Go;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The scheduler on its own, side by side with the JDK's default virtual-thread scheduler in the
 * same JVM: {@code scheduler=gonode} starts goroutines with {@link Go#go}, {@code scheduler=jdk}
 * starts plain virtual threads. Both use GOMAXPROCS-many carriers: pass
 * {@code -jvmArgsAppend "-Xmx4g -Dgonode.gomaxprocs=1 -Djdk.virtualThreadScheduler.parallelism=1"}
 * (a command-line {@code -jvmArgsAppend} replaces the {@code @Fork} options; the runtime's own
 * come first from {@link dev.gonode.bench.BenchMain}) for P=1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class SchedulerBench {

    static final int SPAWNS = 100_000;
    static final int ROUND_TRIPS = 100_000;
    static final int FAN_OUT = 1_000_000;

    @Param({"gonode", "jdk"})
    public String scheduler;

    private Consumer<Runnable> start;

    @org.openjdk.jmh.annotations.Setup
    public void setup() {
        start = scheduler.equals("gonode") ? Go::go : r -> Thread.ofVirtual().start(r);
    }

    /** Starting a goroutine from a plain thread and waiting for it to finish, per goroutine. */
    @Benchmark
    @OperationsPerInvocation(SPAWNS)
    public void spawnAndJoin() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(SPAWNS);
        for (int i = 0; i < SPAWNS; i++) {
            start.accept(done::countDown);
        }
        done.await();
    }

    /** Two goroutines handing a turn back and forth with park/unpark, per round trip. */
    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongParkUnpark() throws InterruptedException {
        AtomicInteger turn = new AtomicInteger();
        Thread[] players = new Thread[2];
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch done = new CountDownLatch(2);
        for (int side = 0; side < 2; side++) {
            int me = side;
            start.accept(() -> {
                players[me] = Thread.currentThread();
                started.countDown();
                try {
                    started.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    while (turn.get() != 2 * i + me) {
                        LockSupport.park();
                    }
                    turn.set(2 * i + me + 1);
                    LockSupport.unpark(players[1 - me]);
                }
                done.countDown();
            });
        }
        done.await();
    }

    /**
     * One goroutine fans out a million small tasks as goroutines; they fan their results back in
     * through a counter. Per task.
     */
    @Benchmark
    @OperationsPerInvocation(FAN_OUT)
    public long fanOutFanIn() throws InterruptedException {
        LongAdder sum = new LongAdder();
        CountDownLatch done = new CountDownLatch(FAN_OUT);
        CountDownLatch spawned = new CountDownLatch(1);
        start.accept(() -> {
            for (int i = 0; i < FAN_OUT; i++) {
                int n = i;
                start.accept(() -> {
                    sum.add(Integer.bitCount(n * 0x9E3779B9));
                    done.countDown();
                });
            }
            spawned.countDown();
        });
        spawned.await();
        done.await();
        return sum.sum();
    }
}
