package dev.gonode.runtime.internal.sched;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds where a goroutine was started: the first frame outside gonode's spawning code.
 *
 * <p>Implementation notes. Walking the stack costs about a microsecond, more than starting a
 * goroutine, so by default the site is computed once per class of the submitted {@code Runnable}
 * and cached in a {@link ClassValue}: a lambda or method reference is its own class, written at one
 * place in the source, next to the {@code go} call that starts it. (A named {@code Runnable} class
 * started from several places reports the first of them.) With
 * {@code -Dgonode.creation-stacks=full} every start walks the whole creating stack instead.
 */
public final class CreationSites {

    private static final Set<String> SPAWNING_CLASSES = ConcurrentHashMap.newKeySet();
    private static final StackWalker WALKER = StackWalker.getInstance();

    static {
        registerSpawner("dev.gonode.runtime.Go");
        registerSpawner(GoRuntime.class.getName());
        registerSpawner(CreationSites.class.getName());
    }

    private final boolean full;
    private final ClassValue<List<StackTraceElement>> perClass = new ClassValue<>() {
        @Override
        protected List<StackTraceElement> computeValue(Class<?> type) {
            return walk(1);
        }
    };

    CreationSites(boolean full) {
        this.full = full;
    }

    /**
     * Marks a class whose methods start goroutines on behalf of their callers (WaitGroup.go,
     * ErrGroup.go, ...): its frames are skipped when looking for the creation site.
     */
    public static void registerSpawner(String className) {
        SPAWNING_CLASSES.add(className);
    }

    List<StackTraceElement> siteOf(Object key) {
        return full ? walk(Integer.MAX_VALUE) : perClass.get(key.getClass());
    }

    private static List<StackTraceElement> walk(int limit) {
        return WALKER.walk(frames -> frames
                .dropWhile(f -> SPAWNING_CLASSES.contains(f.getClassName())
                        || f.getClassName().startsWith(CreationSites.class.getName()) // the ClassValue
                        || f.getClassName().startsWith("java.lang.ClassValue"))
                .limit(limit)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toList());
    }
}
