package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.context.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import jdk.jfr.consumer.RecordingStream;

/**
 * Go's CPU profile from JFR's execution samples: {@code jdk.ExecutionSample} every 10 ms (Go's
 * 100 Hz) for a window, as {@code samples/count} and {@code cpu/nanoseconds} with period 10 ms,
 * Java frames as functions with their file and line, goroutine labels as pprof labels.
 *
 * <p>Implementation notes. JFR's sampler stops the threads that are running Java code every
 * period and records their stacks (virtual threads as themselves, so a goroutine's samples carry
 * its labels, {@link ThreadLabels}); each sample stands for one period of CPU, which is how Go's
 * profile counts too. Threads in native code or blocked are not sampled, as Go's profile does not
 * count a parked goroutine. If another recording asks for a shorter period, JFR samples faster
 * and the CPU time here is overstated by that ratio: the profile assumes the 10 ms it asked for.
 */
public final class CpuProfiler {

    static final Duration PERIOD = Duration.ofMillis(10);
    /** Distinct (stack, labels) samples kept; a 30 s profile of a busy node has a few thousand. */
    static final int MAX_SAMPLES = 50_000;

    private CpuProfiler() {
    }

    /** Collects for {@code window} (or until {@code ctx} is done) and writes the profile to {@code out}. */
    public static void write(Duration window, Context ctx, OutputStream out) throws IOException {
        long period = PERIOD.toNanos();
        ProfileBuilder profile = new ProfileBuilder(
                List.of(new ProfileBuilder.ValueType("samples", "count"), new ProfileBuilder.ValueType("cpu", "nanoseconds")),
                new ProfileBuilder.ValueType("cpu", "nanoseconds"), period, null, MAX_SAMPLES);
        ThreadLabels labels = JfrCollection.labels();
        RecordingStream stream = new RecordingStream();
        stream.enable("jdk.ExecutionSample").withPeriod(PERIOD);
        stream.onFlush(labels::flushed);
        stream.onEvent("jdk.ExecutionSample", e -> profile.add(JfrCollection.frames(e.getStackTrace()),
                labels.of(e.getThread("sampledThread")), 1, period));
        long start = System.currentTimeMillis();
        long took = JfrCollection.run(JfrCollection.Kind.CPU, stream, window, ctx);
        profile.window(start, took);
        profile.write(out);
    }
}
