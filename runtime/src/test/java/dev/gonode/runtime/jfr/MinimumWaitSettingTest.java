package dev.gonode.runtime.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The minimumWait setting reads JFR durations and lets the smallest of several recordings win. */
class MinimumWaitSettingTest {

    @Test
    void parsesJfrDurationsAndFallsBackToTheDefaultOnNonsense() {
        assertEquals(0, MinimumWaitSetting.parse("0 ns"));
        assertEquals(0, MinimumWaitSetting.parse("0"));
        assertEquals(5_000, MinimumWaitSetting.parse("5 us"));
        assertEquals(20_000_000, MinimumWaitSetting.parse("20 ms"));
        assertEquals(2_000_000_000L, MinimumWaitSetting.parse(" 2 s "));
        assertEquals(60_000_000_000L, MinimumWaitSetting.parse("1 m"));
        assertEquals(20_000_000, MinimumWaitSetting.parse("soon"));
        assertEquals(20_000_000, MinimumWaitSetting.parse("3 fortnights"));
    }

    @Test
    void combiningRecordingsKeepsTheSmallestMinimum() {
        MinimumWaitSetting setting = new MinimumWaitSetting();
        assertEquals("5 ms", setting.combine(Set.of("1 s", "5 ms", "20 ms")));
        assertEquals(MinimumWaitSetting.DEFAULT, setting.combine(Set.of()));
    }
}
