package dev.gonode.examples.fanout;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.sync.WaitGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Fans one channel out to several worker goroutines and their outputs back in to one channel.
 *
 * <pre>{@code
 * List<ReceiveChannel<Thumbnail>> cooks = FanOutFanIn.fanOut(images, 3, this::resize);
 * for (Thumbnail t : FanOutFanIn.merge(cooks)) { ... }   // ends when every cook is done
 * }</pre>
 */
public final class FanOutFanIn {

    private FanOutFanIn() {
    }

    /**
     * Fan-out: starts {@code workers} goroutines that each take values from {@code in} until it is
     * closed and drained, apply {@code work}, and send the result on a channel of their own, which
     * they close when they are done. Each value of {@code in} goes to exactly one worker.
     *
     * @throws IllegalArgumentException if {@code workers < 1}
     */
    public static <T, R> List<ReceiveChannel<R>> fanOut(ReceiveChannel<T> in, int workers, Function<? super T, ? extends R> work) {
        if (workers < 1) {
            throw new IllegalArgumentException("fanning out needs at least one worker, got " + workers);
        }
        List<ReceiveChannel<R>> outputs = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            Channel<R> out = Channel.make();
            Go.go(() -> {
                for (T value : in) {
                    out.send(work.apply(value));
                }
                out.close();
            });
            outputs.add(out);
        }
        return outputs;
    }

    /**
     * Fan-in: returns a channel that carries every value of every input, in the order they become
     * available, and is closed once all inputs are closed and drained.
     */
    public static <T> ReceiveChannel<T> merge(List<? extends ReceiveChannel<T>> inputs) {
        Channel<T> merged = Channel.make();
        WaitGroup copying = new WaitGroup();
        for (ReceiveChannel<T> input : inputs) {
            copying.go(() -> {
                for (T value : input) {
                    merged.send(value);
                }
            });
        }
        Go.go(() -> {
            copying.waitAll();
            merged.close();
        });
        return merged;
    }
}
