package dev.gonode.runtime.leak;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Test-time goroutine leak checks, like uber-go/goleak's {@code VerifyNone}: after a test, every
 * goroutine it started should have finished.
 *
 * <pre>{@code
 * long before = RuntimeHandle.processWide().stats().created();
 * ... // the test
 * GoroutineLeaks.verifyNone(LeakOptions.defaults().startedAfter(before));
 * }</pre>
 *
 * <p>Or annotate the test class with {@link VerifyNoGoroutineLeaks}, which does exactly this
 * around each test.
 *
 * <p>Implementation notes. A goroutine counts when its id is above {@code startedAfter}, it is not
 * the caller, and no ignore rule matches it. Name and id rules are checked first; stack rules
 * (top function, any function) need the goroutine's stack, which is taken only for goroutines that
 * pass the cheap rules. Instead of sleeping and retrying, the check joins each survivor with the
 * time left in the grace period, then looks again (a finishing goroutine may have started another),
 * so a clean test pays nothing and a leaking one pays the grace period once. Goroutines that the
 * garbage collector collected while parked during the window are leaks too (the registry's
 * history, ids above {@code startedAfter}), even though they are no longer alive to be listed:
 * they are reported with their creation site and recorded wait site.
 */
public final class GoroutineLeaks {

    private GoroutineLeaks() {
    }

    /** {@link #verifyNone(LeakOptions)} with {@link LeakOptions#defaults()}. */
    public static void verifyNone() {
        verifyNone(LeakOptions.defaults());
    }

    /**
     * Waits up to the grace period for the goroutines {@code options} selects to finish, and fails
     * listing the survivors in Go's {@code debug=2} format.
     *
     * @throws GoroutineLeakError if any goroutine survives the grace period or was collected while parked
     */
    public static void verifyNone(LeakOptions options) {
        List<Goroutine> leaks = find(options);
        if (!leaks.isEmpty()) {
            throw new GoroutineLeakError(leaks, options);
        }
    }

    /**
     * The goroutines {@code options} selects that are still alive after the grace period, then
     * those collected while parked, in id order; empty when there is no leak.
     */
    public static List<Goroutine> find(LeakOptions options) {
        GoRuntime rt = options.runtimeOrDefault();
        G self = G.current();
        long deadline = System.nanoTime() + options.grace().toNanos();
        List<Goroutine> survivors;
        for (;;) {
            survivors = scan(rt, options, self);
            long left = deadline - System.nanoTime();
            if (survivors.isEmpty() || left <= 0) {
                break;
            }
            for (Goroutine g : survivors) {
                left = deadline - System.nanoTime();
                if (left <= 0 || !join(g, left)) {
                    break;
                }
            }
        }
        List<Goroutine> leaks = new ArrayList<>(survivors);
        rt.registry().leaked().stream()
                .filter(g -> g.id() > options.startedAfterId() && !options.ignoredById(g.id())
                        && !options.ignoredByName(g.name()))
                .sorted(Comparator.comparingLong(G::id))
                .forEach(leaks::add);
        return leaks;
    }

    private static List<Goroutine> scan(GoRuntime rt, LeakOptions options, G self) {
        return rt.registry().goroutines()
                .filter(g -> g != self && g.id() > options.startedAfterId() && g.isAlive()
                        && !options.ignoredById(g.id()) && !options.ignoredByName(g.name()))
                .filter(g -> !options.hasStackRules() || !options.ignoredByStack(g.stackTrace()))
                .sorted(Comparator.comparingLong(G::id))
                .map(Goroutine.class::cast)
                .toList();
    }

    private static boolean join(Goroutine g, long nanos) {
        try {
            return g.join(java.time.Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for goroutine " + g.id() + " to finish", e);
        }
    }
}
