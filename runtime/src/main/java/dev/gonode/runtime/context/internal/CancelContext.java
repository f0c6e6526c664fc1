package dev.gonode.runtime.context.internal;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.context.ContextException;
import dev.gonode.runtime.internal.sched.Timers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A context that can be cancelled, optionally with a deadline (Go's {@code cancelCtx} and
 * {@code timerCtx} in one).
 *
 * <p>Implementation notes. State (the done channel, err, cause, children, the deadline timer) is
 * guarded by the context's monitor; nothing blocks under it. Cancellation sets err and cause once,
 * closes the done channel (or, if nobody asked for one yet, installs the shared closed channel: the
 * channel is made lazily, as in Go), then cancels the children it had, outside the monitor and
 * depth-first, and finally unlinks itself from its parent.
 *
 * <p>Propagation from the parent ({@link #attach}): if the parent can never be done (its done
 * channel is nil) nothing is linked; if the nearest cancellable ancestor is one of these, the child
 * is added to its children (or cancelled at once if the ancestor is done); otherwise, for a
 * foreign {@link Context} implementation, one goroutine waits on either done channel, as Go does.
 *
 * <p>The deadline is a scheduler timer. Timer actions run on carriers and sysmon and must not
 * block, while cancelling takes monitors and closes channels; so the timer only starts a goroutine
 * that cancels. A deadline later than the parent's is pointless and gets no timer: the parent's
 * cancellation reaches the child first.
 */
public final class CancelContext implements Context, Canceller {

    private final Context parent;
    private final long deadlineNanos; // Long.MAX_VALUE for none of its own
    private final Instant deadline;   // null for none of its own
    private Channel<Object> done;     // guarded by this; made on first request
    private ContextException err;     // guarded by this
    private Throwable cause;          // guarded by this
    private Set<Canceller> children;  // guarded by this; null once cancelled
    private Timers.Timer timer;       // guarded by this
    private CancelContext linkedParent; // the ancestor holding this child, if any

    private CancelContext(Context parent, long deadlineNanos, Instant deadline) {
        this.parent = parent;
        this.deadlineNanos = deadlineNanos;
        this.deadline = deadline;
    }

    /**
     * A child of {@code parent}; with {@code deadlineNanos} ({@link System#nanoTime()} based) and its
     * wall-clock {@code deadline} unless {@code deadlineNanos} is {@code Long.MAX_VALUE}.
     */
    public static CancelContext create(Context parent, long deadlineNanos, Instant deadline) {
        if (parent == null) {
            throw new NullPointerException("cannot create a context from a null parent; use Context.background()");
        }
        if (deadlineNanos != Long.MAX_VALUE) {
            CancelContext ancestor = Contexts.nearestCancellable(parent);
            long inherited = ancestor == null ? Long.MAX_VALUE : ancestor.effectiveDeadlineNanos();
            if (inherited != Long.MAX_VALUE && inherited - deadlineNanos <= 0) {
                deadlineNanos = Long.MAX_VALUE; // the parent's deadline comes first: as Go, no timer of our own
                deadline = null;
            }
        }
        CancelContext c = new CancelContext(parent, deadlineNanos, deadline);
        c.attach();
        if (deadlineNanos != Long.MAX_VALUE) {
            if (deadlineNanos - System.nanoTime() <= 0) {
                c.cancel(DEADLINE_EXCEEDED, null);
            } else {
                Timers.Timer t = Timers.schedule(deadlineNanos,
                        () -> Go.go("context deadline", () -> c.cancel(DEADLINE_EXCEEDED, null)));
                synchronized (c) {
                    if (c.err == null) {
                        c.timer = t;
                        t = null;
                    }
                }
                if (t != null) {
                    t.cancel();
                }
            }
        }
        return c;
    }

    private void attach() {
        CancelContext ancestor = Contexts.nearestCancellable(parent);
        if (ancestor != null) {
            if (ancestor.addChild(this)) {
                linkedParent = ancestor;
            } else {
                cancel(ancestor.errNow(), ancestor.causeNow());
            }
            return;
        }
        if (Contexts.neverDone(parent)) {
            return;
        }
        ContextException parentErr = parent.err();
        if (parentErr != null) {
            cancel(parentErr, Contexts.cause(parent));
            return;
        }
        ReceiveChannel<Object> parentDone = parent.done();
        ReceiveChannel<Object> ownDone = done();
        Go.go("context propagation", () -> Select.select(
                Select.receiveOk(parentDone, r -> cancel(parent.err(), Contexts.cause(parent))),
                Select.receiveOk(ownDone, r -> { })));
    }

    /** Adds a child to be cancelled with this context; {@code false} if this one is done already. */
    synchronized boolean addChild(Canceller child) {
        if (err != null) {
            return false;
        }
        if (children == null) {
            children = new LinkedHashSet<>();
        }
        children.add(child);
        return true;
    }

    synchronized void removeChild(Canceller child) {
        if (children != null) {
            children.remove(child);
        }
    }

    synchronized ContextException errNow() {
        return err;
    }

    synchronized Throwable causeNow() {
        return cause;
    }

    /** This context's deadline or the nearest ancestor's, as a nanoTime value. */
    long effectiveDeadlineNanos() {
        if (deadlineNanos != Long.MAX_VALUE) {
            return deadlineNanos;
        }
        CancelContext ancestor = Contexts.nearestCancellable(parent);
        return ancestor == null ? Long.MAX_VALUE : ancestor.effectiveDeadlineNanos();
    }

    /** Cancels with {@link Context#CANCELED}. */
    public void cancel() {
        cancel(CANCELED, null);
    }

    @Override
    public void cancel(ContextException reason, Throwable why) {
        List<Canceller> toCancel;
        Timers.Timer t;
        synchronized (this) {
            if (err != null) {
                return;
            }
            err = reason;
            cause = why != null ? why : reason;
            if (done == null) {
                done = Contexts.CLOSED;
            } else {
                done.close();
            }
            toCancel = children == null ? List.of() : new ArrayList<>(children);
            children = null;
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.cancel();
        }
        for (Canceller child : toCancel) {
            child.cancel(reason, cause);
        }
        CancelContext linked = linkedParent;
        if (linked != null) {
            linked.removeChild(this);
        }
    }

    @Override
    public synchronized ReceiveChannel<Object> done() {
        if (done == null) {
            done = Channel.make();
        }
        return done;
    }

    @Override
    public synchronized ContextException err() {
        return err;
    }

    @Override
    public Optional<Instant> deadline() {
        return deadline != null ? Optional.of(deadline) : parent.deadline();
    }

    @Override
    public <T> T value(Key<T> key) {
        return parent.value(key);
    }

    Context parent() {
        return parent;
    }

    @Override
    public String toString() {
        return "context.WithCancel(" + parent + ")" + (deadline != null ? ".WithDeadline(" + deadline + ")" : "");
    }
}
