package dev.gonode.runtime.chan;

import static org.junit.jupiter.api.Assertions.fail;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Starts goroutines for a test, collects what they throw, and joins them: a failure inside a
 * goroutine fails the test instead of being printed as a panic. Waits are on conditions (polled
 * every 100 µs, with a deadline), never on time.
 */
final class Spawner implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** Code run in a goroutine; may throw anything. */
    @FunctionalInterface
    interface Body {
        void run() throws Throwable;
    }

    private final GoRuntime runtime; // null: the process-wide runtime through Go.go
    private final Queue<Goroutine> started = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    /** Goroutines on the process-wide runtime (GOMAXPROCS = the machine's processors). */
    Spawner() {
        this.runtime = null;
    }

    /** Goroutines on a private runtime with {@code gomaxprocs} Ps; {@link #close()} shuts it down. */
    Spawner(int gomaxprocs) {
        this.runtime = new GoRuntime(RuntimeConfig.withGomaxprocs(gomaxprocs));
    }

    /** Starts a goroutine; goroutines it starts with {@code Go.go} run on the same runtime. */
    Goroutine go(Body body) {
        Runnable r = () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        };
        Goroutine g = runtime == null ? Go.go(r) : runtime.go(null, r, body);
        started.add(g);
        return g;
    }

    /** Records a failure seen by a goroutine started some other way (e.g. with {@code Go.go} inside one). */
    void recordFailure(Throwable t) {
        failures.add(t);
    }

    /** Waits for every goroutine started so far, then rethrows the first failure (others suppressed). */
    void joinAll() throws InterruptedException {
        for (Goroutine g : started) {
            if (!g.join(TIMEOUT)) {
                throwFailures();
                fail("goroutine " + g.id() + " did not finish within " + TIMEOUT + "; it is "
                        + g.state().goName() + (g.waitReason() != null ? " [" + g.waitReason() + "]" : ""));
            }
        }
        throwFailures();
    }

    /** Rethrows the first failure collected so far, if any. */
    void throwFailures() {
        Throwable first = failures.poll();
        if (first == null) {
            return;
        }
        for (Throwable t; (t = failures.poll()) != null;) {
            first.addSuppressed(t);
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error e) {
            throw e;
        }
        throw new AssertionError("a goroutine failed", first);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            joinAll();
        } finally {
            if (runtime != null) {
                runtime.shutdown();
            }
        }
    }

    // ---------------------------------------------------------------- waiting on conditions

    /** Waits until {@code condition} holds, failing after {@link #TIMEOUT} with {@code what}. */
    static void await(String what, BooleanSupplier condition) {
        await(() -> what, condition);
    }

    private static void await(Supplier<String> what, BooleanSupplier condition) {
        Await.until(TIMEOUT, what, condition::getAsBoolean);
    }

    /** Waits until {@code g} is parked with wait reason {@code reason}. */
    static void awaitBlocked(Goroutine g, WaitReason reason) {
        await(() -> "goroutine " + g.id() + " is blocked in [" + reason + "] (it is "
                + g.state().goName() + " [" + g.waitReason() + "])", () -> g.waitReason() == reason);
    }
}
