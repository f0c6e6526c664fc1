package dev.gonode.node.internal.periodic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gonode.node.NodeConfig;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static NodeConfig.Periodic every(Duration d) {
        return new NodeConfig.Periodic("p", "echo", JsonNodeFactory.instance.objectNode(), d, null);
    }

    private static NodeConfig.Periodic cron(String c) {
        return new NodeConfig.Periodic("p", "echo", JsonNodeFactory.instance.objectNode(), null, c);
    }

    @Test
    void everyTicksAtMultiplesOfThePeriodSinceTheEpoch() {
        Schedule s = Schedule.of(every(Duration.ofMinutes(5)));
        Instant t = Instant.parse("2025-03-01T10:07:30Z");
        assertEquals(Instant.parse("2025-03-01T10:05:00Z"), s.latestAtOrBefore(t));
        assertEquals(Instant.parse("2025-03-01T10:10:00Z"), s.nextAfter(t));
        assertEquals(Instant.parse("2025-03-01T10:05:00Z"), s.latestAtOrBefore(Instant.parse("2025-03-01T10:05:00Z")));
        assertEquals(Instant.parse("2025-03-01T10:10:00Z"), s.nextAfter(Instant.parse("2025-03-01T10:05:00Z")));
        assertEquals(3, s.ticksBetween(Instant.parse("2025-03-01T10:00:00Z"), Instant.parse("2025-03-01T10:20:00Z")));
        assertEquals(0, s.ticksBetween(Instant.parse("2025-03-01T10:00:00Z"), Instant.parse("2025-03-01T10:05:00Z")));
        assertEquals("every 5m0s", s.describe());
    }

    @Test
    void cronTicksWhenTheExpressionMatchesInUtc() {
        Schedule s = Schedule.of(cron("0 3 * * *"));
        assertEquals(Instant.parse("2025-03-01T03:00:00Z"), s.latestAtOrBefore(Instant.parse("2025-03-01T10:00:00Z")));
        assertEquals(Instant.parse("2025-03-02T03:00:00Z"), s.nextAfter(Instant.parse("2025-03-01T10:00:00Z")));
        assertEquals(Instant.parse("2025-03-01T03:00:00Z"), s.latestAtOrBefore(Instant.parse("2025-03-01T03:00:40Z")));
        assertEquals(2, s.ticksBetween(Instant.parse("2025-03-01T03:00:00Z"), Instant.parse("2025-03-04T03:00:00Z")));
        Schedule quarter = Schedule.of(cron("*/15 * * * *"));
        assertEquals(Instant.parse("2025-03-01T10:15:00Z"), quarter.nextAfter(Instant.parse("2025-03-01T10:00:00Z")));
    }

    @Test
    void badSchedulesAreRefusedSayingWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.of(cron("61 * * * *")))
                .getMessage().contains("not a crontab expression"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.of(cron("every day")))
                .getMessage().contains("five fields"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.of(every(Duration.ofMillis(500))))
                .getMessage().contains("whole seconds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.of(every(Duration.ofMillis(1500))))
                .getMessage().contains("whole seconds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.of(
                new NodeConfig.Periodic("p", "echo", JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(5), "* * * * *")))
                .getMessage().contains("exactly one"));
    }
}
