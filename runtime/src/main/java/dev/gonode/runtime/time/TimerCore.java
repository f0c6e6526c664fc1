package dev.gonode.runtime.time;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.internal.TimerChannels;
import dev.gonode.runtime.internal.sched.Timers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.Objects;

/**
 * The state machine behind {@link Timer} and {@link Ticker}: one pending scheduler timer at a time,
 * delivering either the current time on a one-slot channel or a function run in a new goroutine.
 *
 * <p>Implementation notes. Go 1.23 made timer channels synchronous in effect: once {@code Stop} or
 * {@code Reset} returns, no value from before the call is ever received, and {@code len} and
 * {@code cap} of the channel are 0. We keep a one-value buffer inside a timer channel (so that
 * firing never blocks a carrier; {@code len}/{@code cap} report 0 as in Go) and get the same
 * guarantee from a generation number, {@code seq}:
 * <ul>
 *   <li>every arming captures {@code seq}; the scheduler action delivers only if {@code seq} is
 *       unchanged when it runs;</li>
 *   <li>{@code stop} and {@code reset} increment {@code seq}, then drain the channel's slot;</li>
 *   <li>the check-and-deliver in the action and the increment-and-drain in stop/reset run under
 *       the same small lock, so a delivery is either wholly before a stop (and drained by it) or
 *       sees the new {@code seq} and does nothing.</li>
 * </ul>
 * A stale scheduler entry left behind by a lost race is harmless: its action finds a newer
 * {@code seq}. Stop and reset also cancel the pending entry, so 100,000 stopped timers leave
 * nothing in the scheduler's heaps.
 *
 * <p>Collection (Go 1.23: a timer or ticker nothing refers to can be collected, stopped or not).
 * The scheduler's entry for a channel timer ({@link ChannelFiring}) holds this state weakly, and
 * the channel refers back to it (Go's {@code hchan.timer}), so holding the {@code Timer}, the
 * {@code Ticker} or just the channel (what {@code Time.tick} and {@code Time.after} return) keeps
 * the timer. The catch is a goroutine parked on the channel: gonode's parked goroutines are
 * reachable only through what they wait on (that is how leaks are proven), so a goroutine waiting
 * on {@code Time.after(d)} in a select, holding the only reference to its channel, would be
 * collected together with the timer and never wake. The entry therefore also holds the channel's
 * queue of blocked receivers strongly: empty, it keeps nothing; with a receiver parked, it keeps
 * that goroutine, whose stack holds the channel and so the timer. Go gets the same effect by
 * putting a timer channel's timer in the heap only while a goroutine is blocked on it. A collected
 * timer's entry finds its weak reference cleared when it comes due, does nothing and is not
 * re-armed, so an abandoned ticker costs one heap entry for at most one period. After-func timers
 * are held strongly: their function must run whether or not anyone still holds the timer.
 *
 * <p>The lock is a test-and-set word rather than a monitor or {@code ReentrantLock} because the
 * action runs on a carrier or on sysmon, which must never park behind a goroutine (see the
 * scheduler's {@code SpinLock}). Nothing under it parks: it covers a few field writes, a
 * non-blocking {@code trySend}/{@code tryReceive} on the one-slot channel, and scheduling or
 * starting a goroutine, both non-blocking. The function of an after-func timer is started with
 * {@code Go.go} outside the lock.
 *
 * <p>A ticker re-arms itself from its own action at the next multiple of the period after the
 * previous tick's deadline that lies in the future: a slow receiver misses ticks rather than
 * receiving a burst (Go drops ticks the same way), and the ticks do not drift.
 *
 * <p>Stop and reset report "was pending" as Go 1.23 does for channel timers: true if the timer
 * had not fired yet, or had fired into a slot that nobody had received from (that value is
 * drained, so from the program's point of view the timer had not fired).
 */
final class TimerCore {

