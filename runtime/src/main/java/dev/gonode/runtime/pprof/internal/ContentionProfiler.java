package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.dump.internal.Frames;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Go's block and mutex profiles for one runtime, fed by its park hook: how long goroutines waited
 * in channel operations, {@code select} and the sync primitives, summed by the stack they waited
 * at.
 *
 * <p>Implementation notes. The profiler is a {@link RuntimeEvents} listener that is installed on
 * the runtime only while a rate is set ({@link #setRates}): with both profiles off (the default,
 * as in Go) the runtime has no such listener and its park path is exactly what it is without
 * profiling. Installed, each park returns a shared token and each wake-up reads the clock once
 * (the wait began at {@link G#waitSinceNanos()}, which the runtime notes anyway), decides whether
 * to sample the wait, and only a sampled wait pays for a stack walk and a bucket update.
 *
 * <p>Sampling follows Go's {@code runtime/mprof.go}. Block profile, rate {@code r} ns
 * ({@code SetBlockProfileRate}): a wait of {@code d >= r} is always recorded as one contention of
 * {@code d}; a shorter one with probability {@code d/r}, and then counted as {@code r/d}
 * contentions of {@code r} ns in all, which removes the bias towards long waits. Mutex profile,
 * fraction {@code f} ({@code SetMutexProfileFraction}): one wait in {@code f} on average is
 * recorded, scaled by {@code f} so the totals estimate every wait. What goes where, as in Go: the
 * block profile has every blocking wait except sleeps and I/O (channel operations, select, and the
 * sync primitives); the mutex profile has the waits for {@code sync.Mutex} and {@code sync.RWMutex}.
 * One difference: Go charges mutex contention to the stack that unlocked, gonode to the stack that
 * waited (the hook sees the waiter only).
 *
 * <p>Stacks are taken with {@code new Throwable()} on the waiting goroutine, cut above gonode's
 * park (the listener and the scheduler's frames) and below the goroutine's body. Each profile keeps
 * at most {@value #MAX_BUCKETS} distinct stacks; waits at further stacks are summed into one
 * overflow bucket, so memory stays bounded. Counts are kept as doubles (the bias correction adds
 * fractions) and rounded when the profile is written.
 */
public final class ContentionProfiler {

    static final int MAX_BUCKETS = 10_000;
    private static final String PARK = "dev.gonode.runtime.internal.sched.Park";
    private static final List<Frame> OVERFLOW = List.of(new Frame(
            "(gonode: more than " + MAX_BUCKETS + " distinct stacks; the rest are summed here)", "", 0));

    private final GoRuntime runtime;
    private final Buckets block = new Buckets();
    private final Buckets mutex = new Buckets();
    private final Hook hook = new Hook();
    private volatile long blockRate;
    private volatile int mutexFraction;
    private boolean installed; // guarded by this

    public ContentionProfiler(GoRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Sets the block profile's rate in nanoseconds (0: off; 1: every wait) and the mutex profile's
     * fraction (0: off; N: one wait in N on average), installing or removing the park hook.
     */
    public synchronized void setRates(long blockRateNanos, int mutexFraction) {
        if (blockRateNanos < 0 || mutexFraction < 0) {
            throw new IllegalArgumentException("rates must not be negative (block " + blockRateNanos
                    + " ns, mutex fraction " + mutexFraction + "); 0 turns a profile off");
        }
        this.blockRate = blockRateNanos;
        this.mutexFraction = mutexFraction;
        boolean on = blockRateNanos > 0 || mutexFraction > 0;
        if (on && !installed) {
            runtime.addEvents(hook);
        } else if (!on && installed) {
            runtime.removeEvents(hook);
        }
        installed = on;
    }

    public long blockRate() {
        return blockRate;
    }

    public int mutexFraction() {
        return mutexFraction;
    }

    /** Distinct stacks in the block profile. */
    public int blockStacks() {
        return block.map.size();
    }

    /** Distinct stacks in the mutex profile. */
    public int mutexStacks() {
        return mutex.map.size();
    }

    /** Writes the block profile, gzipped. */
    public void writeBlock(OutputStream out) throws IOException {
        block.write(out);
    }

    /** Writes the mutex profile, gzipped. */
    public void writeMutex(OutputStream out) throws IOException {
        mutex.write(out);
    }

    static boolean inBlockProfile(WaitReason reason) {
        return reason != WaitReason.SLEEP && reason != WaitReason.IO_WAIT;
    }

    static boolean inMutexProfile(WaitReason reason) {
        return reason == WaitReason.SYNC_MUTEX_LOCK || reason == WaitReason.SYNC_RWMUTEX_LOCK
                || reason == WaitReason.SYNC_RWMUTEX_RLOCK;
    }

    private final class Hook implements RuntimeEvents {
        private static final Object TOKEN = new Object();

        @Override
        public Object parkBegin() {
            return TOKEN;
        }

        @Override
        public void parkEnd(Object token, G g, WaitReason reason, Object blocker) {
            long waited = System.nanoTime() - g.waitSinceNanos();
            if (waited <= 0) {
                return;
            }
            List<Frame> stack = null;
            long rate = blockRate;
            if (rate > 0 && inBlockProfile(reason)
                    && (waited >= rate || ThreadLocalRandom.current().nextLong(rate) < waited)) {
                stack = waitStack();
                if (waited >= rate) {
                    block.add(stack, 1, waited);
                } else {
                    block.add(stack, (double) rate / waited, rate);
                }
            }
            int fraction = mutexFraction;
            if (fraction > 0 && inMutexProfile(reason) && ThreadLocalRandom.current().nextInt(fraction) == 0) {
                mutex.add(stack != null ? stack : waitStack(), fraction, waited * fraction);
            }
        }
    }

    /** The waiting goroutine's stack from the primitive it waited in down to its body, leaf first. */
    private static List<Frame> waitStack() {
        StackTraceElement[] raw = new Throwable().getStackTrace();
        int top = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i].getClassName().equals(PARK)) {
                top = i + 1;
            } else if (top > 0) {
                break;
            }
        }
        int bottom = raw.length;
        for (int i = top; i < raw.length; i++) {
            if (raw[i].getClassName().equals(Frames.LAUNCHER)) {
                bottom = i;
                break;
            }
        }
        List<Frame> frames = new ArrayList<>(bottom - top);
        for (int i = top; i < bottom; i++) {
            frames.add(Frame.of(raw[i]));
        }
        return frames;
    }

    /** Contentions and delay by stack. */
    private static final class Buckets {
        final ConcurrentHashMap<List<Frame>, double[]> map = new ConcurrentHashMap<>();

        void add(List<Frame> stack, double count, long delay) {
            double[] b = map.get(stack);
            if (b == null) {
                b = map.size() < MAX_BUCKETS ? map.computeIfAbsent(stack, k -> new double[2])
                        : map.computeIfAbsent(OVERFLOW, k -> new double[2]);
            }
            synchronized (b) {
                b[0] += count;
                b[1] += delay;
            }
        }

        void write(OutputStream out) throws IOException {
            ProfileBuilder p = new ProfileBuilder(
                    List.of(new ProfileBuilder.ValueType("contentions", "count"),
                            new ProfileBuilder.ValueType("delay", "nanoseconds")),
                    new ProfileBuilder.ValueType("contentions", "count"), 1, null, MAX_BUCKETS + 1);
            for (Map.Entry<List<Frame>, double[]> e : map.entrySet()) {
                double[] b = e.getValue();
                long count;
                long delay;
                synchronized (b) {
                    count = Math.round(b[0]);
                    delay = Math.round(b[1]);
                }
                p.add(e.getKey(), Map.of(), Math.max(count, 1), delay);
            }
            p.write(out);
        }
    }
}
