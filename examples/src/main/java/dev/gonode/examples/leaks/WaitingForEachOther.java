package dev.gonode.examples.leaks;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import java.util.function.IntSupplier;

/**
 * Leak: a caller starts a helper that waits for a go-ahead on {@code start} and then sends its
 * result on {@code result}; the caller waits for the result but never sends the go-ahead. Each
 * waits for the other, so both are stuck for ever (Go reports "all goroutines are asleep" only
 * when nothing else in the process runs; in a server nothing notices).
 *
 * <p>Fix: the caller sends the go-ahead before it waits, and {@code result} has room for one
 * value, so the helper's send completes even if the caller has stopped waiting for it.
 */
public final class WaitingForEachOther {

    private WaitingForEachOther() {
    }

    /** Leaky: blocks its caller, and the helper, for ever. */
    public static int leakyCompute(IntSupplier work) {
        Channel<Boolean> start = Channel.make();
        Channel<Integer> result = Channel.make();
        Go.go(() -> {
            start.receive();
            result.send(work.getAsInt());
        });
        return result.receive();   // BUG: waits for a helper that waits for us
    }

    /** Fixed: returns {@code work}'s result; the helper always finishes. */
    public static int compute(IntSupplier work) {
        Channel<Boolean> start = Channel.make();
        Channel<Integer> result = Channel.make(1);
        Go.go(() -> {
            start.receive();
            result.send(work.getAsInt());
        });
        start.send(true);
        return result.receive();
    }
}
