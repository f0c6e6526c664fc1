package dev.gonode.runtime.internal.sched;

import java.security.CodeSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the user's frame in a stack: the innermost frame that is neither gonode's runtime nor the
 * JDK, i.e. the user's call to {@code receive}, {@code lock}, {@code select}, ... It is the wait
 * site kept in {@code gonode.wait-sites=site} mode and the "top function" of leak reports.
 *
 * <p>Implementation notes. Frames are classified by class, once per class name: a class is
 * "runtime" when it comes from the same code source as this class (the gonode-runtime jar, or
 * {@code target/classes} in a build, which keeps the runtime's own tests, loaded from
 * {@code target/test-classes}, user code) or lives in a named module (the JDK). A class this
 * loader cannot load by name (a hidden lambda class, another loader's class) counts as user code.
 * Without any user frame (a park inside the runtime's own goroutines) the outermost frame is used.
 */
public final class UserFrames {

    private static final CodeSource RUNTIME = UserFrames.class.getProtectionDomain().getCodeSource();
    private static final Map<String, Boolean> USER_BY_NAME = new ConcurrentHashMap<>();

    private UserFrames() {
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
            if (USER_BY_NAME.computeIfAbsent(frame.getClassName(), UserFrames::isUserClass)) {
                return frame;
            }
        }
        return stack[stack.length - 1];
    }

    private static boolean isUserClass(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, UserFrames.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return true;
        }
        if (type.getModule().isNamed()) {
            return false;
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || !Objects.equals(source.getLocation(), RUNTIME == null ? null : RUNTIME.getLocation());
    }
}
