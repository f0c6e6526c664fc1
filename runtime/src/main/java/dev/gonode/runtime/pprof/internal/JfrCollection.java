package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.dump.internal.Frames;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.pprof.ProfileBusyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;

/**
 * Collects one kind of JFR sample for a while, in-process, with a {@link RecordingStream}; the CPU
 * and the allocation profiles are built on it.
 *
 * <p>Implementation notes. Each kind (CPU, allocations) allows one collection at a time:
 * JFR's sampling settings are process-wide (the shortest period any recording asks for wins), so
 * two CPU profiles at once would not each get the rate they expect, and a second one would only
 * double the cost for the same data. A second request is refused at once with who holds the kind
 * and until when ({@link ProfileBusyException}); the two kinds may run together, which is what a continuous
 * profiler scraping CPU and memory at the same interval does. Events are taken only by name
 * ({@code onEvent(name, ...)}), so events that other recordings enable are ignored. The stream
 * is stopped with {@link RecordingStream#stop()}, which returns after every event recorded until
 * then has been handed to the handlers, so a profile has the whole window. Waiting for the window
 * to pass is a {@code select} on the caller's context and a timeout: a goroutine that waits parks,
 * and a caller that goes away ends the collection early.
 */
public final class JfrCollection {

    /** What a collection is for and until when, for the message a refused request gets. */
    private record Holder(String what, long endsAtMillis) {
    }

    private static final AtomicReference<Holder> CPU = new AtomicReference<>();
    private static final AtomicReference<Holder> ALLOCATIONS = new AtomicReference<>();

    public enum Kind {
        CPU("a CPU profile"), ALLOCATIONS("an allocation profile");

        private final String what;

        Kind(String what) {
            this.what = what;
        }

        AtomicReference<Holder> slot() {
            return this == CPU ? JfrCollection.CPU : JfrCollection.ALLOCATIONS;
        }
    }

    private JfrCollection() {
    }

    /**
     * Runs {@code stream} (configured by the caller, not started) for {@code window} or until
     * {@code ctx} is done, then stops it; returns how long it ran in nanoseconds.
     *
     * @throws ProfileBusyException if a collection of {@code kind} is running
     */
    public static long run(Kind kind, RecordingStream stream, Duration window, Context ctx) {
        long startNanos = System.nanoTime();
        Holder me = new Holder(kind.what, System.currentTimeMillis() + window.toMillis());
        AtomicReference<Holder> slot = kind.slot();
        if (!slot.compareAndSet(null, me)) {
            Holder other = slot.get();
            long left = other == null ? 0 : Math.max(0, (other.endsAtMillis() - System.currentTimeMillis() + 999) / 1000);
            stream.close();
            throw new ProfileBusyException(kind.what + " is already being collected (about " + left
                    + " s left); JFR samples for one at a time: retry when it is done");
        }
        try (stream) {
            stream.startAsync();
            Select.select(Select.receiveOk(ctx.done()), Select.timeout(window));
            stream.stop();
            return System.nanoTime() - startNanos;
        } finally {
            slot.set(null);
        }
    }

    /** The frames of a JFR stack trace, leaf first, without the goroutine launcher and what is below it. */
    static List<Frame> frames(RecordedStackTrace trace) {
        if (trace == null) {
            return List.of(new Frame("(no stack)", "", 0));
        }
        List<RecordedFrame> raw = trace.getFrames();
        List<Frame> frames = new ArrayList<>(raw.size() + 1);
        for (RecordedFrame f : raw) {
            if (!f.isJavaFrame() || f.getMethod() == null) {
                continue;
            }
            String cls = f.getMethod().getType().getName();
            if (cls.equals(Frames.LAUNCHER)) {
                return frames;
            }
            frames.add(Frame.of(cls, f.getMethod().getName(), Math.max(f.getLineNumber(), 0)));
        }
        if (trace.isTruncated()) {
            frames.add(new Frame("(gonode: stack truncated by JFR's stackdepth)", "", 0));
        }
        return frames;
    }

    /** The runtime whose goroutines label the samples. */
    static ThreadLabels labels() {
        return new ThreadLabels(GoRuntime.get());
    }
}
