package dev.gonode.examples.pipeline;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.chan.SendChannel;
import dev.gonode.runtime.context.Context;
import java.util.function.Function;

/**
 * Pipeline stages that stop when their context is done.
 *
 * <pre>{@code
 * Context.WithCancel c = Context.withCancel(parent);
 * try {
 *     ReceiveChannel<Integer> squares = Pipeline.map(c.context(), Pipeline.generate(c.context(), numbers), n -> n * n);
 *     for (int sq : squares) {
 *         if (sq > limit) break;            // stop early: cancel() below stops every stage
 *     }
 * } finally {
 *     c.cancel();                           // defer cancel()
 * }
 * }</pre>
 */
public final class Pipeline {

    private Pipeline() {
    }

    /**
     * The source stage: sends each of {@code values} (which may be endless) until they run out or
     * {@code ctx} is done, then closes its output.
     */
    public static <T> ReceiveChannel<T> generate(Context ctx, Iterable<? extends T> values) {
        Channel<T> out = Channel.make();
        Go.go(() -> {
            for (T value : values) {
                if (!send(ctx, out, value)) {
                    break;
                }
            }
            out.close();
        });
        return out;
    }

    /**
     * A middle stage: sends {@code f} of each value of {@code in} until {@code in} is closed or
     * {@code ctx} is done, then closes its output.
     */
    public static <T, R> ReceiveChannel<R> map(Context ctx, ReceiveChannel<T> in, Function<? super T, ? extends R> f) {
        Channel<R> out = Channel.make();
        Go.go(() -> {
            for (T value : in) {
                if (!send(ctx, out, f.apply(value))) {
                    break;
                }
            }
            out.close();
        });
        return out;
    }

    /** {@code select { case out <- value: return true; case <-ctx.Done(): return false }}. */
    private static <T> boolean send(Context ctx, SendChannel<T> out, T value) {
        return Select.select(
                Select.send(out, value).map(sent -> true),
                Select.receive(ctx.done()).map(done -> false));
    }
}
