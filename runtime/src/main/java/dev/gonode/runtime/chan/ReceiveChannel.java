package dev.gonode.runtime.chan;

import java.util.Iterator;

/**
 * The receiving end of a channel: Go's {@code <-chan T}. A method that takes a
 * {@code ReceiveChannel} can receive from it and range over it but cannot send on it or close it.
 *
 * <p>Every {@code ReceiveChannel} is a {@link Channel}; the interface exists so that the type
 * system can hand out only the receiving half, as Go's directional channel types do.
 *
 * @param <T> the element type; elements are never {@code null}
 */
public sealed interface ReceiveChannel<T> extends Iterable<T> permits Channel {

    /**
     * Receives a value, blocking until one is available: Go's {@code v := <-ch}. Returns
     * {@code null} (Go's zero value) once the channel is closed and its buffer drained; use
     * {@link #receiveOk()} to tell the two apart explicitly. While blocked, the goroutine is parked
     * with wait reason {@code chan receive}; on the nil channel it blocks forever
     * ({@code chan receive (nil chan)}). Interrupts do not end the wait (Go has none); the thread's
     * interrupt status is kept.
     */
    T receive();

    /**
     * Receives a value or learns that the channel is closed and drained: Go's
     * {@code v, ok := <-ch}. Blocks like {@link #receive()}.
     */
    Received<T> receiveOk();

    /**
     * Receives without blocking: Go's {@code select { case v, ok := <-ch: ... default: }}.
     * Returns a value ({@code ok == true}), {@link Received#closed()} if the channel is closed and
     * drained, or {@code null} if receiving would block.
     */
    Received<T> tryReceive();

    /**
     * Iterates over the values received until the channel is closed and drained: Go's
     * {@code for v := range ch}. {@code hasNext()} blocks like {@link #receive()}.
     */
    @Override
    Iterator<T> iterator();

    /** The number of values in the buffer: Go's {@code len(ch)} (a snapshot). */
    int len();

    /** The buffer's capacity: Go's {@code cap(ch)}; 0 for an unbuffered channel. */
    int cap();
}
