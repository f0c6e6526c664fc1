package dev.gonode.runtime.pprof;

import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.pprof.internal.AllocationProfiler;
import dev.gonode.runtime.pprof.internal.ContentionProfiler;
import dev.gonode.runtime.pprof.internal.CpuProfiler;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;

/**
 * Go's {@code runtime/pprof} for the process-wide runtime: each method writes one profile as a
 * gzipped {@code profile.proto}, the bytes Go's {@code /debug/pprof/*} endpoints serve.
 *
 * <pre>{@code
 * Profiles.writeCpu(Duration.ofSeconds(30), Context.background(), out);   // go tool pprof out
 * Profiles.setBlockProfileRate(1);                                       // record every blocking wait
 * Profiles.writeBlock(out);
 * }</pre>
 *
 * <table>
 *   <caption>The profiles</caption>
 *   <tr><th>profile</th><th>source</th><th>sample types</th></tr>
 *   <tr><td>CPU</td><td>JFR {@code jdk.ExecutionSample} every 10 ms for a window</td><td>{@code samples/count, cpu/nanoseconds}</td></tr>
 *   <tr><td>allocs</td><td>JFR {@code jdk.ObjectAllocationSample} for a window</td><td>{@code alloc_objects, alloc_space, inuse_objects, inuse_space}</td></tr>
 *   <tr><td>heap</td><td>the class histogram (live objects), plus allocation samples for an optional window</td><td>the same, shown as {@code inuse_space}</td></tr>
 *   <tr><td>block, mutex</td><td>gonode's park hook, off until a rate is set</td><td>{@code contentions/count, delay/nanoseconds}</td></tr>
 * </table>
 *
 * <p>One CPU and one allocation collection may run at a time (JFR's sampling settings are
 * process-wide); another is refused with {@link ProfileBusyException}. Collections wait on the
 * caller's goroutine (parked, not on a carrier) and end early when {@code ctx} is done.
 */
public final class Profiles {

    /** The longest collection window accepted. */
    public static final Duration MAX_WINDOW = Duration.ofMinutes(10);

    private static volatile ContentionProfiler contention;

    private Profiles() {
    }

    /** Writes a CPU profile of the next {@code window} (or until {@code ctx} is done) to {@code out}. */
    public static void writeCpu(Duration window, Context ctx, OutputStream out) throws IOException {
        CpuProfiler.write(checkWindow(window), ctx, out);
    }

    /** Writes the allocations sampled during the next {@code window} (or until {@code ctx} is done). */
    public static void writeAllocs(Duration window, Context ctx, OutputStream out) throws IOException {
        AllocationProfiler.writeAllocs(checkWindow(window), ctx, out);
    }

    /**
     * Writes the live heap by class ({@code gc}: after a full GC, as {@code jmap -histo:live}), with
     * the allocations sampled during {@code window} unless it is {@link Duration#ZERO}.
     */
    public static void writeHeap(Duration window, boolean gc, Context ctx, OutputStream out) throws IOException {
        Objects.requireNonNull(window, "window");
        AllocationProfiler.writeHeap(window.isZero() ? window : checkWindow(window), gc, ctx, out);
    }

    /** Writes the block profile: time goroutines spent blocked, by stack, since the rate was set. */
    public static void writeBlock(OutputStream out) throws IOException {
        contention().writeBlock(out);
    }

    /** Writes the mutex profile: time goroutines waited for sync.Mutex and sync.RWMutex, by stack. */
    public static void writeMutex(OutputStream out) throws IOException {
        contention().writeMutex(out);
    }

    /**
     * Go's {@code runtime.SetBlockProfileRate}: record on average one blocking event per
     * {@code rateNanos} nanoseconds spent blocked; 1 records every one, 0 turns the profile off (the
     * default).
     *
     * @throws IllegalArgumentException if {@code rateNanos} is negative
     */
    public static void setBlockProfileRate(long rateNanos) {
        ContentionProfiler c = contention();
        synchronized (c) {
            c.setRates(rateNanos, c.mutexFraction());
        }
    }

    /**
     * Go's {@code runtime.SetMutexProfileFraction}: record on average one mutex wait in
     * {@code fraction}; 0 turns the profile off (the default).
     *
     * @throws IllegalArgumentException if {@code fraction} is negative
     */
    public static void setMutexProfileFraction(int fraction) {
        ContentionProfiler c = contention();
        synchronized (c) {
            c.setRates(c.blockRate(), fraction);
        }
    }

    /** The block profile's rate in nanoseconds; 0 when off. */
    public static long blockProfileRate() {
        return contention().blockRate();
    }

    /** The mutex profile's fraction; 0 when off. */
    public static int mutexProfileFraction() {
        return contention().mutexFraction();
    }

    /** Distinct stacks in the block profile (the count Go's index shows). */
    public static int blockProfileStacks() {
        return contention().blockStacks();
    }

    /** Distinct stacks in the mutex profile. */
    public static int mutexProfileStacks() {
        return contention().mutexStacks();
    }

    private static ContentionProfiler contention() {
        ContentionProfiler c = contention;
        if (c == null) {
            synchronized (Profiles.class) {
                c = contention;
                if (c == null) {
                    c = new ContentionProfiler(GoRuntime.get());
                    contention = c;
                }
            }
        }
        return c;
    }

    private static Duration checkWindow(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("a profile's window must be more than 0 and at most "
                    + MAX_WINDOW.toMinutes() + " minutes, not " + window);
        }
        return window;
    }
}
