package dev.gonode.runtime.internal.sched;

/**
 * Scheduler events for diagnostics (JFR, metrics). Called on sysmon; must be cheap and must not
 * block. The default does nothing.
 */
public interface RuntimeEvents {

    RuntimeEvents NONE = new RuntimeEvents() {
    };

    /** Sysmon took P {@code p} from a carrier blocked under one goroutine for {@code heldNanos}. */
    default void handoff(int p, long heldNanos) {
    }

    /** Sysmon found a goroutine on P {@code p} busy on the CPU for {@code runningNanos}. */
    default void hog(int p, long runningNanos) {
    }
}
