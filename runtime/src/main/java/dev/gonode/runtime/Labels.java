package dev.gonode.runtime;

import dev.gonode.runtime.internal.sched.G;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * pprof-style goroutine labels (Go's {@code pprof.Do}): key/value pairs attached to the current
 * goroutine for the duration of a call and inherited by every goroutine started inside it. Dumps
 * and profiles show them; the dump filters select on them.
 *
 * <pre>{@code
 * Labels.with(Map.of("handler", "echo", "job", id), () -> Go.go(() -> work(id)));
 * }</pre>
 */
public final class Labels {

    private static final ThreadLocal<Map<String, String>> PLATFORM_THREAD_LABELS =
            ThreadLocal.withInitial(Map::of);

    private Labels() {
    }

    /**
     * Runs {@code body} with {@code labels} added to the current goroutine's (or thread's) labels,
     * then restores the previous labels. Keys already present are overwritten for the call.
     *
     * @throws NullPointerException     if a key or value is null
     * @throws IllegalArgumentException if a key is empty
     */
    public static void with(Map<String, String> labels, Runnable body) {
        Objects.requireNonNull(body, "body");
        Map<String, String> merged = new TreeMap<>(current());
        labels.forEach((k, v) -> {
            Objects.requireNonNull(k, "label key");
            Objects.requireNonNull(v, () -> "value of label " + k);
            if (k.isEmpty()) {
                throw new IllegalArgumentException("label keys must not be empty (labels: " + labels + ")");
            }
            merged.put(k, v);
        });
        Map<String, String> next = Collections.unmodifiableMap(new LinkedHashMap<>(merged));
        G g = G.current();
        if (g != null) {
            Map<String, String> previous = g.labels();
            g.setLabels(next);
            try {
                body.run();
            } finally {
                g.setLabels(previous);
            }
        } else {
            Map<String, String> previous = PLATFORM_THREAD_LABELS.get();
            PLATFORM_THREAD_LABELS.set(next);
            try {
                body.run();
            } finally {
                PLATFORM_THREAD_LABELS.set(previous);
            }
        }
    }

    /** The labels of the current goroutine, or of the current plain thread; sorted by key. */
    public static Map<String, String> current() {
        G g = G.current();
        return g != null ? g.labels() : PLATFORM_THREAD_LABELS.get();
    }
}
