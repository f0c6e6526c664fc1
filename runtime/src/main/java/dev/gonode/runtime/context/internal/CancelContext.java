package dev.gonode.runtime.context.internal;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.context.ContextException;
import dev.gonode.runtime.internal.sched.Timers;
import java.time.Instant;
import java.util.ArrayDeque;
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
 * channel is made lazily, as in Go), then cancels the children it had, outside the monitor, with
 * a work list rather than recursion (a chain of contexts may be deeper than a stack), and finally
 * unlinks itself from its parent. A child cancelled by its parent does not unlink itself: the
 * parent dropped its whole set when it was cancelled. Children get the parent's err and cause.
 *
 * <p>Propagation from the parent ({@link #attach}): if the parent can never be done (its done
 * channel is nil) nothing is linked; if the nearest cancellable ancestor is one of these, the child
 * is added to its children (or cancelled at once if the ancestor is done); otherwise, for a
 * foreign {@link Context} implementation, one goroutine waits on either done channel, as Go does.
 *
 * <p>The deadline is a scheduler timer. Timer actions run on carriers and sysmon and must not
 * block, while cancelling takes monitors and closes channels; so the timer only starts a goroutine
 * that cancels. A deadline later than the parent's is pointless and gets no timer: the parent's
 * cancellation reaches the child first. The effective deadline (own or inherited) is fixed at
 * creation, so reading it never walks up the tree.
 */
public final class CancelContext implements Context, Canceller {

    private final Context parent;
    private final Instant deadline;   // null for none of its own
    private final long effectiveDeadlineNanos;  // own or the nearest cancellable ancestor's; Long.MAX_VALUE: none
    private final Optional<Instant> effectiveDeadline; // what deadline() reports, fixed at creation
    private Channel<Object> done;     // guarded by this; made on first request
    private ContextException err;     // guarded by this
    private Throwable cause;          // guarded by this
    private Set<Canceller> children;  // guarded by this; null once cancelled
    private Timers.Timer timer;       // guarded by this
    private volatile CancelContext linkedParent; // the ancestor holding this child, if any

    private CancelContext(Context parent, Instant deadline, long effectiveDeadlineNanos,
            Optional<Instant> effectiveDeadline) {
        this.parent = parent;
        this.deadline = deadline;
        this.effectiveDeadlineNanos = effectiveDeadlineNanos;
        this.effectiveDeadline = effectiveDeadline;
    }

    /**
     * A child of {@code parent}; with {@code deadlineNanos} ({@link System#nanoTime()} based) and its
     * wall-clock {@code deadline} unless {@code deadlineNanos} is {@code Long.MAX_VALUE}. When the
     * deadline passes the context is cancelled with {@link Context#DEADLINE_EXCEEDED} and
     * {@code deadlineCause} (if not null) as its cause.
     */
    public static CancelContext create(Context parent, long deadlineNanos, Instant deadline, Throwable deadlineCause) {
        if (parent == null) {
            throw new NullPointerException("cannot create a context from a null parent; use Context.background()");
        }
        CancelContext ancestor = Contexts.nearestCancellable(parent);
        long inherited = ancestor == null ? Long.MAX_VALUE : ancestor.effectiveDeadlineNanos;
        if (deadlineNanos != Long.MAX_VALUE && inherited != Long.MAX_VALUE && inherited - deadlineNanos <= 0) {
            deadlineNanos = Long.MAX_VALUE; // the parent's deadline comes first: as Go, no timer of our own
            deadline = null;                // (and so no use for deadlineCause)
        }
        CancelContext c = deadline != null
                ? new CancelContext(parent, deadline, deadlineNanos, Optional.of(deadline))
                : new CancelContext(parent, null, inherited, parent.deadline());
        c.attach();
        if (deadlineNanos != Long.MAX_VALUE) {
            if (deadlineNanos - System.nanoTime() <= 0) {
                c.cancel(DEADLINE_EXCEEDED, deadlineCause);
            } else {
                Timers.Timer t = Timers.schedule(deadlineNanos,
                        () -> Go.go("context deadline", () -> c.cancel(DEADLINE_EXCEEDED, deadlineCause)));
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

    /** Cancels with {@link Context#CANCELED}. */
    public void cancel() {
        cancel(CANCELED, null);
    }

    @Override
    public void cancel(ContextException reason, Throwable why) {
        Throwable cause = why != null ? why : reason;
        List<Canceller> children = finish(reason, cause);
        if (children == null) {
            return;
        }
        // The whole subtree, without recursion: a chain of nested contexts may be arbitrarily deep.
        ArrayDeque<Canceller> work = new ArrayDeque<>(children);
        for (Canceller next; (next = work.poll()) != null; ) {
            if (next instanceof CancelContext child) {
                List<Canceller> grandchildren = child.finish(reason, cause);
                if (grandchildren != null) {
                    work.addAll(grandchildren);
                }
            } else {
                next.cancel(reason, cause);
            }
        }
        CancelContext linked = linkedParent;
        if (linked != null) {
            linked.removeChild(this);
        }
    }

    /**
     * Marks this context done and closes its done channel; returns the children to cancel next, or
     * {@code null} if it was done already. Children cancelled this way need not unlink themselves:
     * the parent that held them has just forgotten all of its children.
     */
    private List<Canceller> finish(ContextException reason, Throwable why) {
        List<Canceller> toCancel;
        Timers.Timer t;
        synchronized (this) {
            if (err != null) {
                return null;
            }
            err = reason;
            cause = why;
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
        return toCancel;
    }

    /** How many children and after-functions this context holds now: for tests and diagnostics. */
    public synchronized int childCount() {
        return children == null ? 0 : children.size();
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
        return effectiveDeadline;
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
