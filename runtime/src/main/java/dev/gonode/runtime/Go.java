package dev.gonode.runtime;

import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;

/**
 * Goroutines: Go's {@code go} statement and the scheduler controls of Go's {@code runtime} package.
 *
 * <pre>{@code
 * Goroutine g = Go.go(() -> serve(conn));      // go serve(conn)
 * Go.go("poller", this::poll);                 // a named goroutine (shown in dumps)
 * Go.yield();                                  // runtime.Gosched()
 * int old = Go.gomaxprocs(4);                  // runtime.GOMAXPROCS(4)
 * }</pre>
 *
 * <p>Goroutines run on gonode's M:N scheduler: GOMAXPROCS processors (Ps), each with a local run
 * queue, a {@code runnext} slot and timers; carrier threads that steal work from each other; and
 * a monitor that hands a P to another carrier when its carrier is stuck in native code or file
 * I/O. GOMAXPROCS comes from the {@code GOMAXPROCS} environment variable, else the
 * {@code gonode.gomaxprocs} system property, else the container-aware processor count.
 *
 * <p>Plain Java threads may start goroutines and use gonode's channels and sync primitives; they
 * simply block their own thread. An exception escaping a goroutine is an unrecovered panic: see
 * {@link PanicHandler}.
 */
public final class Go {

    private Go() {
    }

    /** Starts a goroutine running {@code body} and returns its handle. */
    public static Goroutine go(Runnable body) {
        return GoRuntime.current().go(null, body, body);
    }

    /** Starts a named goroutine (the name shows in dumps and profiles). */
    public static Goroutine go(String name, Runnable body) {
        return GoRuntime.current().go(name, body, body);
    }

    /**
     * Go's {@code runtime.Gosched}: puts the current goroutine on the global run queue so that
     * others run first; it continues later. On a plain thread, {@link Thread#yield()}.
     */
    public static void yield() {
        GoRuntime.current().yieldNow();
    }

    /** The current number of Ps. */
    public static int gomaxprocs() {
        return GoRuntime.current().gomaxprocs();
    }

    /**
     * Sets the number of Ps and returns the previous number, like {@code runtime.GOMAXPROCS(n)}
     * for {@code n >= 1}.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws IllegalStateException    on the JDK's default scheduler, whose size is fixed
     */
    public static int gomaxprocs(int n) {
        return GoRuntime.current().gomaxprocs(n);
    }

    /** The number of live goroutines ({@code runtime.NumGoroutine}). */
    public static long numGoroutine() {
        return GoRuntime.current().registry().count();
    }

    /** The current goroutine, or {@code null} when called from a plain Java thread. */
    public static Goroutine current() {
        return G.current();
    }

    /** A snapshot of the scheduler (Go's schedtrace). */
    public static SchedStats schedStats() {
        return GoRuntime.current().stats();
    }

    /** Installs the handler for exceptions escaping goroutines; {@code null} restores the default. */
    public static void setPanicHandler(PanicHandler handler) {
        GoRuntime.get().setPanicHandler(handler);
    }
}
