package dev.gonode.bench.jfr;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.runtime.internal.sched.RuntimeEvents;
import dev.gonode.runtime.jfr.GonodeJfr;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What gonode's JFR hooks cost when nobody records, next to no hook at all, in the same run.
 *
 * <ul>
 *   <li>{@code park*}: the hook pair every goroutine park goes through ({@code parkBegin}, and
 *       {@code parkEnd} when it returned a token), called directly: {@code NONE} (no listener
 *       installed) against the JFR listener with no recording (the events are disabled).</li>
 *   <li>{@code handoff*}: the same for sysmon's handoff hook.</li>
 *   <li>{@code pingPong*}: a channel ping-pong between two goroutines, per round trip (two parks),
 *       on a runtime without listeners, on one with JFR installed, and on that one while a
 *       recording with {@code gonode.jfc} runs (the blocked event enabled with its 20 ms
 *       {@code minimumWait}, so every park is timed and none is recorded), next to the runtime
 *       without listeners under the same recording (what a running recording costs by itself).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class JfrHookBench {

    static final int ROUND_TRIPS = 10_000;

    /** Two runtimes, one without listeners and one with JFR installed; no recording. */
    @State(Scope.Benchmark)
    public static class Runtimes {
        GoRuntime plain;
        GoRuntime withJfr;
        GonodeJfr.Installation jfr;
        RuntimeEvents none;
        RuntimeEvents jfrEvents;
        G g;
        final Object blocker = new Object();

        @Setup(Level.Trial)
        public void setup() throws InterruptedException {
            plain = new GoRuntime(RuntimeConfig.withGomaxprocs(2));
            withJfr = new GoRuntime(RuntimeConfig.withGomaxprocs(2));
            jfr = GonodeJfr.install(withJfr);
            none = plain.events();
            jfrEvents = withJfr.events();
            g = withJfr.go("bench", () -> { }, this);
            g.join();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            jfr.close();
            plain.shutdown();
            withJfr.shutdown();
        }
    }

    /** A recording with gonode.jfc running for the benchmarks that use this state. */
    @State(Scope.Benchmark)
    public static class Recorded {
        Recording recording;

        @Setup(Level.Trial)
        public void setup() {
            recording = new Recording(GonodeJfr.configuration());
            recording.setMaxAge(Duration.ofSeconds(10));
            recording.start();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            recording.close();
        }
    }

    private static Object parkHooks(RuntimeEvents events, G g, Object blocker) {
        Object token = events.parkBegin();
        if (token != null) {
            events.parkEnd(token, g, WaitReason.CHAN_RECEIVE, blocker);
        }
        return token;
    }

    @Benchmark
    public Object parkHookNone(Runtimes s) {
        return parkHooks(s.none, s.g, s.blocker);
    }

    @Benchmark
    public Object parkHookJfrNoRecording(Runtimes s) {
        return parkHooks(s.jfrEvents, s.g, s.blocker);
    }


    @Benchmark
    public void handoffHookNone(Runtimes s) {
        s.none.handoff(0, s.g, 12_000_000L);
    }

    @Benchmark
    public void handoffHookJfrNoRecording(Runtimes s) {
        s.jfrEvents.handoff(0, s.g, 12_000_000L);
    }

    /** {@link #ROUND_TRIPS} channel round trips between two goroutines of {@code rt}. */
    static void pingPong(GoRuntime rt) throws InterruptedException {
        Channel<Integer> ping = Channel.make();
        Channel<Integer> pong = Channel.make();
        G echo = rt.go(null, () -> {
            for (Integer v : ping) {
                pong.send(v);
            }
        }, ping);
        G driver = rt.go(null, () -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.send(i);
                pong.receive();
            }
            ping.close();
        }, pong);
        driver.join();
        echo.join();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongNoHook(Runtimes s) throws InterruptedException {
        pingPong(s.plain);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongJfrNoRecording(Runtimes s) throws InterruptedException {
        pingPong(s.withJfr);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongNoHookRecording(Runtimes s, Recorded r) throws InterruptedException {
        pingPong(s.plain);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongJfrRecording(Runtimes s, Recorded r) throws InterruptedException {
        pingPong(s.withJfr);
    }
}
