package dev.gonode.runtime.chan;

/**
 * The outcome of a receive that tells a value apart from a closed channel: Go's
 * {@code v, ok := <-ch}. {@code ok} is {@code true} when {@code value} was sent on the channel,
 * {@code false} when the channel is closed and drained (then {@code value} is {@code null}).
 *
 * @param value the value received, or {@code null} when {@code ok} is {@code false}
 * @param ok    whether a value was received
 * @param <T>   the element type
 */
public record Received<T>(T value, boolean ok) {

    private static final Received<?> CLOSED = new Received<>(null, false);

    public Received {
        if (ok == (value == null)) {
            throw new IllegalArgumentException(ok
                    ? "a received value is never null (ok=true needs a value)"
                    : "a closed channel yields no value (ok=false needs value=null)");
        }
    }

    /** A received value. */
    public static <T> Received<T> of(T value) {
        return new Received<>(value, true);
    }

    /** The result of receiving from a closed, drained channel. */
    @SuppressWarnings("unchecked")
    public static <T> Received<T> closed() {
        return (Received<T>) CLOSED;
    }
}
