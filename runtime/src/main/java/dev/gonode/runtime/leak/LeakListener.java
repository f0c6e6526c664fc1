package dev.gonode.runtime.leak;

/** Told about every {@link LeakDetector} check that found something. Must not block for long. */
@FunctionalInterface
public interface LeakListener {

    /** {@code report} is not empty. */
    void leaksFound(LeakReport report);
}
