package dev.gonode.runtime.leak;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.internal.sched.GoStack;
import dev.gonode.runtime.internal.sched.G;
import java.util.List;

/** Leak reports in goroutine-dump shape. */
final class LeakText {

    private LeakText() {
    }

    /** Live goroutines in Go's {@code debug=2} format. */
    static String debug2(List<Goroutine> goroutines) {
        StringBuilder sb = new StringBuilder();
        for (Goroutine g : goroutines) {
            StackTraceElement[] stack = g.stackTrace();
            sb.append("goroutine ").append(g.id()).append(" [").append(status(g));
            long minutes = g.waitReason() == null ? 0 : g.waitDuration().toMinutes();
            if (minutes >= 1) {
                sb.append(", ").append(minutes).append(minutes == 1 ? " minute" : " minutes");
            }
            sb.append("]:\n");
            for (StackTraceElement frame : stack) {
                GoStack.appendFrame(sb, frame);
            }
            appendCreatedBy(sb, g);
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Goroutines collected while parked: no stack any more, so the wait site recorded at park. */
    static String collected(List<Goroutine> goroutines) {
        StringBuilder sb = new StringBuilder();
        for (Goroutine g : goroutines) {
            sb.append("goroutine ").append(g.id()).append(" [").append(status(g)).append(", collected]:\n");
            StackTraceElement[] site = g instanceof G internal ? internal.waitSite() : null;
            if (site == null || site.length == 0) {
                sb.append("(wait site not recorded: run with -Dgonode.wait-sites=site)\n");
            } else {
                for (StackTraceElement frame : site) {
                    GoStack.appendFrame(sb, frame);
                }
            }
            appendCreatedBy(sb, g);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String status(Goroutine g) {
        return g.waitReason() != null ? g.waitReason().goName() : g.state().goName();
    }

    private static void appendCreatedBy(StringBuilder sb, Goroutine g) {
        List<StackTraceElement> site = g.creationSite();
        if (site.isEmpty()) {
            return;
        }
        sb.append("created by ").append(GoStack.function(site.get(0)));
        if (g.parentId() != 0) {
            sb.append(" in goroutine ").append(g.parentId());
        }
        sb.append("\n\t").append(GoStack.location(site.get(0))).append('\n');
    }
}
