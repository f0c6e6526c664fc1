package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Dump filters: each criterion, their combination, the limit, and clear errors for bad syntax. */
class DumpFilterTest {

    private static final FakeGoroutine RECV = FakeGoroutine.parked(1, WaitReason.CHAN_RECEIVE, Duration.ofMinutes(6),
            Map.of("handler", "echo", "job", "echo-7"));
    private static final FakeGoroutine SELECT = FakeGoroutine.parked(2, WaitReason.SELECT, Duration.ofSeconds(5), Map.of());
    private static final FakeGoroutine RUNNING = new FakeGoroutine(3, 0, "worker-12", Map.of("handler", "echo"),
            GoroutineState.RUNNING, null, Duration.ZERO, List.of(), new StackTraceElement[0]);

    private static List<Long> ids(DumpFilter f) {
        return GoroutineDump.of(List.of(SELECT, RUNNING, RECV)).filter(f).debug2().lines()
                .filter(l -> l.startsWith("goroutine ")).map(l -> Long.parseLong(l.split(" ")[1])).toList();
    }

    @Test
    void eachCriterionSelectsOnlyWhatItNames() {
        assertEquals(List.of(1L, 2L, 3L), ids(DumpFilter.all()), "no criterion: every goroutine, in id order");
        assertEquals(List.of(3L), ids(DumpFilter.all().states("running")));
        assertEquals(List.of(1L, 2L), ids(DumpFilter.all().states(GoroutineState.WAITING)));
        assertEquals(List.of(2L), ids(DumpFilter.all().waitReasons("select")));
        assertEquals(List.of(1L, 2L), ids(DumpFilter.all().waitReasons("chan receive, select")));
        assertEquals(List.of(1L), ids(DumpFilter.all().minWait("5m")));
        assertEquals(List.of(1L, 2L), ids(DumpFilter.all().minWait(Duration.ofSeconds(5))));
        assertEquals(List.of(1L, 3L), ids(DumpFilter.all().labels("handler=echo")));
        assertEquals(List.of(1L), ids(DumpFilter.all().labels("handler=echo, job=echo-7")));
        assertEquals(List.of(3L), ids(DumpFilter.all().name("worker-*")));
        assertEquals(List.of(3L), ids(DumpFilter.all().name("worker-1?")));
        assertEquals(List.of(), ids(DumpFilter.all().name("worker-1")), "a glob matches the whole name");
        assertEquals(List.of(3L), ids(DumpFilter.all().nameRegex("worker-\\d+")));
        assertEquals(List.of(), ids(DumpFilter.all().name("w.rker-12")), "a glob's dot is a dot");
    }

    @Test
    void criteriaCombineAndTheLimitKeepsTheLowestIds() {
        assertEquals(List.of(1L), ids(DumpFilter.all().labels("handler=echo").states("waiting")));
        assertEquals(List.of(1L, 2L), ids(DumpFilter.all().limit(2)));
        assertEquals(List.of(2L), ids(DumpFilter.all().waitReasons("select,chan receive").minWait("1s").limit("1")
                .labels(Map.of()).states("waiting,running").waitReasons(WaitReason.SELECT)));
    }

    @Test
    void theFilterIsDecidedBeforeAnyStackIsTaken() {
        Goroutine noStack = new FakeGoroutine(9, 0, "x", Map.of("k", "v"), GoroutineState.RUNNING, null, Duration.ZERO,
                List.of(), null); // taking its stack fails the test
        assertFalse(DumpFilter.all().states("waiting").matches(noStack));
        assertTrue(DumpFilter.all().states("running").name("x").labels("k=v").matches(noStack));
        assertEquals("", GoroutineDump.of(List.of(noStack)).filter(DumpFilter.all().waitReasons("select")).debug2());
    }

    @Test
    void badSyntaxNamesTheInputAndWhatToDo() {
        Map<Function<DumpFilter, DumpFilter>, String> bad = Map.of(
                f -> f.states("sleeping"), "goroutine state \"sleeping\" is unknown: use runnable, running or waiting",
                f -> f.waitReasons("chan recv"), "wait reason \"chan recv\" is unknown: use one of chan receive",
                f -> f.minWait("5 minutes"), "minimum wait \"5 minutes\" is not a duration: write it as Go does",
                f -> f.labels("handler"), "label selector \"handler\" has \"handler\", which is not key=value",
                f -> f.labels(" , "), "label selector \" , \" is empty",
                f -> f.nameRegex("worker-("), "name regex \"worker-(\" is not a valid regular expression",
                f -> f.limit("ten"), "limit \"ten\" is not a whole number: use 1 or more",
                f -> f.limit(0), "limit 0 is not positive",
                f -> f.name(""), "name pattern is empty");
        bad.forEach((apply, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> apply.apply(DumpFilter.all()));
            assertTrue(e.getMessage().startsWith(message), () -> "message: " + e.getMessage() + "\nexpected: " + message);
        });
        assertThrows(IllegalArgumentException.class, () -> DumpFormat.ofDebug(3));
    }

    @Test
    void aFilterDescribesItself() {
        assertTrue(Pattern.matches("DumpFilter\\{states=waiting waitReasons=select minWait=5m0s labels=\\{a=b} name=w\\* limit=3}",
                DumpFilter.all().states("waiting").waitReasons("select").minWait("5m").labels("a=b").name("w*").limit(3)
                        .toString()), DumpFilter.all().states("waiting").waitReasons("select").minWait("5m").labels("a=b")
                .name("w*").limit(3).toString());
    }
}
