package dev.gonode.runtime.context.internal;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.context.ContextException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The contexts that cannot be cancelled themselves (background, values, without-cancel), the
 * shared closed channel, and the tree walks behind {@link Context#cause} and
 * {@link Context#afterFunc}.
 */
public final class Contexts {

    /** The done channel of every context cancelled before anyone asked for its channel. */
    static final Channel<Object> CLOSED = closedChannel();

    public static final Context BACKGROUND = new NeverDone("context.Background", null);
    public static final Context TODO = new NeverDone("context.TODO", null);

    private Contexts() {
    }

    private static Channel<Object> closedChannel() {
        Channel<Object> c = Channel.make();
        c.close();
        return c;
    }

    /**
     * The {@link System#nanoTime()} deadline {@code timeout} from now: zero or negative is now, and
     * a timeout too long for nanoTime arithmetic (over about 36 years) is capped there instead of
     * overflowing into the past.
     */
    public static long nanoDeadline(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
        return System.nanoTime() + Math.min(Math.max(0, nanos), Long.MAX_VALUE >> 3);
    }

    /** The wall-clock instant {@code timeout} from now, saturating at {@link Instant#MIN}/{@link Instant#MAX}. */
    public static Instant instantAfter(Duration timeout) {
        try {
            return Instant.now().plus(timeout);
        } catch (DateTimeException | ArithmeticException e) {
            return timeout.isNegative() ? Instant.MIN : Instant.MAX;
        }
    }

    /** The nearest {@link CancelContext} at or above {@code ctx}, looking through value contexts. */
    static CancelContext nearestCancellable(Context ctx) {
        for (Context c = ctx; ; ) {
            if (c instanceof CancelContext cancel) {
                return cancel;
            } else if (c instanceof ValueContext<?> value) {
                c = value.parent;
            } else {
                return null;
            }
        }
    }

    /** Whether {@code ctx} can never be done: it has no cancellable ancestor and a nil done channel. */
    static boolean neverDone(Context ctx) {
        for (Context c = ctx; ; ) {
            if (c instanceof NeverDone) {
                return true;
            } else if (c instanceof ValueContext<?> value) {
                c = value.parent;
            } else if (c instanceof CancelContext) {
                return false;
            } else {
                return c.done() == Channel.<Object>nil();
            }
        }
    }

    public static <T> Context withValue(Context parent, Context.Key<T> key, T value) {
        Objects.requireNonNull(parent, "cannot create a context from a null parent; use Context.background()");
        Objects.requireNonNull(key, "key");
        return new ValueContext<>(parent, key, value);
    }

    public static Context withoutCancel(Context parent) {
        Objects.requireNonNull(parent, "cannot create a context from a null parent; use Context.background()");
        return new NeverDone("WithoutCancel", parent);
    }

    public static Throwable cause(Context ctx) {
        CancelContext cancel = nearestCancellable(ctx);
        if (cancel != null) {
            Throwable cause = cancel.causeNow();
            if (cause != null) {
                return cause;
            }
        }
        return ctx.err();
    }

    public static BooleanSupplier afterFunc(Context ctx, Runnable f) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(f, "f");
        AfterFunc after = new AfterFunc(f);
        CancelContext cancel = nearestCancellable(ctx);
        if (cancel != null) {
            if (!cancel.addChild(after)) {
                after.cancel(cancel.errNow(), cancel.causeNow());
                return () -> false;
            }
            return () -> {
                boolean stopped = after.stop();
                if (stopped) {
                    cancel.removeChild(after);
                }
                return stopped;
            };
        }
        if (neverDone(ctx)) {
            return after::stop;
        }
        ReceiveChannel<Object> done = ctx.done();
        Channel<Object> stop = Channel.make();
        Go.go("context afterFunc", () -> Select.select(
                Select.receiveOk(done, r -> after.cancel(ctx.err(), null)),
                Select.receiveOk(stop, r -> { })));
        return () -> {
            boolean stopped = after.stop();
            if (stopped) {
                stop.close();
            }
            return stopped;
        };
    }

    /** A function to run, once, in its own goroutine when its context is done, unless stopped first. */
    private static final class AfterFunc implements Canceller {
        private static final int PENDING = 0;
        private static final int STARTED = 1;
        private static final int STOPPED = 2;
        private final AtomicInteger state = new AtomicInteger(PENDING);
        private final Runnable f;

        AfterFunc(Runnable f) {
            this.f = f;
        }

        @Override
        public void cancel(ContextException err, Throwable cause) {
            if (state.compareAndSet(PENDING, STARTED)) {
                Go.go("context afterFunc", f);
            }
        }

        boolean stop() {
            return state.compareAndSet(PENDING, STOPPED);
        }
    }

    /**
     * A context that is never done: background() and todo() (no parent: no values), and
     * withoutCancel(parent) (the parent's values, none of its cancellation).
     */
    private static final class NeverDone implements Context {
        private final String name;
        private final Context valuesFrom; // null for a root

        NeverDone(String name, Context valuesFrom) {
            this.name = name;
            this.valuesFrom = valuesFrom;
        }

        @Override
        public ReceiveChannel<Object> done() {
            return Channel.nil();
        }

        @Override
        public ContextException err() {
            return null;
        }

        @Override
        public Optional<Instant> deadline() {
            return Optional.empty();
        }

        @Override
        public <T> T value(Key<T> key) {
            return valuesFrom == null ? null : valuesFrom.value(key);
        }

        @Override
        public String toString() {
            return valuesFrom == null ? name : valuesFrom + "." + name;
        }
    }

    private static final class ValueContext<V> implements Context {
        final Context parent;
        private final Key<V> key;
        private final V value;

        ValueContext(Context parent, Key<V> key, V value) {
            this.parent = parent;
            this.key = key;
            this.value = value;
        }

        @Override
        public ReceiveChannel<Object> done() {
            return parent.done();
        }

        @Override
        public ContextException err() {
            return parent.err();
        }

        @Override
        public Optional<Instant> deadline() {
            return parent.deadline();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T value(Key<T> k) {
            return k == key ? (T) value : parent.value(k);
        }

        @Override
        public String toString() {
            return parent + ".WithValue(" + key + ", " + value + ")";
        }
    }
}
