package dev.gonode.examples.leaks;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import java.util.function.Consumer;

/**
 * Leak: a goroutine loops over a {@code select} whose cases all wait for work. Nothing ever tells
 * it to stop, so once the work stops coming it waits in the {@code select} for ever.
 *
 * <p>Fix: a {@code ctx.done()} case that returns, the required exit of every such loop.
 */
public final class SelectWithoutExit {

    private SelectWithoutExit() {
    }

    /** Leaky: handles orders and refunds until the process ends. */
    public static void leakyStart(ReceiveChannel<String> orders, ReceiveChannel<String> refunds, Consumer<String> handle) {
        Go.go(() -> {
            for (;;) {
                Select.select(
                        Select.receive(orders, handle),
                        Select.receive(refunds, handle));
                // BUG: no case ends the loop
            }
        });
    }

    /** Fixed: handles orders and refunds until {@code ctx} is done. */
    public static void start(Context ctx, ReceiveChannel<String> orders, ReceiveChannel<String> refunds, Consumer<String> handle) {
        Go.go(() -> {
            boolean running = true;
            while (running) {
                running = Select.select(
                        Select.receive(orders, handle).map(handled -> true),
                        Select.receive(refunds, handle).map(handled -> true),
                        Select.receive(ctx.done()).map(done -> false));
            }
        });
    }
}
