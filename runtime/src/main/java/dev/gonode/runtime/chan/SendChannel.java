package dev.gonode.runtime.chan;

/**
 * The sending end of a channel: Go's {@code chan<- T}. A method that takes a {@code SendChannel}
 * can send on it and close it but cannot receive from it.
 *
 * <p>Every {@code SendChannel} is a {@link Channel}; the interface exists so that the type system
 * can hand out only the sending half, as Go's directional channel types do.
 *
 * @param <T> the element type; elements are never {@code null}
 */
public sealed interface SendChannel<T> permits Channel {

    /**
     * Sends {@code value}, blocking until a receiver takes it (unbuffered channel) or there is room
     * in the buffer: Go's {@code ch <- value}. While blocked, the goroutine is parked with wait
     * reason {@code chan send}; on the nil channel it blocks forever ({@code chan send (nil chan)}).
     * Interrupts do not end the wait (Go has none); the thread's interrupt status is kept.
     *
     * @throws ChannelClosedException if the channel is closed, or is closed while the send waits
     *                                ({@code send on closed channel})
     * @throws NullPointerException   if {@code value} is {@code null}
     */
    void send(T value);

    /**
     * Sends {@code value} if that can be done without blocking: Go's
     * {@code select { case ch <- value: ... default: }}. Returns whether it was sent.
     *
     * @throws ChannelClosedException if the channel is closed ({@code send on closed channel})
     * @throws NullPointerException   if {@code value} is {@code null}
     */
    boolean trySend(T value);

    /**
     * Closes the channel: Go's {@code close(ch)}. Values already sent can still be received;
     * every receiver blocked on the channel wakes and sees it closed; every sender blocked on it
     * wakes and fails with {@code send on closed channel}; further sends fail the same way.
     *
     * @throws ChannelClosedException if the channel is already closed ({@code close of closed channel})
     * @throws IllegalStateException  on the nil channel ({@code close of nil channel})
     */
    void close();

    /** The number of values in the buffer: Go's {@code len(ch)} (a snapshot). */
    int len();

    /** The buffer's capacity: Go's {@code cap(ch)}; 0 for an unbuffered channel. */
    int cap();
}
