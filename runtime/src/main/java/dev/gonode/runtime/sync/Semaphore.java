package dev.gonode.runtime.sync;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.context.ContextException;
import dev.gonode.runtime.internal.sched.Park;
import dev.gonode.runtime.sync.internal.CancelSignal;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A weighted semaphore: {@code golang.org/x/sync/semaphore}'s {@code Weighted}. A fixed number of
 * tokens ({@link #size()}), taken and given back in any amount, for example to bound the memory
 * or connections that concurrent jobs use.
 *
 * <pre>{@code
 * Semaphore sem = new Semaphore(10);        // semaphore.NewWeighted(10)
 * sem.acquire(3);                           // blocks until 3 tokens are free
 * try {
 *     work();
 * } finally {
 *     sem.release(3);
 * }
 * if (sem.tryAcquire(4, Duration.ofMillis(50))) { ... }   // gives up after 50 ms
 * }</pre>
 *
 * <p><b>FIFO, large requests are not starved.</b> Waiters are served strictly in arrival order:
 * a waiter for many tokens at the head of the queue holds back later, smaller requests even if
 * they would fit, and new callers (including {@link #tryAcquire(long)}) queue behind existing
 * waiters rather than overtaking them.
 *
 * <p>A goroutine blocked in {@code acquire} shows {@code [semacquire]} in goroutine dumps.
 * Waiting cannot be interrupted; use the timed {@link #tryAcquire(long, Duration)} to give up.
 * A waiter that gives up takes nothing with it, and if it was at the head of the queue, the
 * waiters behind it that now fit are served at once.
 *
 * <p>Tokens are not owned: any goroutine may release what another acquired.
 */
public final class Semaphore {

    /*
     * Implementation notes.
     *
     * x/sync/semaphore's Weighted (semaphore.go), with the same algorithm and invariants:
     *
     *  - size, cur (tokens taken, 0 <= cur <= size) and a FIFO list of waiters {n, ready},
     *    all guarded by mu (a gonode Mutex, as x/sync uses sync.Mutex).
     *  - acquire succeeds at once only if n tokens are free AND nobody waits: otherwise it queues
     *    at the tail. That is what keeps a big waiter at the head from being overtaken.
     *  - notifyWaiters (on release and on a head waiter giving up) serves waiters from the head
     *    while the head's request fits, and stops at the first that does not (it does not look
     *    further for a smaller request: under load that would starve large ones).
     *  - a served waiter is removed from the list and its tokens added to cur by the server,
     *    under mu, before it is woken (x/sync's close(ready)); the waiter only parks until
     *    ready is set.
     *  - a waiter that times out (or, later, is cancelled by a Context) takes mu and then either
     *    finds itself already served (ready: it keeps the tokens, see below) or removes itself;
     *    if it was the head and tokens are free, it calls notifyWaiters, because the waiters
     *    behind it may fit now (the "isFront" check, x/sync's fix for golang/go#37852).
     *
     * Differences from x/sync:
     *  - acquire(n) and tryAcquire(n, timeout), which take no Context, throw
     *    IllegalArgumentException for n > size: nothing could end the wait but the timeout.
     *    tryAcquire(n) returns false for it, as x/sync does. acquire(ctx, n) with n > size does
     *    what x/sync does (waits on ctx.done() outside the queue, then throws ctx.err()), unless
     *    ctx can never be done: that would be a certain deadlock, so it is refused.
     *  - a timed acquire that was served at the moment its deadline passed keeps the tokens and
     *    returns true (x/sync, checking ctx.Done() again, gives them back and fails). The caller
     *    asked for a deadline, and the tokens were granted before it noticed.
     *  - negative n is refused (IllegalArgumentException) rather than silently growing the
     *    semaphore.
     *  - release checks before changing cur, so "released more than held" leaves the state as it
     *    was (x/sync panics after subtracting).
     *
     * The waiting core, acquire(n, deadlineNanos, timed, cancel), takes a CancelSignal, so that
     * acquire(Context, n) is a thin wrapper over it.
     */

    /** One queued acquire. {@code prev}/{@code next}/{@code ready} change only under {@code mu}. */
    private static final class Waiter {
        final long n;
        final Thread thread;
        Waiter prev;
        Waiter next;
        volatile boolean ready;

        Waiter(long n, Thread thread) {
            this.n = n;
            this.thread = thread;
        }
    }

    private final long size;
    private final Mutex mu = new Mutex();
    private long cur;    // guarded by mu
    private Waiter head; // guarded by mu
    private Waiter tail; // guarded by mu

    /**
     * A semaphore with {@code size} tokens, all free ({@code semaphore.NewWeighted(size)}).
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public Semaphore(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("semaphore: size must not be negative, got " + size);
        }
        this.size = size;
    }

    /** The number of tokens the semaphore was created with. */
    public long size() {
        return size;
    }

    /**
     * Acquires {@code n} tokens, waiting as long as it takes (Go's {@code Acquire} with a context
     * that is never done).
     *
     * @throws IllegalArgumentException if {@code n} is negative or larger than {@link #size()}
     *                                  (such a request could never be granted)
     */
    public void acquire(long n) {
        acquire(n, Long.MAX_VALUE, false, CancelSignal.NEVER);
    }

    /**
     * Acquires {@code n} tokens, waiting until they are free or {@code ctx} is done (Go's
     * {@code Acquire(ctx, n)}). If {@code ctx} is done first, nothing is taken and the context's
     * error is thrown; a waiter cancelled while queued leaves the queue, and waiters behind it that
     * now fit are served.
     *
     * <p>A request for more than {@link #size()} tokens can never be granted: as in x/sync it
     * waits (parked in {@code [chan receive]}, outside the queue, so it holds back nobody) until
     * {@code ctx} is done and then throws the context's error. If {@code ctx} can never be done
     * (its {@link Context#done()} is the nil channel), that wait would never end, and the request
     * is refused with {@link IllegalArgumentException} instead.
     *
     * @throws ContextException         {@link Context#CANCELED} or {@link Context#DEADLINE_EXCEEDED}
     * @throws IllegalArgumentException if {@code n} is negative, or larger than {@link #size()}
     *                                  while {@code ctx} can never be done
     */
    public void acquire(Context ctx, long n) {
        checkNotNegative(n);
        ContextException done = ctx.err();
        if (done != null) {
            throw done;
        }
        if (n > size) {
            ReceiveChannel<Object> ctxDone = ctx.done();
            if (ctxDone == Channel.<Object>nil()) {
                throw tooLarge(n, " and the context can never be done");
            }
            ctxDone.receive(); // x/sync: "Don't make other Acquire calls block on one that's doomed to fail."
            throw ctx.err();
        }
        if (!acquire(n, Long.MAX_VALUE, false, new ContextSignal(ctx))) {
            throw ctx.err();
        }
    }

    /** A context as the cancellation of a queued acquire. */
    private record ContextSignal(Context ctx) implements CancelSignal {
        @Override
        public boolean isCancelled() {
            return ctx.err() != null;
        }

        @Override
        public Registration onCancel(Runnable wake) {
            BooleanSupplier stop = Context.afterFunc(ctx, wake);
            return stop::getAsBoolean;
        }
    }

    /**
     * Acquires {@code n} tokens, waiting at most {@code timeout}; returns whether it acquired them.
     * With a zero or negative timeout it behaves as {@link #tryAcquire(long)}. On timeout nothing
     * is taken.
     *
     * @throws IllegalArgumentException if {@code n} is negative or larger than {@link #size()}
     */
    public boolean tryAcquire(long n, Duration timeout) {
        long nanos = saturatedNanos(timeout);
        if (nanos <= 0) {
            checkRequest(n);
            return tryAcquire(n);
        }
        long now = System.nanoTime();
        long deadline = now + nanos;
        boolean unbounded = deadline - now < 0; // overflow: treat as no deadline
        return acquire(n, unbounded ? Long.MAX_VALUE : deadline, !unbounded, CancelSignal.NEVER);
    }

    /**
     * Acquires {@code n} tokens if they are free right now and nobody is waiting, without waiting
     * (Go's {@code TryAcquire}). Returns {@code false} for a request larger than {@link #size()}.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public boolean tryAcquire(long n) {
        checkNotNegative(n);
        mu.lock();
        try {
            boolean ok = size - cur >= n && head == null;
            if (ok) {
                cur += n;
            }
            return ok;
        } finally {
            mu.unlock();
        }
    }

    /**
     * Releases {@code n} tokens and serves the waiters that now fit, in order.
     *
     * @throws IllegalStateException    {@code semaphore: released more than held} if fewer than
     *                                  {@code n} tokens are taken (nothing is released then)
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public void release(long n) {
        checkNotNegative(n);
        mu.lock();
        try {
            if (n > cur) {
                throw new IllegalStateException("semaphore: released more than held");
            }
            cur -= n;
            notifyWaiters();
        } finally {
            mu.unlock();
        }
    }

    /**
     * The waiting core. {@code deadlineNanos} is a {@link System#nanoTime()} value, used only when
     * {@code timed}. Returns {@code true} if the tokens were acquired, {@code false} if the
     * deadline passed or {@code cancel} fired first (then nothing was taken).
     */
    boolean acquire(long n, long deadlineNanos, boolean timed, CancelSignal cancel) {
        checkRequest(n);
        Waiter w;
        mu.lock();
        try {
            // A cancellation that happened before the call wins, even if tokens are free (x/sync).
            if (cancel.isCancelled()) {
                return false;
            }
            if (size - cur >= n && head == null) {
                cur += n;
                return true;
            }
            w = new Waiter(n, Thread.currentThread());
            enqueue(w);
        } finally {
            mu.unlock();
        }

        CancelSignal.Registration registration = CancelSignal.Registration.NONE;
        boolean interrupted = false;
        try {
            registration = cancel.onCancel(() -> Park.unpark(w.thread));
            while (!w.ready) {
                if (cancel.isCancelled() || (timed && System.nanoTime() - deadlineNanos >= 0)) {
                    break;
                }
                if (timed) {
                    Park.parkUntil(WaitReason.SEMACQUIRE, this, deadlineNanos);
                } else {
                    Park.park(WaitReason.SEMACQUIRE, this);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        } catch (RuntimeException | Error e) {
            // The cancellation hook or the timers failed: do not leave a waiter behind that
            // nobody will collect, and give back what it may have been granted meanwhile.
            leave(w, true);
            throw e;
        } finally {
            registration.deregister();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return w.ready || leave(w, false);
    }

    /**
     * Takes a waiter that gave up out of the queue. If it was served meanwhile, returns
     * {@code true} and it keeps the tokens, or with {@code giveBack} returns them (x/sync's
     * "pretend we didn't"). Otherwise returns {@code false}; if it was at the head, the waiters
     * behind it that now fit are served, since it was holding them back.
     */
    private boolean leave(Waiter w, boolean giveBack) {
        mu.lock();
        try {
            if (w.ready) {
                if (giveBack) {
                    cur -= w.n;
                    notifyWaiters();
                }
                return true;
            }
            boolean wasHead = head == w;
            unlink(w);
            if (wasHead && size > cur) {
                notifyWaiters();
            }
            return false;
        } finally {
            mu.unlock();
        }
    }

    /** Serves waiters from the head while the head's request fits. Called with {@code mu} held. */
    private void notifyWaiters() {
        for (Waiter w = head; w != null; w = head) {
            if (size - cur < w.n) {
                // Not enough for the head. Do not look for a smaller request further back:
                // under load that would starve large requests.
                break;
            }
            cur += w.n;
            unlink(w);
            w.ready = true;
            Park.unpark(w.thread);
        }
    }

    private void enqueue(Waiter w) {
        w.prev = tail;
        w.next = null;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
    }

    private void unlink(Waiter w) {
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
    }

    private void checkRequest(long n) {
        checkNotNegative(n);
        if (n > size) {
            throw tooLarge(n, "");
        }
    }

    private IllegalArgumentException tooLarge(long n, String why) {
        return new IllegalArgumentException("semaphore: cannot acquire " + n + " tokens from a semaphore of size "
                + size + ": the request could never be granted" + why);
    }

    private static void checkNotNegative(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("semaphore: token count must not be negative, got " + n);
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The semaphore's state, for example {@code Semaphore[3/10 taken, 2 waiting]}; a snapshot. */
    @Override
    public String toString() {
        mu.lock();
        try {
            int waiting = 0;
            for (Waiter w = head; w != null; w = w.next) {
                waiting++;
            }
            return "Semaphore[" + cur + "/" + size + " taken" + (waiting == 0 ? "" : ", " + waiting + " waiting") + "]";
        } finally {
            mu.unlock();
        }
    }
}
