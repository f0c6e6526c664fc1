package dev.gonode.runtime.chan.internal;

import dev.gonode.runtime.chan.Channel;
import java.util.Objects;

/**
 * Timer channels for the {@code time} package: Go's {@code hchan.timer}. A timer channel refers
 * to its timer (so that whoever holds the channel keeps the timer alive) and reports {@code len}
 * and {@code cap} of 0, as Go 1.23's timer channels do, while holding one value internally.
 *
 * <p>Implementation notes. {@link Channel} has no public constructor for these, so it hands this
 * class an {@link Access} from its static initialiser (the JDK's {@code SharedSecrets} pattern);
 * {@link #access()} initialises {@code Channel} first if nobody has yet.
 */
public final class TimerChannels {

    /** What {@link Channel} provides; installed once, by {@code Channel} itself. */
    public interface Access {
        /** A channel with a one-value buffer that belongs to {@code timer}. */
        <T> Channel<T> make(Object timer);

        /**
         * The queue of receivers blocked on {@code channel} (opaque). A pending timer holds it
         * strongly while it holds its own state only weakly: a goroutine parked on the channel
         * stays reachable through the queue, and through the goroutine the channel and the timer.
         */
        Object receivers(Channel<?> channel);
    }

    private static volatile Access access;

    private TimerChannels() {
    }

    /**
     * Called by {@code Channel}'s static initialiser.
     *
     * @throws IllegalStateException on a second call: the access is installed once, by Channel
     */
    public static void install(Access a) {
        Objects.requireNonNull(a, "access");
        synchronized (TimerChannels.class) {
            if (access != null) {
                throw new IllegalStateException("TimerChannels: access already installed");
            }
            access = a;
        }
    }

    /** A channel of capacity 1 that belongs to {@code timer} and reports len and cap 0. */
    public static <T> Channel<T> make(Object timer) {
        return access().make(Objects.requireNonNull(timer, "timer"));
    }

    /** See {@link Access#receivers}. */
    public static Object receivers(Channel<?> channel) {
        return access().receivers(channel);
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            try {
                Class.forName(Channel.class.getName(), true, Channel.class.getClassLoader()); // installs it
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }
}
