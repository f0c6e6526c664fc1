package dev.gonode.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A handle on a goroutine started with {@link Go#go(Runnable)}.
 *
 * <p>Holding a handle does not keep a parked goroutine alive: a goroutine that nothing else can
 * wake is still collectable (and reported as a leak) while user code holds its handle.
 */
public interface Goroutine {

    /** Go-style goroutine id: unique, positive, increasing in creation order. */
    long id();

    /** The id of the goroutine that started this one, or 0 when a plain Java thread started it. */
    long parentId();

    /** The name given at start, or {@code null}. */
    String name();

    /** The pprof-style labels of this goroutine (inherited from its creator); never {@code null}. */
    Map<String, String> labels();

    /** The current scheduling state. */
    GoroutineState state();

    /** Why the goroutine is parked in a gonode primitive, or {@code null} when it is not. */
    WaitReason waitReason();

    /** How long the goroutine has been in its current wait, or {@link Duration#ZERO}. */
    Duration waitDuration();

    /**
     * Where the goroutine was started: the frame that called {@code go}. With
     * {@code -Dgonode.creation-stacks=full} the whole creating stack, innermost first.
     */
    List<StackTraceElement> creationSite();

    /** The goroutine's current stack (empty once it has finished). Costs 10–25 µs when parked. */
    StackTraceElement[] stackTrace();

    /** Whether the goroutine has not finished yet. */
    boolean isAlive();

    /** Waits until the goroutine finishes. */
    void join() throws InterruptedException;

    /** Waits at most {@code timeout} for the goroutine to finish; returns whether it did. */
    boolean join(Duration timeout) throws InterruptedException;
}
