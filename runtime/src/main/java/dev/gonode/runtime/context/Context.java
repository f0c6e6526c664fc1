package dev.gonode.runtime.context;

import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.context.internal.CancelContext;
import dev.gonode.runtime.context.internal.Contexts;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Go's {@code context.Context}: a deadline, a cancellation signal and request-scoped values that
 * travel together down a call tree and across goroutines.
 *
 * <pre>{@code
 * Context.WithCancel c = Context.withTimeout(Context.background(), Duration.ofSeconds(5));
 * try {
 *     Select.select(
 *             Select.receive(results, r -> use(r)),
 *             Select.receiveOk(c.context().done(), closed -> { throw c.context().err(); }));
 * } finally {
 *     c.cancel();                       // defer cancel()
 * }
 * }</pre>
 *
 * <p>As in Go: {@link #done()} is closed when the context is cancelled, its deadline passes or its
 * parent is done, so it can be a {@code select} case; {@link #err()} is then {@link #CANCELED} or
 * {@link #DEADLINE_EXCEEDED} and never changes again. Cancelling a context cancels all of its
 * children, never its parent. A child made from a context that is already done is born done. A
 * child's deadline is never later than its parent's. The {@code background()} context is never
 * done and has no values. Cancel functions may be called any number of times, from any thread;
 * call one as soon as the work is over, as Go's {@code defer cancel()}, so the parent forgets the
 * child (a child that is simply dropped is forgotten when it is garbage collected only if the parent
 * is, too).
 *
 * <p>No context starts a goroutine or a thread of its own: deadlines are the scheduler's timers,
 * and cancellation runs down the tree on the cancelling thread.
 */
public interface Context {

    /** {@code context canceled}. */
    ContextException CANCELED = new ContextException("context canceled", false);
    /** {@code context deadline exceeded}. */
    ContextException DEADLINE_EXCEEDED = new ContextException("context deadline exceeded", true);

    /**
     * Closed when this context is done. Never closed for {@link #background()} and contexts that
     * cannot be cancelled (Go returns nil there; this is the nil channel, which never fires in a
     * select).
     */
    ReceiveChannel<Object> done();

    /** {@code null} while not done; then {@link #CANCELED} or {@link #DEADLINE_EXCEEDED}. */
    ContextException err();

    /** When this context will be cancelled on its own, if ever. */
    Optional<Instant> deadline();

    /** The value for {@code key} here or in an ancestor, nearest first; {@code null} if none. */
    <T> T value(Key<T> key);

    /** A typed key for {@link #withValue}: compared by identity, so two keys never collide. */
    final class Key<T> {
        private final String name;

        public Key(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return "context.Key(" + name + ")";
        }
    }

    /** A new child context and the function that cancels it (Go's {@code ctx, cancel := ...}). */
    record WithCancel(Context context, Runnable canceller) {
        /** Cancels the context with {@link #CANCELED}; does nothing if it is done already. */
        public void cancel() {
            canceller.run();
        }
    }

    /** A new child context whose cancel function takes a cause (Go's {@code WithCancelCause}). */
    record WithCancelCause(Context context, Consumer<Throwable> canceller) {
        /** Cancels the context; {@link Context#cause} then reports {@code cause} (CANCELED if null). */
        public void cancel(Throwable cause) {
            canceller.accept(cause);
        }
    }

    /** The root context: never done, no deadline, no values. */
    static Context background() {
        return Contexts.BACKGROUND;
    }

    /** Like {@link #background()}, for code that has not been given a context yet. */
    static Context todo() {
        return Contexts.TODO;
    }

    /** A child that is done when {@code cancel} is called or {@code parent} is done. */
    static WithCancel withCancel(Context parent) {
        CancelContext c = CancelContext.create(parent, Long.MAX_VALUE, null, null);
        return new WithCancel(c, c::cancel);
    }

    /** {@link #withCancel} whose cancel function records a cause, read back with {@link #cause}. */
    static WithCancelCause withCancelCause(Context parent) {
        CancelContext c = CancelContext.create(parent, Long.MAX_VALUE, null, null);
        return new WithCancelCause(c, cause -> c.cancel(CANCELED, cause));
    }

    /**
     * A child that is also done, with {@link #DEADLINE_EXCEEDED}, at {@code deadline} (or at the
     * parent's deadline, if that is earlier).
     */
    static WithCancel withDeadline(Context parent, Instant deadline) {
        return withDeadlineCause(parent, deadline, null);
    }

    /**
     * {@link #withDeadline} whose {@link #cause} is {@code cause} when the deadline passes (Go's
     * {@code WithDeadlineCause}); {@link #err()} is still {@link #DEADLINE_EXCEEDED}. Cancelling it
     * gives {@link #CANCELED} as both err and cause, and if the parent's deadline is earlier the
     * parent's deadline (and cause) ends it, so {@code cause} is never used. A {@code null} cause
     * is {@link #DEADLINE_EXCEEDED}.
     */
    static WithCancel withDeadlineCause(Context parent, Instant deadline, Throwable cause) {
        Objects.requireNonNull(deadline, "deadline");
        CancelContext c = CancelContext.create(parent, Contexts.nanoDeadline(Duration.between(Instant.now(), deadline)),
                deadline, cause);
        return new WithCancel(c, c::cancel);
    }

    /** {@link #withDeadline} at now + {@code timeout}; zero or negative is done at once. */
    static WithCancel withTimeout(Context parent, Duration timeout) {
        return withTimeoutCause(parent, timeout, null);
    }

    /**
     * {@link #withTimeout} whose {@link #cause} is {@code cause} when the timeout expires (Go's
     * {@code WithTimeoutCause}); see {@link #withDeadlineCause}.
     */
    static WithCancel withTimeoutCause(Context parent, Duration timeout, Throwable cause) {
        Objects.requireNonNull(timeout, "timeout");
        CancelContext c = CancelContext.create(parent, Contexts.nanoDeadline(timeout), Contexts.instantAfter(timeout),
                cause);
        return new WithCancel(c, c::cancel);
    }

    /** A child carrying {@code value} under {@code key}; done when the parent is. */
    static <T> Context withValue(Context parent, Key<T> key, T value) {
        return Contexts.withValue(parent, key, value);
    }

    /**
     * A child with the parent's values that is never done (Go's {@code WithoutCancel}): for work
     * that must outlive the request that started it, such as an audit log write.
     */
    static Context withoutCancel(Context parent) {
        return Contexts.withoutCancel(parent);
    }

    /**
     * Why {@code ctx} is done: the cause given to {@link WithCancelCause#cancel(Throwable)}, or to
     * {@link #withDeadlineCause}/{@link #withTimeoutCause} for a deadline that passed, by the
     * nearest cancelled ancestor, else its {@link #err()}; {@code null} while not done.
     */
    static Throwable cause(Context ctx) {
        return Contexts.cause(ctx);
    }

    /**
     * Runs {@code f} in its own goroutine once {@code ctx} is done (at once if it is done already).
     * Returns {@code stop}: it unregisters {@code f} and answers whether it did so before {@code f}
     * was started (Go's {@code AfterFunc}).
     */
    static BooleanSupplier afterFunc(Context ctx, Runnable f) {
        return Contexts.afterFunc(ctx, f);
    }
}
