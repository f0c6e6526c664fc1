package dev.gonode.bench.jfr;

import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.runtime.pprof.internal.ContentionProfiler;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the block and mutex profiles cost on the park path, on JfrHookBench's channel ping-pong
 * (per round trip: two parks, two wake-ups), in one run: no profiler ({@code none}); a profiler
 * whose rates were set and then reset to 0 ({@code off}: the state of a node whose profiles are
 * off, the hook removed again); the block profile at 1 ms ({@code block=1ms}: each ~µs wait is
 * recorded with probability d/1ms) and at 1 ns ({@code block=1}: every wait, a stack walk each).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class BlockProfileCostBench {

    @Param({"none", "off", "block=1ms", "block=1"})
    public String profile;

    private GoRuntime rt;
    private ContentionProfiler profiler;

    @Setup
    public void setup() {
        rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2));
        if (!profile.equals("none")) {
            profiler = new ContentionProfiler(rt);
            switch (profile) {
                case "off" -> {
                    profiler.setRates(1, 1);
                    profiler.setRates(0, 0);
                }
                case "block=1ms" -> profiler.setRates(1_000_000, 0);
                case "block=1" -> profiler.setRates(1, 0);
                default -> throw new IllegalArgumentException(profile);
            }
        }
    }

    @TearDown
    public void tearDown() {
        if (profiler != null) {
            profiler.setRates(0, 0);
        }
        rt.shutdown();
    }

    @Benchmark
    @OperationsPerInvocation(JfrHookBench.ROUND_TRIPS)
    public void pingPong() throws InterruptedException {
        JfrHookBench.pingPong(rt);
    }
}
