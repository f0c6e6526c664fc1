package dev.gonode.examples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.leak.GoroutineLeaks;
import dev.gonode.runtime.leak.LeakOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PipelineTest {

    @Test
    void valuesFlowThroughEveryStageInOrderAndTheOutputClosesAtTheEnd() {
        Context ctx = Context.background();
        ReceiveChannel<Integer> squares = Pipeline.map(ctx, Pipeline.generate(ctx, List.of(1, 2, 3, 4)), n -> n * n);
        ReceiveChannel<String> labelled = Pipeline.map(ctx, squares, n -> "sq=" + n);

        List<String> out = new ArrayList<>();
        labelled.forEach(out::add);   // ends only if every stage closes its output

        assertEquals(List.of("sq=1", "sq=4", "sq=9", "sq=16"), out);
    }

    @Test
    void cancellingStopsEveryStageEvenWhenNobodyReadsTheOutputAnyMore() {
        long before = Go.schedStats().created();
        Context.WithCancel c = Context.withCancel(Context.background());
        Iterable<Integer> naturals = () -> Stream.iterate(1, n -> n + 1).iterator();
        ReceiveChannel<Integer> source = Pipeline.generate(c.context(), naturals);
        ReceiveChannel<Integer> squares = Pipeline.map(c.context(), source, n -> n * n);
        ReceiveChannel<Integer> plusOne = Pipeline.map(c.context(), squares, n -> n + 1);

        assertEquals(List.of(2, 5, 10), List.of(plusOne.receive(), plusOne.receive(), plusOne.receive()));
        // The consumer walks away: every stage is now blocked sending, the source on an endless input.
        c.cancel();

        // Without the ctx.done() case in each send, all three stages would stay blocked for ever.
        GoroutineLeaks.verifyNone(LeakOptions.defaults().startedAfter(before));
        assertFalse(plusOne.receiveOk().ok(), "each stage closes its output when it stops");
    }
}