    private static final int SPINS_BEFORE_YIELD = 64;
    private static final VarHandle LOCKED;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(TimerCore.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Channel<Instant> channel; // null for an after-func timer
    private final Runnable function;        // null for a channel timer

    @SuppressWarnings("unused") // accessed through LOCKED
    private volatile int locked;
    private long seq;           // guarded by locked
    private boolean pending;    // guarded by locked: armed and not yet fired
    private long when;          // guarded by locked: nanoTime deadline of the armed firing
    private long period;        // guarded by locked: 0 for a one-shot timer
    private Timers.Timer entry; // guarded by locked: the armed scheduler entry
    private long sent;          // guarded by locked: values put into the channel so far

    /** A channel timer if {@code function} is null, else an after-func timer. */
    private TimerCore(Runnable function) {
        this.channel = function == null ? TimerChannels.make(this) : null;
        this.function = function;
    }

    /** A channel timer (period 0) or ticker, armed to fire first after {@code delayNanos}. */
    static TimerCore channel(long delayNanos, long periodNanos) {
        TimerCore t = new TimerCore(null);
        t.lock();
        try {
            t.period = periodNanos;
            t.arm(deadlineAfter(delayNanos));
        } finally {
            t.unlock();
        }
        return t;
    }

    /** A one-shot timer that runs {@code f} in a new goroutine after {@code delayNanos}. */
    static TimerCore function(long delayNanos, Runnable f) {
        TimerCore t = new TimerCore(Objects.requireNonNull(f, "f"));
        t.lock();
        try {
            t.arm(deadlineAfter(delayNanos));
        } finally {
            t.unlock();
        }
        return t;
    }

    Channel<Instant> channel() {
        return channel;
    }

    /**
     * How many values the timer has put into its channel: since {@code len} of a timer channel is
     * always 0 (Go 1.23), this is how tests see that a value is waiting without receiving it.
     */
    long sent() {
        lock();
        try {
            return sent;
        } finally {
            unlock();
        }
    }

    /** Stops the timer; returns whether it was pending (see the implementation notes). */
    boolean stop() {
        Timers.Timer old;
        boolean wasPending;
        lock();
        try {
            seq++;
            wasPending = pending | drain();
            pending = false;
            old = entry;
            entry = null;
        } finally {
            unlock();
        }
        if (old != null) {
            old.cancel();
        }
        return wasPending;
    }

    /**
     * Re-arms to fire after {@code delayNanos}, with {@code periodNanos} as the new period if it
     * is positive (a ticker); returns whether the timer was pending.
     */
    boolean reset(long delayNanos, long periodNanos) {
        Timers.Timer old;
        boolean wasPending;
        lock();
        try {
            seq++;
            wasPending = pending | drain();
            old = entry;
            if (periodNanos > 0) {
                period = periodNanos;
            }
            arm(deadlineAfter(delayNanos));
        } finally {
            unlock();
        }
        if (old != null) {
            old.cancel();
        }
        return wasPending;
    }

    /**
     * The nanoTime deadline {@code delayNanos} from now: zero or negative is now, and a delay too
     * long for {@code nanoTime} arithmetic is capped at about 36 years instead of wrapping round
     * into the past.
     */
    private static long deadlineAfter(long delayNanos) {
        return System.nanoTime() + Math.min(Math.max(0, delayNanos), Long.MAX_VALUE >> 3);
    }

    /** Drops a delivered, unreceived value; returns whether there was one. Under the lock. */
    private boolean drain() {
        return channel != null && channel.tryReceive() != null;
    }

    /** Schedules the next firing at {@code deadline} for the current generation. Under the lock. */
    private void arm(long deadline) {
        long armedSeq = seq;
        when = deadline;
        pending = true;
        entry = Timers.schedule(deadline, channel != null ? new ChannelFiring(this, armedSeq) : () -> fire(armedSeq));
    }

    /**
     * The scheduler's action for a channel timer: it refers to the timer only weakly, so that a
     * timer nobody refers to can be collected, and to the receivers blocked on its channel
     * strongly, so that a timer somebody waits on cannot (see the implementation notes).
     */
    private static final class ChannelFiring extends WeakReference<TimerCore> implements Runnable {
        @SuppressWarnings("unused") // held only to keep the blocked receivers, and through them the timer, alive
        private final Object receivers;
        private final long armedSeq;

        ChannelFiring(TimerCore timer, long armedSeq) {
            super(timer);
            this.receivers = TimerChannels.receivers(timer.channel);
            this.armedSeq = armedSeq;
        }

        @Override
        public void run() {
            TimerCore timer = get();
            if (timer != null) {
                timer.fire(armedSeq);
            }
        }
    }

    /** The scheduler action: runs on a carrier or sysmon, so it never blocks. */
    private void fire(long armedSeq) {
        boolean start = false;
        lock();
        try {
            if (seq != armedSeq) {
                return; // stopped or reset since this firing was armed
            }
            if (channel != null) {
                if (channel.trySend(Instant.now())) { // a full slot means a slow ticker receiver: drop the tick
                    sent++;
                }
            } else {
                start = true;
            }
            if (period > 0) {
                long now = System.nanoTime();
                long next = when + period;
                if (next - now <= 0) {
                    next += ((now - next) / period + 1) * period; // skip the ticks already missed
                }
                arm(next);
            } else {
                pending = false;
                entry = null;
            }
        } finally {
            unlock();
        }
        if (start) {
            Go.go("time.AfterFunc", function);
        }
    }

    private void lock() {
        int spins = 0;
        while (!LOCKED.compareAndSet(this, 0, 1)) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                spins = 0;
                Thread.yield();
            }
        }
    }

    private void unlock() {
        LOCKED.setRelease(this, 0);
    }
}
