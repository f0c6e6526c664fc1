package dev.gonode.runtime.dump.internal;

import dev.gonode.runtime.dump.TextStyle;

/**
 * Go's {@code debug=2} goroutine block (what {@code runtime.Stack(buf, true)} prints per goroutine):
 *
 * <pre>
 * goroutine 18 [chan receive, 5 minutes]:
 * labels: {"job":"echo-7"}
 * com.example.Echo.serve(...)
 * 	Echo.java:31
 * created by com.example.Jobs.start in goroutine 1
 * 	Jobs.java:30
 * </pre>
 *
 * <p>Implementation notes. The header is Go's {@code goroutineheader}: the wait reason while parked
 * in a gonode primitive, else the state; {@code , N minutes} only once the wait has lasted a whole
 * minute (Go divides by 60 s and prints the quotient, so also {@code 1 minutes}). Arguments are
 * unknown on the JVM, so every function line ends in {@code (...)}, which Go prints for inlined
 * frames and every parser accepts. The {@code created by} trailer names the first frame of the
 * creation site and, since Go 1.21, {@code in goroutine <parent>}; gonode omits that suffix when a
 * plain Java thread started the goroutine (parent 0), and the whole trailer when no site is known.
 * Labels: Go up to 1.26 does not print them in {@code debug=2}; Go 1.27 adds them to the header,
 * which panicparse 2.3 cannot read, so the {@link TextStyle#GONODE} style prints them on their own
 * line after the header, in the {@code debug=1} notation, and {@link TextStyle#GO_TOOLS} omits them.
 */
public final class Debug2Text {

    private Debug2Text() {
    }

    /** Appends one goroutine's block, ending with a newline (no blank separator line). */
    public static void append(StringBuilder out, Snapshot s, TextStyle style) {
        out.append("goroutine ").append(s.id()).append(" [").append(s.status());
        long minutes = s.waitMinutes();
        if (minutes >= 1) {
            out.append(", ").append(minutes).append(" minutes");
        }
        out.append("]:\n");
        if (style == TextStyle.GONODE && !s.labels().isEmpty()) {
            out.append("labels: ");
            GoQuote.labels(out, s.labels());
            out.append('\n');
        }
        for (StackTraceElement f : s.stack()) {
            Frames.appendFunction(out, f, style).append("(...)\n\t");
            Frames.appendLocation(out, f, style).append('\n');
        }
        if (!s.creationSite().isEmpty()) {
            StackTraceElement site = s.creationSite().get(0);
            Frames.appendFunction(out.append("created by "), site, style);
            if (s.parentId() != 0) {
                out.append(" in goroutine ").append(s.parentId());
            }
            Frames.appendLocation(out.append("\n\t"), site, style).append('\n');
        }
    }
}
