package dev.gonode.examples.leaks;

import static dev.gonode.examples.leaks.LeakCheck.assertLeaked;
import static dev.gonode.examples.leaks.LeakCheck.assertNoLeak;
import static dev.gonode.examples.leaks.LeakCheck.lastGoroutineId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.WaitReason;
import org.junit.jupiter.api.Test;

class WaitingForEachOtherTest {

    @Test
    void theLeakyCallerAndItsHelperBothWaitForEver() {
        long baseline = lastGoroutineId();

        Go.go(() -> WaitingForEachOther.leakyCompute(() -> 42));   // the caller never returns

        assertLeaked(baseline, 2, WaitReason.CHAN_RECEIVE);   // caller on `result`, helper on `start`
    }

    @Test
    void theFixedCallerGetsItsResultAndTheHelperFinishes() {
        long baseline = lastGoroutineId();

        assertEquals(42, WaitingForEachOther.compute(() -> 42));

        assertNoLeak(baseline);
    }
}
