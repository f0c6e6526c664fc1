package dev.gonode.examples.leaks;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Received;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import java.util.function.Consumer;

/**
 * Leak: a worker receives from a channel in an endless loop. If the producer stops sending
 * without closing the channel (it failed, or its request was cancelled), the worker waits on the
 * receive for ever; and if the producer does close it, the loop spins on "closed" instead.
 *
 * <p>Fix: the worker tells a value from "closed" ({@code v, ok := <-ch}) and returns on close, and
 * also selects on {@code ctx.done()} so that it stops when the work is called off.
 */
public final class ReceiveForever {

    private ReceiveForever() {
    }

    /** Leaky: waits on {@code jobs} for ever once nothing is sent. */
    public static void leakyWorker(ReceiveChannel<String> jobs, Consumer<String> handle) {
        Go.go(() -> {
            for (;;) {
                handle.accept(jobs.receive());   // BUG: blocked for ever if nobody sends; null once closed
            }
        });
    }

    /** Fixed: ends when {@code jobs} is closed or {@code ctx} is done. */
    public static void worker(Context ctx, ReceiveChannel<String> jobs, Consumer<String> handle) {
        Go.go(() -> {
            for (;;) {
                Received<String> job = Select.select(
                        Select.receiveOk(jobs),
                        Select.receive(ctx.done()).map(done -> Received.<String>closed()));
                if (!job.ok()) {
                    return;   // jobs closed, or the work was called off
                }
                handle.accept(job.value());
            }
        });
    }
}
