package dev.gonode.bench.sched;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.time.Time;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Timer accuracy under load: 10,000 goroutines each sleep 10 ms at once; reports how much they
 * overslept (median and 99th percentile, in microseconds) as JMH secondary results.
 * {@code gonode}: {@code Time.sleep} on gonode's per-P timers; {@code jdk}: {@code Thread.sleep}
 * in virtual threads on the JDK's default scheduler.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1)
public class SleepAccuracyBench {

    static final int SLEEPERS = 10_000;
    static final Duration SLEEP = Duration.ofMillis(10);

    @Param({"gonode", "jdk"})
    public String scheduler;

    /** Oversleep figures of one run, summed by JMH over the single invocation of an iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Oversleep {
        public long medianMicros;
        public long p99Micros;

        @Setup(Level.Iteration)
        public void clear() {
            medianMicros = 0;
            p99Micros = 0;
        }
    }

    @Benchmark
    public void tenThousandSleepers(Oversleep result) throws InterruptedException {
        long[] over = new long[SLEEPERS];
        CountDownLatch done = new CountDownLatch(SLEEPERS);
        boolean gonode = scheduler.equals("gonode");
        for (int i = 0; i < SLEEPERS; i++) {
            int index = i;
            Runnable sleeper = () -> {
                long t0 = System.nanoTime();
                if (gonode) {
                    Time.sleep(SLEEP);
                } else {
                    try {
                        Thread.sleep(SLEEP);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                over[index] = System.nanoTime() - t0 - SLEEP.toNanos();
                done.countDown();
            };
            if (gonode) {
                Go.go(sleeper);
            } else {
                Thread.ofVirtual().start(sleeper);
            }
        }
        done.await();
        Arrays.sort(over);
        result.medianMicros = over[SLEEPERS / 2] / 1_000;
        result.p99Micros = over[SLEEPERS * 99 / 100] / 1_000;
    }
}
