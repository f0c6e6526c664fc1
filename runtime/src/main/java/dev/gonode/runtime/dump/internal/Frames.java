package dev.gonode.runtime.dump.internal;

import dev.gonode.runtime.dump.TextStyle;
import dev.gonode.runtime.internal.sched.GoStack;
import java.util.Arrays;

/**
 * Which frames of a goroutine's Java stack a dump shows, and how it names them.
 *
 * <p>Implementation notes. Go's tracebacks hide the runtime's own frames: {@code runtime.gopark}
 * on top of a parked goroutine and {@code runtime.goexit} at its bottom. The Java equivalents are
 * the parking machinery on top (the JDK's {@code VirtualThread}, {@code Continuation},
 * {@code System$1.parkVirtualThread} and {@code LockSupport}, and gonode's {@code internal.sched.Park}) and the goroutine's launcher at the
 * bottom ({@code GoRuntime$Body} and the JDK frames below it). Top frames are dropped while they
 * belong to that machinery; the bottom is cut at the launcher. A stack made only of such frames
 * (a goroutine caught starting or exiting) is shown whole rather than empty. A goroutine with no
 * stack at all (started but not yet run, or a record whose thread is gone) is shown with the one
 * frame its virtual thread starts in, {@code java.lang.VirtualThread.run} at line 0: Go always
 * prints at least one frame, and its readers (panicparse) reject a goroutine without one.
 */
public final class Frames {

    /** The class whose {@code run} starts every goroutine's body: frames from it down are the runtime's. */
    public static final String LAUNCHER = "dev.gonode.runtime.internal.sched.GoRuntime$Body";
    private static final StackTraceElement[] NOT_RUNNING = {
            new StackTraceElement("java.lang.VirtualThread", "run", "VirtualThread.java", 0)};

    private Frames() {
    }

    /** {@code raw} without the parking machinery on top and the launcher below the goroutine's body. */
    public static StackTraceElement[] visible(StackTraceElement[] raw) {
        if (raw.length == 0) {
            return NOT_RUNNING.clone();
        }
        int top = 0;
        while (top < raw.length && isParkingMachinery(raw[top].getClassName())) {
            top++;
        }
        int bottom = raw.length;
        for (int i = top; i < raw.length; i++) {
            if (raw[i].getClassName().equals(LAUNCHER)) {
                bottom = i;
                break;
            }
        }
        if (bottom == raw.length) {
            while (bottom > top && isLauncherMachinery(raw[bottom - 1].getClassName())) {
                bottom--;
            }
        }
        if (top >= bottom) {
            return raw;
        }
        return top == 0 && bottom == raw.length ? raw : Arrays.copyOfRange(raw, top, bottom);
    }

    static boolean isParkingMachinery(String cls) {
        return cls.startsWith("java.lang.VirtualThread")
                || cls.startsWith("java.lang.System$")
                || cls.startsWith("jdk.internal.")
                || cls.equals("java.util.concurrent.locks.LockSupport")
                || cls.startsWith("dev.gonode.runtime.internal.sched.");
    }

    static boolean isLauncherMachinery(String cls) {
        return cls.startsWith("java.lang.VirtualThread") || cls.startsWith("jdk.internal.vm.")
                || cls.equals("java.lang.Thread");
    }

    /** The function name: {@code pkg.Class.method}, or Go's {@code pkg/path.Class.method} for tools. */
    public static String function(StackTraceElement f, TextStyle style) {
        if (style == TextStyle.GONODE) {
            return GoStack.function(f);
        }
        String cls = f.getClassName();
        int dot = cls.lastIndexOf('.');
        if (dot < 0) {
            return cls + "." + f.getMethodName();
        }
        return cls.substring(0, dot).replace('.', '/') + cls.substring(dot) + "." + f.getMethodName();
    }

    /** Appends {@link #function}. */
    public static StringBuilder appendFunction(StringBuilder out, StackTraceElement f, TextStyle style) {
        return style == TextStyle.GONODE ? GoStack.appendFunction(out, f) : out.append(function(f, style));
    }

    /** Appends {@link #location}. */
    public static StringBuilder appendLocation(StringBuilder out, StackTraceElement f, TextStyle style) {
        return style == TextStyle.GONODE ? GoStack.appendLocation(out, f) : out.append(location(f, style));
    }

    /** {@code File.java:12}, or {@code /pkg/path/File.java.go:12} for tools (which need a .go path). */
    public static String location(StackTraceElement f, TextStyle style) {
        if (style == TextStyle.GONODE) {
            return GoStack.location(f);
        }
        return path(f) + ":" + line(f);
    }

    /** The source path Go's tools are shown: {@code /} + {@link #sourcePath} + {@code .go}. */
    public static String path(StackTraceElement f) {
        return "/" + sourcePath(f) + ".go";
    }

    /** The package as directories, then the source file: {@code dev/gonode/runtime/chan/Channel.java}. */
    public static String sourcePath(StackTraceElement f) {
        String cls = f.getClassName();
        int dot = cls.lastIndexOf('.');
        return (dot < 0 ? "" : cls.substring(0, dot).replace('.', '/') + "/") + fileName(f);
    }

    /** The source file name the class file records, or {@code Outer.java} guessed from the class name. */
    public static String fileName(StackTraceElement f) {
        if (f.getFileName() != null) {
            return f.getFileName();
        }
        String cls = f.getClassName();
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        int nested = simple.indexOf('$');
        return (nested > 0 ? simple.substring(0, nested) : simple) + ".java";
    }

    /** The line number, 0 when unknown (native methods, classes compiled without line tables). */
    public static int line(StackTraceElement f) {
        return Math.max(f.getLineNumber(), 0);
    }
}
