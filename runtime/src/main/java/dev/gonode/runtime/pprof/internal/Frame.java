package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.dump.internal.Frames;

/**
 * One frame of a profile's stack: the function as pprof shows it ({@code pkg.Class.method}), its
 * source file ({@code dev/gonode/runtime/chan/Channel.java}) and line (0 when unknown).
 */
public record Frame(String function, String file, int line) {

    /** A Java frame, named as the goroutine profile names it. */
    public static Frame of(StackTraceElement f) {
        return new Frame(f.getClassName() + "." + f.getMethodName(), Frames.sourcePath(f), Frames.line(f));
    }

    /** A Java frame known by class, method and line (JFR gives no source file: it is derived from the class). */
    public static Frame of(String className, String method, int line) {
        return of(new StackTraceElement(className, method, null, line));
    }
}
