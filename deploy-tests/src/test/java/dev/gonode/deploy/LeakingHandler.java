package dev.gonode.deploy;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import java.util.Map;

/**
 * {@code leak}: a handler with the commonest goroutine leak. Each job starts a goroutine that
 * receives from a channel only it can reach, so nothing can ever send to it; the job returns at
 * once. Once the goroutine has parked, the garbage collector finds it unreachable and gonode counts
 * a proven leak ({@code gonode_goroutines_leaked_total}).
 *
 * <p>On the class path of every node deploy-tests starts, and run only by those whose
 * configuration names it under {@code handlers:} (AlertsOnALiveNodeTest).
 */
public final class LeakingHandler implements JobHandler {

    @Override
    public String name() {
        return "leak";
    }

    @Override
    public Object handle(Job job) {
        Go.go("leaked-receiver", LeakingHandler::receiveFromAChannelNobodyCanSendTo);
        return Map.of("leaked", 1);
    }

    private static void receiveFromAChannelNobodyCanSendTo() {
        Channel<Object> unreachable = Channel.make();
        unreachable.receive();
    }
}
