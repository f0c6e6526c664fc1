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

    @Test
    void goDurationsFormatExactlyAsGosDurationString() {
        // Expected strings as Go's time.Duration.String prints these values.
        assertEquals("0s", GoDuration.format(Duration.ZERO));
        assertEquals("1ns", GoDuration.format(Duration.ofNanos(1)));
        assertEquals("1.1µs", GoDuration.format(Duration.ofNanos(1_100)));
        assertEquals("2.2ms", GoDuration.format(Duration.ofNanos(2_200_000)));
        assertEquals("1.000001ms", GoDuration.format(Duration.ofNanos(1_000_001)));
        assertEquals("3.3s", GoDuration.format(Duration.ofMillis(3_300)));
        assertEquals("4m5s", GoDuration.format(Duration.ofSeconds(245)));
        assertEquals("4m5.001s", GoDuration.format(Duration.ofMillis(245_001)));
        assertEquals("5h6m7.001s", GoDuration.format(Duration.ofMillis(18_367_001)));
        assertEquals("8m0.000000001s", GoDuration.format(Duration.ofMinutes(8).plusNanos(1)));
        assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
        assertEquals("-1.5s", GoDuration.format(Duration.ofMillis(-1_500)));
        assertEquals("-999ns", GoDuration.format(Duration.ofNanos(-999)));
        assertEquals("2562047h47m16.854775807s", GoDuration.format(Duration.ofNanos(Long.MAX_VALUE)));
        assertEquals("-2562047h47m16.854775808s", GoDuration.format(Duration.ofNanos(Long.MIN_VALUE)));
    }
}
