package dev.gonode.runtime.internal.sched;

/** Formats Java stack frames the way Go's tracebacks print frames. */
public final class GoStack {

    private GoStack() {
    }

    /**
     * Appends a frame as Go prints one: the function line {@code pkg.Class.method(...)} and the
     * tab-indented location line {@code \tFile.java:12}.
     */
    public static void appendFrame(StringBuilder out, StackTraceElement frame) {
        out.append(function(frame)).append("(...)\n\t").append(location(frame)).append('\n');
    }

    /** {@code pkg.Class.method}, the function name Go would print. */
    public static String function(StackTraceElement frame) {
        return frame.getClassName() + "." + frame.getMethodName();
    }

    /** {@code File.java:12}, or the best the JVM knows ({@code Native Method}, {@code Unknown Source}). */
    public static String location(StackTraceElement frame) {
        String file = frame.getFileName();
        if (frame.isNativeMethod()) {
            return (file != null ? file : "Native Method") + ":0";
        }
        return (file != null ? file : "Unknown Source") + ":" + Math.max(frame.getLineNumber(), 0);
    }
}
