package dev.gonode.runtime.sync;

import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.internal.sched.CreationSites;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code golang.org/x/sync/errgroup}: a group of goroutines working on subtasks of one task, with
 * the first error winning and, through {@link #withContext}, cancelling the rest.
 *
 * <pre>{@code
 * ErrGroup.WithContext g = ErrGroup.withContext(ctx);
 * g.group().setLimit(8);                         // at most 8 fetches at once
 * for (String url : urls) {
 *     g.group().go(() -> fetch(g.context(), url)); // blocks while 8 are running
 * }
 * Exception first = g.group().await();           // null if every fetch succeeded
 * }</pre>
 *
 * <p>As in Go: {@link #await()} waits for every goroutine and returns the first exception any of
 * them threw (or {@code null}); the group's context is cancelled, with that exception as its
 * {@link Context#cause cause}, as soon as the first one fails, and in any case once {@code await}
 * returns. {@link #setLimit(int)} bounds how many goroutines run at once: {@link #go} then blocks
 * for a free slot (wait reason {@code chan send}) and {@link #tryGo} declines instead. An
 * {@link Error} thrown by a task is a panic, not an error: the group finishes waiting and
 * {@code await} rethrows it, as x/sync's errgroup re-panics in {@code Wait}.
 *
 * <p>{@code wait()} would be Go's name, but {@link Object#wait()} is final, so it is
 * {@code await()}.
 */
public final class ErrGroup {

    /*
     * Implementation notes. A WaitGroup counts the running tasks; the limit is a buffered channel
     * of tokens, as in x/sync (a send takes a slot, a receive gives it back). The first exception
     * is kept with a CAS and cancels the group's context; the first Error is kept the same way and
     * rethrown after the wait.
     */

    /** A subtask: may throw. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    /** A group and the context it cancels on the first error. */
    public record WithContext(ErrGroup group, Context context) {
    }

    static {
        CreationSites.registerSpawner(ErrGroup.class.getName());
    }

    private final WaitGroup running = new WaitGroup();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private final AtomicReference<Error> firstPanic = new AtomicReference<>();
    private final Consumer<Throwable> cancel;
    private volatile Channel<Object> slots; // null: no limit

    /** A group with no context: errors are collected, nothing is cancelled. */
    public ErrGroup() {
        this(cause -> { });
    }

    private ErrGroup(Consumer<Throwable> cancel) {
        this.cancel = cancel;
    }

    /** A group whose context, derived from {@code parent}, is cancelled by the first error. */
    public static WithContext withContext(Context parent) {
        Context.WithCancelCause c = Context.withCancelCause(parent);
        return new WithContext(new ErrGroup(c::cancel), c.context());
    }

    /**
     * Limits the group to {@code n} goroutines at once; negative means no limit. As in Go, a
     * non-negative limit cannot replace a limit that goroutines of the group still hold: that fails
     * (Go panics) with {@code errgroup: modify limit while N goroutines in the group are still
     * active}. Removing the limit, or setting one while none was set, is always allowed.
     */
    public void setLimit(int n) {
        if (n < 0) {
            slots = null;
            return;
        }
        Channel<Object> old = slots;
        if (old != null && old.len() != 0) {
            throw new IllegalStateException("errgroup: modify limit while " + old.len()
                    + " goroutines in the group are still active");
        }
        slots = Channel.make(n);
    }

    /**
     * Runs {@code task} in a new goroutine, first waiting for a free slot if there is a limit. With
     * a limit of 0 no goroutine can ever start: where Go would block forever, this fails with
     * {@link IllegalStateException}.
     */
    public void go(Task task) {
        Objects.requireNonNull(task, "task");
        Channel<Object> limit = slots;
        if (limit != null) {
            if (limit.cap() == 0) {
                throw new IllegalStateException("errgroup: the limit is 0, so no goroutine can ever start");
            }
            limit.send(Boolean.TRUE);
        }
        start(task, limit);
    }

    /** Runs {@code task} in a new goroutine only if a slot is free now; returns whether it did. */
    public boolean tryGo(Task task) {
        Objects.requireNonNull(task, "task");
        Channel<Object> limit = slots;
        if (limit != null && !limit.trySend(Boolean.TRUE)) {
            return false;
        }
        start(task, limit);
        return true;
    }

    private void start(Task task, Channel<Object> limit) {
        try {
            running.go(() -> {
                try {
                    task.run();
                } catch (Exception e) {
                    if (firstError.compareAndSet(null, e)) {
                        cancel.accept(e);
                    }
                } catch (Error e) {
                    if (firstPanic.compareAndSet(null, e)) {
                        cancel.accept(e);
                    }
                } finally {
                    if (limit != null) {
                        limit.receive();
                    }
                }
            });
        } catch (RuntimeException | Error e) {
            if (limit != null) {
                limit.receive(); // the goroutine never started: give its slot back
            }
            throw e;
        }
    }

    /**
     * Waits for every goroutine of the group, cancels the group's context, and returns the first
     * exception a task threw, or {@code null}. Rethrows the first {@link Error} a task threw.
     */
    public Exception await() {
        running.waitAll();
        Exception first = firstError.get();
        cancel.accept(first);
        Error panic = firstPanic.get();
        if (panic != null) {
            throw panic;
        }
        return first;
    }
}
