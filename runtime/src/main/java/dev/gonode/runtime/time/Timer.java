package dev.gonode.runtime.time;

import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import java.time.Duration;
import java.time.Instant;

/**
 * Go's {@code time.Timer}: a single event in the future, made by {@link Time#newTimer} (the
 * current time is sent on {@link #channel()}) or {@link Time#afterFunc} (a function is run in its
 * own goroutine).
 *
 * <pre>{@code
 * Timer t = Time.newTimer(Duration.ofSeconds(2));
 * Select.select(
 *         Select.receive(results, r -> use(r)),
 *         Select.receive(t.channel(), now -> giveUp()));
 * t.stop();
 * }</pre>
 *
 * <p>Go 1.23 semantics: once {@link #stop()} or {@link #reset(Duration)} returns, no value sent
 * before the call is received from the channel, so there is no need to drain it first; the
 * channel's {@code len} and {@code cap} are always 0. Timers are kept by the scheduler's own timer
 * heaps: a pending timer costs a heap entry, not a thread or a goroutine. A channel timer that
 * nothing refers to any more (neither the timer nor its channel, and no goroutine waits on the
 * channel) is garbage collected without being stopped, as since Go 1.23; an after-func timer is
 * kept until its function has started.
 */
public final class Timer {

    final TimerCore core; // package-private for the tests' view of what it sent

    Timer(TimerCore core) {
        this.core = core;
    }

    /**
     * The channel on which the time is delivered when the timer fires (Go's {@code t.C}); the nil
     * channel, which never delivers, for a timer made by {@link Time#afterFunc}.
     */
    public ReceiveChannel<Instant> channel() {
        ReceiveChannel<Instant> c = core.channel();
        return c != null ? c : Channel.nil();
    }

    /**
     * Prevents the timer from firing (Go's {@code Stop}). Returns {@code true} if this call stopped
     * it, {@code false} if it had already fired (and its value was received, or its function
     * started) or had been stopped. Does not wait for an after-func that has already started.
     */
    public boolean stop() {
        return core.stop();
    }

    /**
     * Makes the timer fire after {@code d} from now, whether or not it had fired or been stopped
     * (Go's {@code Reset}); zero or negative fires at once. Returns whether the timer was pending
     * before the call, as {@link #stop()} would have reported.
     */
    public boolean reset(Duration d) {
        return core.reset(Time.nanos(d), 0);
    }
}
