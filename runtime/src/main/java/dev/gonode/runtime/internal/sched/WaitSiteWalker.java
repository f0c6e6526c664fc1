package dev.gonode.runtime.internal.sched;

import java.security.CodeSource;
import java.util.Objects;

/**
 * Finds a park's wait site in {@code gonode.wait-sites=site} mode: the innermost frame that is
 * neither gonode's runtime nor the JDK, i.e. the user's call to {@code receive}, {@code lock},
 * {@code select}, ...
 *
 * <p>Implementation notes. Frames are classified by class, once per class ({@link ClassValue}): a
 * class is "runtime" when it comes from the same code source as this class (the gonode-runtime
 * jar, or {@code target/classes} in a build, which keeps the runtime's own tests, loaded from
 * {@code target/test-classes}, user code) or lives in a named module (the JDK). The walk is lazy
 * and stops at the first user frame, so it costs a small batch of frames, not the whole stack.
 * Without any user frame (a park inside the runtime's own goroutines) the outermost frame is used.
 * {@link #userFrame} applies the same rule to a recorded stack, loading each class by name once
 * (a class this loader cannot see counts as user code).
 */
public final class WaitSiteWalker {

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final CodeSource RUNTIME = WaitSiteWalker.class.getProtectionDomain().getCodeSource();
    private static final ClassValue<Boolean> USER = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (type.getModule().isNamed()) {
                return false;
            }
            CodeSource source = type.getProtectionDomain().getCodeSource();
            return source == null || !Objects.equals(source.getLocation(), RUNTIME == null ? null : RUNTIME.getLocation());
        }
    };

    private static final java.util.Map<String, Boolean> USER_BY_NAME = new java.util.concurrent.ConcurrentHashMap<>();

    private WaitSiteWalker() {
    }

    /**
     * The innermost frame of {@code stack} outside gonode's runtime and the JDK, else its outermost
     * frame; {@code null} for an empty or missing stack.
     */
    public static StackTraceElement userFrame(StackTraceElement[] stack) {
        if (stack == null || stack.length == 0) {
            return null;
        }
        for (StackTraceElement frame : stack) {
            if (USER_BY_NAME.computeIfAbsent(frame.getClassName(), WaitSiteWalker::isUserClass)) {
                return frame;
            }
        }
        return stack[stack.length - 1];
    }

    private static boolean isUserClass(String className) {
        try {
            return USER.get(Class.forName(className, false, WaitSiteWalker.class.getClassLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
            return true;
        }
    }

    /** The caller's wait site as a one-frame stack. */
    static StackTraceElement[] site() {
        StackWalker.StackFrame frame = WALKER.walk(frames -> {
            StackWalker.StackFrame last = null;
            for (var it = frames.iterator(); it.hasNext(); ) {
                StackWalker.StackFrame f = it.next();
                if (USER.get(f.getDeclaringClass())) {
                    return f;
                }
                last = f;
            }
            return last;
        });
        return frame == null ? null : new StackTraceElement[] {frame.toStackTraceElement()};
    }
}
