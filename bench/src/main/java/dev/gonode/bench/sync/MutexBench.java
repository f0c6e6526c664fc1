package dev.gonode.bench.sync;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.sync.Mutex;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * A contended lock: {@code goroutines} goroutines share one lock and take it
 * {@value #LOCKS}/{@code goroutines} times each around a one-line critical section (a counter
 * increment), so the lock is almost always contended. Reported per lock acquisition, including
 * the amortised cost of starting and joining the goroutines.
 *
 * <ul>
 *   <li>{@code gonodeMutex_goroutines}: gonode's {@link Mutex} on gonode goroutines (the gonode way)</li>
 *   <li>{@code reentrantLock_goroutines}: the JDK's {@link ReentrantLock} on gonode goroutines</li>
 *   <li>{@code reentrantLock_jdkVirtualThreads}: {@link ReentrantLock} on the JDK's default
 *       virtual-thread scheduler (the plain-Java way)</li>
 *   <li>{@code gonodeMutex_jdkVirtualThreads}: gonode's {@link Mutex} on the JDK's scheduler
 *       (separates the lock's cost from the scheduler's)</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class MutexBench {

    static final int LOCKS = 64_000;

    @Param({"4", "64"})
    int goroutines;

    private final Mutex mutex = new Mutex();
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private long counter;

    @Benchmark
    @OperationsPerInvocation(LOCKS)
    public long gonodeMutex_goroutines() throws InterruptedException {
        return run(true, mutex::lock, mutex::unlock);
    }

    @Benchmark
    @OperationsPerInvocation(LOCKS)
    public long reentrantLock_goroutines() throws InterruptedException {
        return run(true, reentrantLock::lock, reentrantLock::unlock);
    }

    @Benchmark
    @OperationsPerInvocation(LOCKS)
    public long reentrantLock_jdkVirtualThreads() throws InterruptedException {
        return run(false, reentrantLock::lock, reentrantLock::unlock);
    }

    @Benchmark
    @OperationsPerInvocation(LOCKS)
    public long gonodeMutex_jdkVirtualThreads() throws InterruptedException {
        return run(false, mutex::lock, mutex::unlock);
    }

    private long run(boolean onGonode, Runnable lock, Runnable unlock) throws InterruptedException {
        int each = LOCKS / goroutines;
        CountDownLatch finished = new CountDownLatch(goroutines);
        Runnable body = () -> {
            for (int i = 0; i < each; i++) {
                lock.run();
                counter++;
                unlock.run();
            }
            finished.countDown();
        };
        for (int g = 0; g < goroutines; g++) {
            if (onGonode) {
                Go.go(body);
            } else {
                Thread.ofVirtual().start(body);
            }
        }
        finished.await();
        return counter;
    }
}
