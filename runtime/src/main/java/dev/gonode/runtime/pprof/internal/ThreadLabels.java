package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import java.util.HashMap;
import java.util.Map;
import jdk.jfr.consumer.RecordedThread;

/**
 * The pprof labels of the thread a JFR event was recorded on: a goroutine's labels
 * ({@code handler=sha256}), or {@code thread=<name>} for a platform thread (Vert.x's event loops,
 * the JIT, ...), which has no goroutine labels.
 *
 * <p>Implementation notes. JFR names a virtual thread by its Java thread id; gonode's registry
 * knows each goroutine's thread. The map from one to the other is rebuilt from the registry when a
 * sample names a thread it does not know, at most once per JFR flush (about once a second), so a
 * profile of a busy node walks the registry once a second, not once per sample. Labels are those
 * the goroutine has when its samples are processed (within about a second of being taken); a
 * goroutine that ended before then has its samples without labels.
 */
final class ThreadLabels {

    private final GoRuntime runtime;
    private Map<Long, Map<String, String>> byThread = Map.of();
    private boolean refreshedSinceFlush;

    ThreadLabels(GoRuntime runtime) {
        this.runtime = runtime;
    }

    /** Called on each JFR flush: the next unknown thread may rebuild the map. */
    void flushed() {
        refreshedSinceFlush = false;
    }

    Map<String, String> of(RecordedThread thread) {
        if (thread == null) {
            return Map.of();
        }
        if (!thread.isVirtual()) {
            String name = thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
            return name == null ? Map.of() : Map.of("thread", name);
        }
        long id = thread.getJavaThreadId();
        Map<String, String> labels = byThread.get(id);
        if (labels == null && !refreshedSinceFlush) {
            refresh();
            labels = byThread.get(id);
        }
        return labels == null ? Map.of() : labels;
    }

    private void refresh() {
        refreshedSinceFlush = true;
        Map<Long, Map<String, String>> next = new HashMap<>();
        runtime.registry().goroutines().forEach(g -> {
            Thread t = g.get();
            if (t != null) {
                next.put(t.threadId(), labelsOf(g));
            }
        });
        byThread = next;
    }

    private static Map<String, String> labelsOf(G g) {
        Map<String, String> labels = g.labels();
        return labels == null ? Map.of() : labels;
    }
}
