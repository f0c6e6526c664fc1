package dev.gonode.examples.leaks;

import static dev.gonode.examples.leaks.LeakCheck.assertLeaked;
import static dev.gonode.examples.leaks.LeakCheck.assertNoLeak;
import static dev.gonode.examples.leaks.LeakCheck.lastGoroutineId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.context.Context;
import org.junit.jupiter.api.Test;

class HandlerIgnoresContextTest {

    /** A mailer that has stopped taking events: nothing ever receives from it. */
    private final Channel<String> stuckMailer = Channel.make();

    @Test
    void theLeakyHandlersGoroutineOutlivesItsRequest() {
        long baseline = lastGoroutineId();
        Context.WithCancel request = Context.withCancel(Context.background());

        HandlerIgnoresContext.leakyHandle(request.context(), stuckMailer, "return-created");
        request.cancel();   // the client disconnects

        assertLeaked(baseline, 1, WaitReason.CHAN_SEND);
    }

    @Test
    void theFixedHandlersGoroutineEndsWithItsRequest() {
        long baseline = lastGoroutineId();
        Context.WithCancel request = Context.withCancel(Context.background());

        HandlerIgnoresContext.handle(request.context(), stuckMailer, "return-created");
        request.cancel();

        assertNoLeak(baseline);
    }

    @Test
    void theFixedHandlerStillDeliversWhileItsRequestIsLive() {
        long baseline = lastGoroutineId();
        Channel<String> mailer = Channel.make();

        HandlerIgnoresContext.handle(Context.background(), mailer, "return-created");

        assertEquals("return-created", mailer.receive());
        assertNoLeak(baseline);
    }
}
