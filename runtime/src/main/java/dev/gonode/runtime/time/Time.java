package dev.gonode.runtime.time;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.internal.sched.Park;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's {@code time} package for goroutines: sleeping, and (with channels) timers and tickers.
 *
 * <pre>{@code
 * Select.select(
 *         Select.receive(replies, r -> use(r)),
 *         Select.receive(Time.after(Duration.ofSeconds(1)), now -> log("timed out")));
 * }</pre>
 *
 * <p>Every deadline is kept by the scheduler's own per-P timers, not by a thread per sleeper or
 * timer and not by the JDK's delayed-task threads: a pending {@link Timer} or {@link Ticker} is an
 * entry in a heap, so 100,000 of them are cheap. A sleeping goroutine is parked (its carrier runs
 * others) with wait reason {@code sleep}. Timer and ticker channels follow Go 1.23: after
 * {@code stop} or {@code reset} returns, no stale value is received; their {@code len} and
 * {@code cap} are 0; and a timer or ticker that nothing refers to any more is garbage collected
 * even if it was never stopped.
 */
public final class Time {

    private static final Object SLEEP = new Object();

    private Time() {
    }

    /**
     * Go's {@code time.Sleep}: pauses the current goroutine for at least {@code d}; zero or negative
     * returns at once. As in Go, nothing cuts a sleep short: an interrupt does not end it (the
     * interrupt status is kept for the caller); use a {@code Context} and {@code select} for a
     * cancellable wait.
     */
    public static void sleep(Duration d) {
        long nanos = d.toNanos();
        if (nanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = Thread.interrupted();
        try {
            while (deadline - System.nanoTime() > 0) {
                Park.parkUntil(WaitReason.SLEEP, SLEEP, deadline);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Go's {@code time.After}: a channel on which the current time is sent once {@code d} has
     * passed (at once for zero or negative). Equivalent to {@code newTimer(d).channel()}; use
     * {@link #newTimer} to be able to stop it early.
     */
    public static ReceiveChannel<Instant> after(Duration d) {
        return newTimer(d).channel();
    }

    /**
     * Go's {@code time.Tick}: the channel of a ticker with period {@code d} that is never stopped;
     * the nil channel (which never delivers) if {@code d} is zero or negative, as Go returns nil.
     * For a ticker that is to end, use {@link #newTicker}.
     */
    public static ReceiveChannel<Instant> tick(Duration d) {
        long nanos = nanos(d);
        if (nanos <= 0) {
            return Channel.nil();
        }
        return TimerCore.channel(nanos, nanos).channel();
    }

    /**
     * Go's {@code time.NewTimer}: a timer that sends the current time on its channel once {@code d}
     * has passed (at once for zero or negative).
     */
    public static Timer newTimer(Duration d) {
        return new Timer(TimerCore.channel(nanos(d), 0));
    }

    /**
     * Go's {@code time.NewTicker}: a ticker that sends the current time on its channel every
     * {@code d}, the first time {@code d} from now.
     *
     * @throws IllegalArgumentException if {@code d} is not positive ({@code non-positive interval
     *                                  for NewTicker}, where Go panics)
     */
    public static Ticker newTicker(Duration d) {
        long nanos = nanos(d);
        if (nanos <= 0) {
            throw new IllegalArgumentException("non-positive interval for NewTicker");
        }
        return new Ticker(TimerCore.channel(nanos, nanos));
    }

    /**
     * Go's {@code time.AfterFunc}: runs {@code f} in its own goroutine once {@code d} has passed.
     * The returned timer's {@link Timer#stop()} cancels the call if {@code f} has not started; its
     * channel is the nil channel.
     */
    public static Timer afterFunc(Duration d, Runnable f) {
        Objects.requireNonNull(f, "f");
        return new Timer(TimerCore.function(nanos(d), f));
    }

    /** {@code d} in nanoseconds, saturating instead of overflowing for very long durations. */
    static long nanos(Duration d) {
        Objects.requireNonNull(d, "d");
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
