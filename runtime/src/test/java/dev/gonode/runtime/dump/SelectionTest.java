package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.dump.internal.Selection;
import dev.gonode.runtime.dump.internal.Snapshot;
import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Selection hands out the same goroutines in the same (id) order whether it takes stacks on the
 * caller's thread or on helper threads ahead of the writer, skips finished goroutines without
 * counting them against the limit, and leaves no helper thread behind.
 */
class SelectionTest {

    private static List<FakeGoroutine> goroutines(int n) {
        List<FakeGoroutine> gs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            gs.add(i % 7 == 0
                    ? new FakeGoroutine(i, 0, null, Map.of(), GoroutineState.DEAD, null, Duration.ZERO, List.of(),
                            new StackTraceElement[0])
                    : FakeGoroutine.parked(i, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of()));
        }
        Collections.shuffle(gs);
        return gs;
    }

    private static List<Long> ids(Selection s) {
        List<Long> ids = new ArrayList<>();
        for (Snapshot snap : s) {
            ids.add(snap.id());
        }
        return ids;
    }

    @Test
    void helperThreadsHandOutTheSameGoroutinesInTheSameOrderAsTheCallersThread() {
        List<FakeGoroutine> gs = goroutines(3_000);
        List<Long> sequential = ids(Selection.of(gs.stream(), DumpFilter.all(), 1));
        List<Long> parallel = ids(Selection.of(gs.stream(), DumpFilter.all(), 3));
        assertEquals(3_000 - 3_000 / 7, sequential.size(), "finished goroutines are skipped");
        assertEquals(sequential, parallel);
        assertEquals(sequential.stream().sorted().toList(), sequential, "lowest id first");

        DumpFilter limited = DumpFilter.all().limit(1_000);
        List<Long> firstThousand = ids(Selection.of(gs.stream(), limited, 3));
        assertEquals(sequential.subList(0, 1_000), firstThousand, "the limit counts goroutines shown");
        assertEquals(firstThousand, ids(Selection.of(gs.stream(), limited, 1)));

        Await.until("the dump's helper threads have retired", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("gonode-dump-")));
    }
}
