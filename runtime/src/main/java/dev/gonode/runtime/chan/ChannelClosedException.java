package dev.gonode.runtime.chan;

/**
 * A send on a closed channel or a close of a closed channel: the two channel misuses for which Go
 * panics. The message is Go's ({@code send on closed channel}, {@code close of closed channel}).
 *
 * <p>Like Go's panic, this is a programming error, not a condition to poll for: only the sending
 * side should close a channel, and only once. Receivers learn about a close through
 * {@link ReceiveChannel#receiveOk()} or the end of iteration.
 */
public final class ChannelClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    ChannelClosedException(String message) {
        super(message);
    }

    static ChannelClosedException sendOnClosed() {
        return new ChannelClosedException("send on closed channel");
    }

    static ChannelClosedException closeOfClosed() {
        return new ChannelClosedException("close of closed channel");
    }
}
