package dev.gonode.bench.dump;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.Labels;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.dump.DumpFormat;
import dev.gonode.runtime.dump.GoroutineDump;
import dev.gonode.runtime.dump.internal.StackReader;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole goroutine dump of {@code n} (default 100,000) parked goroutines, each blocked in a
 * channel receive under {@value #DEPTH} frames of its own and labelled with a job id, written to a
 * discarding stream in each format. Two baselines: {@code baseline_stackTraces} takes every
 * goroutine's stack with {@code Thread.getStackTrace} (what {@code Goroutine.stackTrace()} and,
 * before the dump walked stacks itself, every dump paid), {@code baseline_visibleStacks} takes the
 * stacks as a dump now does ({@code StackReader}: the frames it shows, each place resolved once),
 * the floor of every format; {@code jstack}-style {@code Thread.getAllStackTraces()} is no
 * baseline, since it does not see virtual threads. One dump per invocation (single-shot), in ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class GoroutineDumpBench {

    static final int DEPTH = 8;

    @Param("100000")
    public int n;

    private final Channel<Integer> release = Channel.make();
    private final List<Goroutine> goroutines = new ArrayList<>();

    @Setup(Level.Trial)
    public void park() {
        for (int i = 0; i < n; i++) {
            int job = i;
            Labels.with(Map.of("handler", "echo", "job", "job-" + job), () -> goroutines.add(Go.go(() -> nest(DEPTH))));
        }
        for (Goroutine g : goroutines) {
            while (g.waitReason() == null || g.state() != GoroutineState.WAITING) {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    private void nest(int depth) {
        if (depth == 0) {
            release.receiveOk();
        } else {
            nest(depth - 1);
        }
    }

    @TearDown(Level.Trial)
    public void unpark() throws InterruptedException {
        release.close();
        for (Goroutine g : goroutines) {
            g.join();
        }
    }

    @Benchmark
    public long baseline_stackTraces() {
        long frames = 0;
        for (Goroutine g : goroutines) {
            frames += g.stackTrace().length;
        }
        return frames;
    }

    @Benchmark
    public long baseline_visibleStacks() {
        StackReader reader = new StackReader();
        long frames = 0;
        for (Goroutine g : goroutines) {
            frames += reader.visibleStack(g).length;
        }
        return frames;
    }

    @Benchmark
    public long debug2() throws IOException {
        return GoroutineDump.all().write(DumpFormat.DEBUG2, OutputStream.nullOutputStream());
    }

    @Benchmark
    public long json() throws IOException {
        return GoroutineDump.all().write(DumpFormat.JSON, OutputStream.nullOutputStream());
    }

    @Benchmark
    public long debug1() throws IOException {
        return GoroutineDump.all().write(DumpFormat.DEBUG1, OutputStream.nullOutputStream());
    }

    @Benchmark
    public long pprof() throws IOException {
        return GoroutineDump.all().write(DumpFormat.PPROF, OutputStream.nullOutputStream());
    }
}
