package dev.gonode.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The public face of goroutines, on the process-wide runtime. */
class GoTest {

    @Test
    void goStartsAGoroutineThatKnowsItself() throws Exception {
        AtomicReference<Goroutine> inside = new AtomicReference<>();
        Goroutine g = Go.go("worker", () -> inside.set(Go.current()));
        assertTrue(g.join(Duration.ofSeconds(10)));
        assertSame(g, inside.get());
        assertEquals("worker", g.name());
        assertTrue(g.id() > 0);
        assertEquals(GoroutineState.DEAD, g.state());
    }

    @Test
    void aPlainThreadIsNotAGoroutine() {
        assertNull(Go.current());
    }

    @Test
    void gomaxprocsRejectsLessThanOneWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Go.gomaxprocs(0));
        assertEquals("GOMAXPROCS must be at least 1, got 0", e.getMessage());
    }

    @Test
    void schedStatsDescribeTheScheduler() {
        SchedStats s = Go.schedStats();
        assertEquals("gonode", s.scheduler());
        assertEquals(s.gomaxprocs(), s.localQueues().size());
        assertTrue(s.weakContainer());
    }

    @Test
    void goDurationsParseAndFormatLikeGo() {
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofMinutes(165), GoDuration.parse("2h45m"));
        assertEquals(Duration.ofNanos(300), GoDuration.parse("300ns"));
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("250ms", GoDuration.format(Duration.ofMillis(250)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5 parsecs"));
        assertTrue(e.getMessage().contains("\"5 parsecs\""), e.getMessage());
    }
}
