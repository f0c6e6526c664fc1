package dev.gonode.runtime.leak;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.dump.GoroutineDump;
import dev.gonode.runtime.dump.TextStyle;
import dev.gonode.runtime.internal.sched.G;
import java.util.List;

/** Leak reports in Go's {@code debug=2} dump format, through {@link GoroutineDump}. */
final class LeakText {

    private LeakText() {
    }

    /** Live goroutines, their stacks taken now. */
    static String debug2(List<Goroutine> goroutines) {
        return GoroutineDump.of(goroutines).debug2();
    }

    /**
     * Goroutines collected while parked: their stacks are gone, so each block shows the wait site
     * recorded at park ({@code gonode.wait-sites}), or no frames when none was recorded.
     */
    static String collected(List<Goroutine> goroutines) {
        StringBuilder sb = new StringBuilder();
        boolean anyWithoutSite = false;
        for (Goroutine g : goroutines) {
            StackTraceElement[] site = g instanceof G internal ? internal.waitSite() : null;
            anyWithoutSite |= site == null;
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(GoroutineDump.format(g, site == null ? new StackTraceElement[0] : site, TextStyle.GONODE));
        }
        if (anyWithoutSite) {
            sb.append("\n(wait sites were not recorded: run with -Dgonode.wait-sites=site to keep them)\n");
        }
        return sb.toString();
    }
}
