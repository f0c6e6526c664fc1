package dev.gonode.runtime.leak;

import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.Goroutine;
import java.util.List;

/**
 * Thrown by {@link GoroutineLeaks#verifyNone} when goroutines leaked. The message lists the
 * survivors in Go's {@code debug=2} dump format, then the goroutines collected while parked (their
 * stacks are gone: creation site and recorded wait site).
 */
public final class GoroutineLeakError extends AssertionError {

    private static final long serialVersionUID = 1L;

    private final transient List<Goroutine> leaks;

    GoroutineLeakError(List<Goroutine> leaks, LeakOptions options) {
        super(message(leaks, options));
        this.leaks = List.copyOf(leaks);
    }

    /** The leaked goroutines: survivors first, then those collected while parked. */
    public List<Goroutine> leaks() {
        return leaks;
    }

    private static String message(List<Goroutine> leaks, LeakOptions options) {
        List<Goroutine> alive = leaks.stream().filter(Goroutine::isAlive).toList();
        List<Goroutine> collected = leaks.stream().filter(g -> !g.isAlive()).toList();
        StringBuilder sb = new StringBuilder();
        if (!alive.isEmpty()) {
            sb.append("found ").append(alive.size()).append(alive.size() == 1 ? " leaked goroutine" : " leaked goroutines")
                    .append(" still alive after the ").append(GoDuration.format(options.grace()))
                    .append(" grace period:\n\n").append(LeakText.debug2(alive));
        }
        if (!collected.isEmpty()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append("found ").append(collected.size()).append(collected.size() == 1 ? " goroutine" : " goroutines")
                    .append(" collected by the garbage collector while parked (nothing could ever wake ")
                    .append(collected.size() == 1 ? "it" : "them").append("):\n\n").append(LeakText.collected(collected));
        }
        return sb.toString();
    }
}
