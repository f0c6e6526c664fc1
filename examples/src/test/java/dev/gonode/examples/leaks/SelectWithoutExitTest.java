package dev.gonode.examples.leaks;

import static dev.gonode.examples.leaks.LeakCheck.assertLeaked;
import static dev.gonode.examples.leaks.LeakCheck.assertNoLeak;
import static dev.gonode.examples.leaks.LeakCheck.lastGoroutineId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.context.Context;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectWithoutExitTest {

    private final Channel<String> orders = Channel.make();
    private final Channel<String> refunds = Channel.make();
    private final Channel<String> handled = Channel.make(10);

    @Test
    void theLeakyLoopWaitsInItsSelectForEverOnceWorkStops() {
        long baseline = lastGoroutineId();

        SelectWithoutExit.leakyStart(orders, refunds, handled::send);
        orders.send("order 1");
        refunds.send("refund 1");

        assertEquals(List.of("order 1", "refund 1"), List.of(handled.receive(), handled.receive()));
        assertLeaked(baseline, 1, WaitReason.SELECT);
    }

    @Test
    void theFixedLoopEndsWhenItsContextIsDone() {
        long baseline = lastGoroutineId();
        Context.WithCancel c = Context.withCancel(Context.background());

        SelectWithoutExit.start(c.context(), orders, refunds, handled::send);
        orders.send("order 1");
        refunds.send("refund 1");
        c.cancel();

        assertEquals(List.of("order 1", "refund 1"), List.of(handled.receive(), handled.receive()));
        assertNoLeak(baseline);
    }
}
