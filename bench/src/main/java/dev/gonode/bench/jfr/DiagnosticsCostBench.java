package dev.gonode.bench.jfr;

import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.runtime.jfr.GonodeJfr;
import dev.gonode.runtime.metrics.GonodeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * What each diagnostic costs on the hottest path there is, a channel ping-pong between two
 * goroutines (per round trip: two parks, two wake-ups), against none in the same run:
 * {@code wait-sites=site} / {@code full} (the leak detector's wait site recorded at every park),
 * the metrics binder's scheduling-latency sampling (one submission in 64, and every one), and JFR
 * installed without a recording.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class DiagnosticsCostBench {

    static final int ROUND_TRIPS = JfrHookBench.ROUND_TRIPS;

    @Param({"none", "wait-sites=site", "wait-sites=full", "latency-sampling=64", "latency-sampling=1", "jfr-installed"})
    public String diagnostics;

    private GoRuntime rt;
    private AutoCloseable installed;

    @Setup
    public void setup() {
        RuntimeConfig config = RuntimeConfig.withGomaxprocs(2);
        switch (diagnostics) {
            case "wait-sites=site" -> config = config.withWaitSites(RuntimeConfig.WaitSites.SITE);
            case "wait-sites=full" -> config = config.withWaitSites(RuntimeConfig.WaitSites.FULL);
            default -> { }
        }
        rt = new GoRuntime(config);
        switch (diagnostics) {
            case "latency-sampling=64", "latency-sampling=1" -> {
                GonodeMetrics metrics = new GonodeMetrics(rt)
                        .latencySampling(Integer.parseInt(diagnostics.substring(diagnostics.indexOf('=') + 1)));
                metrics.bindTo(new SimpleMeterRegistry());
                installed = metrics;
            }
            case "jfr-installed" -> installed = GonodeJfr.install(rt);
            default -> installed = null;
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        if (installed != null) {
            installed.close();
        }
        rt.shutdown();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPong() throws InterruptedException {
        JfrHookBench.pingPong(rt);
    }
}
