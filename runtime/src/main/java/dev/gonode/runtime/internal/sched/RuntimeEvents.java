package dev.gonode.runtime.internal.sched;

import dev.gonode.runtime.WaitReason;
import java.util.List;

/**
 * Scheduler events for diagnostics (JFR, metrics). The default does nothing. Every method is
 * called on a hot or time-critical path (a park, sysmon's tick, a carrier picking its next
 * goroutine): implementations must be cheap, must not block and must not throw. A runtime's
 * listeners are installed with {@link GoRuntime#addEvents} and combined with {@link #combine}.
 */
public interface RuntimeEvents {

    RuntimeEvents NONE = new RuntimeEvents() {
    };

    /**
     * Sysmon took P {@code p} from a carrier blocked under goroutine {@code g} ({@code null} if it
     * could not be identified) for {@code heldNanos}.
     */
    default void handoff(int p, G g, long heldNanos) {
    }

    /** Sysmon found goroutine {@code g} (or {@code null}) on P {@code p} busy on the CPU for {@code runningNanos}. */
    default void hog(int p, G g, long runningNanos) {
    }

    /**
     * The current goroutine is about to park. Returns a token to pass to {@link #parkEnd} when it
     * wakes, or {@code null} (then {@code parkEnd} is not called): an implementation that records
     * nothing returns {@code null} after an {@code isEnabled()}-style check.
     */
    default Object parkBegin() {
        return null;
    }

    /** Goroutine {@code g}, which parked with {@code token} from {@link #parkBegin}, woke up. */
    default void parkEnd(Object token, G g, WaitReason reason, Object blocker) {
    }

    /**
     * How often the scheduler should measure scheduling latency for {@link #schedLatency}: one
     * submission in this many (a power of two), or 0 for never. Read when the listener is installed.
     */
    default int schedLatencySampling() {
        return 0;
    }

    /** A sampled goroutine waited {@code nanos} between becoming runnable and starting to run. */
    default void schedLatency(long nanos) {
    }

    /** One listener that forwards each event to every one of {@code listeners}. */
    static RuntimeEvents combine(List<RuntimeEvents> listeners) {
        if (listeners.isEmpty()) {
            return NONE;
        }
        if (listeners.size() == 1) {
            return listeners.get(0);
        }
        RuntimeEvents[] all = listeners.toArray(RuntimeEvents[]::new);
        int sampling = 0;
        for (RuntimeEvents e : all) {
            int s = e.schedLatencySampling();
            if (s > 0 && (sampling == 0 || s < sampling)) {
                sampling = s;
            }
        }
        int combinedSampling = sampling;
        return new RuntimeEvents() {
            @Override
            public void handoff(int p, G g, long heldNanos) {
                for (RuntimeEvents e : all) {
                    e.handoff(p, g, heldNanos);
                }
            }

            @Override
            public void hog(int p, G g, long runningNanos) {
                for (RuntimeEvents e : all) {
                    e.hog(p, g, runningNanos);
                }
            }

            @Override
            public Object parkBegin() {
                Object[] tokens = null;
                for (int i = 0; i < all.length; i++) {
                    Object t = all[i].parkBegin();
                    if (t != null) {
                        if (tokens == null) {
                            tokens = new Object[all.length];
                        }
                        tokens[i] = t;
                    }
                }
                return tokens;
            }

            @Override
            public void parkEnd(Object token, G g, WaitReason reason, Object blocker) {
                Object[] tokens = (Object[]) token;
                for (int i = 0; i < all.length; i++) {
                    if (tokens[i] != null) {
                        all[i].parkEnd(tokens[i], g, reason, blocker);
                    }
                }
            }

            @Override
            public int schedLatencySampling() {
                return combinedSampling;
            }

            @Override
            public void schedLatency(long nanos) {
                for (RuntimeEvents e : all) {
                    if (e.schedLatencySampling() > 0) {
                        e.schedLatency(nanos);
                    }
                }
            }
        };
    }
}
