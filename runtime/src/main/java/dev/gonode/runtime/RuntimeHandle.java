package dev.gonode.runtime;

import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.runtime.internal.sched.RuntimeHandles;
import java.util.Objects;

/**
 * A goroutine runtime: a scheduler with its Ps and carriers and the registry of its goroutines.
 * The process is served by one, {@link #processWide()}, the runtime behind {@link Go}; tests,
 * benchmarks and embedders that need isolation create private ones with {@link #create(int)} and
 * hand them to the diagnostics ({@code LeakDetector}, {@code LeakOptions}, {@code GonodeMetrics},
 * {@code GonodeJfr}).
 *
 * <pre>{@code
 * RuntimeHandle rt = RuntimeHandle.create(2);   // a private runtime with GOMAXPROCS 2
 * rt.go("worker", this::work);
 * LeakDetector detector = LeakDetector.create(rt, LeakDetectorOptions.defaults());
 * rt.shutdown();
 * }</pre>
 *
 * <p>Only gonode implements this interface; the diagnostics refuse other implementations.
 */
public interface RuntimeHandle {

    /** The process-wide runtime behind {@link Go}, configured from the environment. */
    static RuntimeHandle processWide() {
        return GoRuntime.get();
    }

    /**
     * A private runtime with {@code gomaxprocs} Ps and the default settings otherwise; stop it with
     * {@link #shutdown()}.
     *
     * @throws IllegalArgumentException when {@code gomaxprocs} is below 1
     */
    static RuntimeHandle create(int gomaxprocs) {
        return new GoRuntime(RuntimeConfig.withGomaxprocs(gomaxprocs));
    }

    /** Starts a goroutine on this runtime, as {@link Go#go(String, Runnable)} does on the process-wide one. */
    default Goroutine go(String name, Runnable body) {
        Objects.requireNonNull(body, "body");
        return RuntimeHandles.of(this).go(name, body, body);
    }

    /** This runtime's GOMAXPROCS. */
    int gomaxprocs();

    /** Sets this runtime's GOMAXPROCS and returns the previous value. */
    int gomaxprocs(int n);

    /** This runtime's scheduler statistics (what {@code /debug/sched} shows for the process-wide one). */
    SchedStats stats();

    /**
     * Stops a private runtime's carriers and monitor once its goroutines are done.
     *
     * @throws IllegalStateException for the process-wide runtime, which is never shut down
     */
    void shutdown();
}
