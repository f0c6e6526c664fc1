package dev.gonode.bench.time;

import dev.gonode.runtime.time.Time;
import dev.gonode.runtime.time.Timer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gonode's timers against the JDK's {@link ScheduledThreadPoolExecutor} (one thread, remove on
 * cancel), measured in the same run.
 *
 * <ul>
 *   <li>{@code createStop*}: arm a timer an hour out and stop it at once, the life of most
 *       timeouts that guard an operation which finishes in time. gonode: {@code Time.newTimer} and
 *       {@code Timer.stop}; JDK: {@code schedule} and {@code cancel(false)}.</li>
 *   <li>{@code after*}: a 100 µs timer and a caller blocked until it fires; the time per operation
 *       minus 100 µs is the firing latency. gonode: {@code Time.after(d).receive()}; JDK: a
 *       {@code schedule}d task completing a future the caller waits on.</li>
 * </ul>
 * Callers are the JMH thread in both cases, so neither side gets a goroutine's advantage.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1)
public class TimerBench {

    static final Duration LONG = Duration.ofHours(1);
    static final Duration SHORT = Duration.ofNanos(100_000);
    static final Runnable NOTHING = () -> { };

    ScheduledThreadPoolExecutor jdk;

    @Setup
    public void setUp() {
        jdk = new ScheduledThreadPoolExecutor(1);
        jdk.setRemoveOnCancelPolicy(true); // otherwise cancelled tasks pile up in its queue
    }

    @TearDown
    public void tearDown() {
        jdk.shutdownNow();
    }

    @Benchmark
    public boolean createStopGonode() {
        Timer t = Time.newTimer(LONG);
        return t.stop();
    }

    @Benchmark
    public boolean createStopJdk() {
        ScheduledFuture<?> f = jdk.schedule(NOTHING, LONG.toNanos(), TimeUnit.NANOSECONDS);
        return f.cancel(false);
    }

    @Benchmark
    public Object afterGonode() {
        return Time.after(SHORT).receive();
    }

    @Benchmark
    public Object afterJdk() throws InterruptedException, ExecutionException {
        CompletableFuture<Long> fired = new CompletableFuture<>();
        jdk.schedule(() -> fired.complete(System.nanoTime()), SHORT.toNanos(), TimeUnit.NANOSECONDS);
        return fired.get();
    }
}
