package dev.gonode.examples.leaks;

import static dev.gonode.examples.leaks.LeakCheck.assertLeaked;
import static dev.gonode.examples.leaks.LeakCheck.assertNoLeak;
import static dev.gonode.examples.leaks.LeakCheck.lastGoroutineId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.context.Context;
import org.junit.jupiter.api.Test;

class ReceiveForeverTest {

    private final Channel<String> jobs = Channel.make();
    private final Channel<String> handled = Channel.make(10);

    @Test
    void theLeakyWorkerWaitsForEverWhenItsProducerStopsSending() {
        long baseline = lastGoroutineId();

        ReceiveForever.leakyWorker(jobs, handled::send);
        jobs.send("job 1");   // then the producer gives up, without closing `jobs`

        assertEquals("job 1", handled.receive());
        assertLeaked(baseline, 1, WaitReason.CHAN_RECEIVE);
    }

    @Test
    void theFixedWorkerEndsWhenItsWorkIsCalledOff() {
        long baseline = lastGoroutineId();
        Context.WithCancel c = Context.withCancel(Context.background());

        ReceiveForever.worker(c.context(), jobs, handled::send);
        jobs.send("job 1");
        c.cancel();   // the producer gives up, without closing `jobs`

        assertEquals("job 1", handled.receive());
        assertNoLeak(baseline);
    }

    @Test
    void theFixedWorkerEndsWhenItsChannelIsClosed() {
        long baseline = lastGoroutineId();

        ReceiveForever.worker(Context.background(), jobs, handled::send);
        jobs.send("job 1");
        jobs.close();

        assertEquals("job 1", handled.receive());
        assertNoLeak(baseline);
        assertEquals(0, handled.len(), "a closed channel is not a job");
    }
}
