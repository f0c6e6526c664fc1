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
        appendFunction(out, frame).append("(...)\n\t");
        appendLocation(out, frame).append('\n');
    }

    /** {@code pkg.Class.method}, the function name Go would print. */
    public static String function(StackTraceElement frame) {
        return frame.getClassName() + "." + frame.getMethodName();
    }

    /** Appends {@link #function}, without building it as a string first (dumps append millions). */
    public static StringBuilder appendFunction(StringBuilder out, StackTraceElement frame) {
        return out.append(frame.getClassName()).append('.').append(frame.getMethodName());
    }

    /** {@code File.java:12}, or the best the JVM knows ({@code Native Method}, {@code Unknown Source}). */
    public static String location(StackTraceElement frame) {
        return appendLocation(new StringBuilder(32), frame).toString();
    }

    /** Appends {@link #location}. */
    public static StringBuilder appendLocation(StringBuilder out, StackTraceElement frame) {
        String file = frame.getFileName();
        if (frame.isNativeMethod()) {
            return out.append(file != null ? file : "Native Method").append(":0");
        }
        return out.append(file != null ? file : "Unknown Source").append(':').append(Math.max(frame.getLineNumber(), 0));
    }
}
