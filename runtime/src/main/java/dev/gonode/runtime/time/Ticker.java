package dev.gonode.runtime.time;

import dev.gonode.runtime.chan.ReceiveChannel;
import java.time.Duration;
import java.time.Instant;

/**
 * Go's {@code time.Ticker}: delivers the time on {@link #channel()} every period, made by
 * {@link Time#newTicker}.
 *
 * <pre>{@code
 * Ticker t = Time.newTicker(Duration.ofSeconds(1));
 * try {
 *     for (Instant now : t.channel()) { report(now); }
 * } finally {
 *     t.stop();
 * }
 * }</pre>
 *
 * <p>As in Go, ticks are dropped for a slow receiver: the channel holds at most one tick, and the
 * next tick is scheduled on the period's grid, never as a burst to catch up. Go 1.23 semantics:
 * after {@link #stop()} or {@link #reset(Duration)} returns, no tick from before the call is
 * received. {@code stop} does not close the channel, whose {@code len} and {@code cap} are always
 * 0, as in Go. A ticker that nothing refers to any more (neither the ticker nor its channel, and
 * no goroutine waits on the channel) is garbage collected even if it was never stopped, as since
 * Go 1.23; stopping it is still the way to end the ticks at a known point.
 */
public final class Ticker {

    final TimerCore core; // package-private for the tests' view of what it sent

    Ticker(TimerCore core) {
        this.core = core;
    }

    /** The channel on which the ticks are delivered (Go's {@code t.C}). */
    public ReceiveChannel<Instant> channel() {
        return core.channel();
    }

    /** Turns the ticker off: no more ticks are delivered (Go's {@code Stop}). */
    public void stop() {
        core.stop();
    }

    /**
     * Stops the ticker and restarts it with period {@code d}; the next tick comes {@code d} from
     * now (Go's {@code Reset}).
     *
     * @throws IllegalArgumentException if {@code d} is not positive ({@code non-positive interval
     *                                  for Ticker.Reset}, where Go panics)
     */
    public void reset(Duration d) {
        long nanos = Time.nanos(d);
        if (nanos <= 0) {
            throw new IllegalArgumentException("non-positive interval for Ticker.Reset");
        }
        core.reset(nanos, nanos);
    }
}
