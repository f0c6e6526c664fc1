package dev.gonode.examples.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.leak.VerifyNoGoroutineLeaks;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every test also checks that the workers and the merge's goroutines are gone afterwards. */
@VerifyNoGoroutineLeaks
class FanOutFanInTest {

    @Test
    void everyInputComesOutOfTheMergeExactlyOnceProcessed() {
        Channel<Integer> orders = Channel.make();
        Go.go(() -> {
            for (int i = 1; i <= 500; i++) {
                orders.send(i);
            }
            orders.close();
        });

        List<ReceiveChannel<Integer>> cooks = FanOutFanIn.fanOut(orders, 3, order -> -order);
        List<Integer> delivered = new ArrayList<>();
        for (int dish : FanOutFanIn.merge(cooks)) {
            delivered.add(-dish);
        }

        assertEquals(3, cooks.size());
        delivered.sort(null);
        assertEquals(IntStream.rangeClosed(1, 500).boxed().toList(), delivered);
    }

    @Test
    void theMergeStaysOpenUntilItsLastInputCloses() {
        Channel<String> a = Channel.make();
        Channel<String> b = Channel.make();
        ReceiveChannel<String> merged = FanOutFanIn.merge(List.of(a, b));

        a.send("from a");      // taken by a's copier, which then waits to pass it on
        assertEquals("from a", merged.receive());
        a.close();
        b.send("from b");
        assertEquals("from b", merged.receive(), "a closed input must not close the merge");
        b.close();

        assertFalse(merged.receiveOk().ok(), "the merge is closed once every input is");
    }

    @Test
    void fanningOutToNoWorkersIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> FanOutFanIn.fanOut(Channel.<Integer>make(), 0, n -> n));
    }
}
