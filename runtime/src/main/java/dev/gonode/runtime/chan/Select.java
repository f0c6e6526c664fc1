package dev.gonode.runtime.chan;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.Park;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Go's {@code select} statement: waits until one of several channel operations can proceed, then
 * performs exactly that one.
 *
 * <pre>{@code
 * // select {
 * // case job := <-jobs:        handle(job)
 * // case results <- r:         sent++
 * // case <-time.After(1s):     log("idle")
 * // }
 * Select.select(
 *         Select.receive(jobs, job -> handle(job)),
 *         Select.send(results, r, () -> sent++),
 *         Select.timeout(Duration.ofSeconds(1), () -> log("idle")));
 *
 * // select { case v := <-a: ...; default: ... }   -- never blocks
 * Select.select(Select.receive(a, v -> use(v)), Select.defaultCase(() -> idle()));
 *
 * // as an expression: each case maps its outcome to the select's result
 * String s = Select.select(
 *         Select.receive(a).map(v -> "a: " + v),
 *         Select.receiveOk(b).map(r -> r.ok() ? "b: " + r.value() : "b closed"));
 * }</pre>
 *
 * <p>Rules, as in Go:
 * <ul>
 *   <li>If one or more cases can proceed, one of them is chosen <b>uniformly at random</b> (no case
 *       is favoured by its position), performed, and its action run.</li>
 *   <li>Otherwise, with a {@link #defaultCase(Runnable) default case}, the default runs at once.</li>
 *   <li>Otherwise the caller blocks (wait reason {@code select}) until exactly one case can
 *       proceed, or until the earliest {@link #timeout(Duration) timeout} passes. A value offered
 *       to a blocked select is never lost: a case that did not fire sends nothing and receives
 *       nothing.</li>
 *   <li>A receive case on a closed channel is ready: it receives "closed" ({@code null}, or
 *       {@link Received#closed()} for {@link #receiveOk}). A send case on a closed channel that is
 *       chosen throws {@link ChannelClosedException} ({@code send on closed channel}).</li>
 *   <li>A case on the nil channel ({@link Channel#nil()}) or on {@code null} is never ready: Go's
 *       idiom for switching a case off. A select with no cases at all blocks forever
 *       ({@code select (no cases)}); so does one whose cases are all on nil channels
 *       ({@code select}).</li>
 *   <li>The action of the chosen case runs after the select has completed and released every
 *       channel, so it may use the same channels freely. Values to send are given when the case is
 *       made (Go evaluates them on entry to the select, too).</li>
 *   <li>A select of a single case behaves like the plain operation, and a single case with a
 *       default like {@code trySend}/{@code tryReceive} (Go's compiler does the same rewrites).</li>
 *   <li>Cases are immutable and may be built once and reused in a loop.</li>
 *   <li>Like channel operations, a blocked select cannot be interrupted (Go has no interrupts);
 *       the interrupt status is kept. Use a timeout or a cancellation channel instead.</li>
 * </ul>
 */
public final class Select {

    /*
     * Implementation notes.
     *
     * This is Go's selectgo (runtime/select.go), over the Channel internals in this package:
     *
     *   0. Sort out the cases: at most one default, the earliest timeout, and the channel cases
     *      (nil channels are left out of everything, so they can never fire).
     *   1. Poll order: a uniformly random permutation of the channel cases (inside-out
     *      Fisher-Yates).
     *   1a. Pass 0 (not in Go): in poll order, every case whose channel looks ready without a lock
     *      (racy reads of its buffer count, opposite queue and closed flag) is tried under its own
     *      channel's lock alone, and the first that can proceed is performed. Taking a case found
     *      ready under its lock is linearizable (at that instant the select could have chosen it),
     *      and since the cases are visited in a random permutation, a case ready together with
     *      others is still chosen uniformly. Only the answer "nothing is ready" needs every lock at
     *      once (below), so a select over busy channels locks one channel instead of all of them
     *      and skips the lock-order sort: W4 (one consumer selecting over two fed channels) spent
     *      most of its time locking and unlocking the channel it did not take. Lock order: the cases sorted by channel id, so that concurrent selects
     *      over overlapping channels lock them in one global order and cannot deadlock; a channel
     *      that appears in several cases is locked once. The sort is stable over the poll order,
     *      so cases on one channel stay in random order (their waiters are enqueued in it).
     *   2. Lock every channel. Pass 1: in poll order, find the first case that can proceed now
     *      (a receive: a blocked sender, a buffered value, or closed; a send: closed (throws), a
     *      blocked receiver, or room in the buffer). Perform it exactly as the plain operation would,
     *      unlock everything, wake the partner if there is one, run the case's action. Because
     *      every lock is held during the whole pass, the select acts on one instant's state of all
     *      its channels (TestNonblockSelectRace).
     *   3. Nothing ready: with a default, unlock and run it; with a timeout already past, unlock and
     *      run that.
     *   4. Pass 2: enqueue a Waiter (Go's sudog) on every channel, all sharing one SelectWait, then
     *      unlock everything and park (wait reason "select"). Our own waiters are enqueued only
     *      now, after pass 1, so a select with both a send and a receive case on one channel can
     *      never match itself (TestSelfSelect).
     *   5. A waker on any of the channels dequeues one of our waiters and claims the SelectWait by
     *      CAS (Go's selectDone). Exactly one claim succeeds; wakers that lose the CAS skip the
     *      waiter (it is already unlinked) and try the next one in that queue, so a value offered
     *      to this select after it was claimed goes to someone else and is never lost. The winner
     *      transfers the value under its channel's lock, then publishes SelectWait.fired and
     *      unparks us.
     *      With a timeout, we park until the deadline; when it passes, we claim the SelectWait
     *      ourselves. If that CAS fails, a waker got there first and is about to publish `fired`:
     *      we wait for it (no longer timed), so a value that was already taken out of a channel
     *      for us is always delivered.
     *   6. Pass 3: lock every channel again and unlink our other waiters (those a waker has not
     *      already unlinked). This also keeps queues from growing with dead waiters when selects in
     *      a loop keep losing on a busy channel (Go's test/chan/select2.go).
     *
     * Lock order: channel locks in ascending Channel.id; a SelectWait CAS is done under a single
     * channel lock and takes no lock itself; unparks happen after every lock is released.
     */

    private Select() {
    }

    /**
     * One case of a select: a receive, a send, a timeout or the default. Made by the factory
     * methods of {@link Select}; immutable and reusable. Its result (what {@link Select#select}
     * returns when it fires) is the received value for {@link Select#receive(ReceiveChannel)}, a
     * {@link Received} for {@link Select#receiveOk(ReceiveChannel)}, and {@code null} otherwise,
     * transformed by {@link #map(Function)}.
     *
     * @param <R> the type of the result
     */
    public static final class Case<R> {
        static final int RECV = 0;
        static final int SEND = 1;
        static final int TIMEOUT = 2;
        static final int DEFAULT = 3;

        final int kind;
        /** For RECV and SEND: the channel, or {@code null} for the nil channel. */
        final Channel<?> channel;
        /** For SEND: the value to send. */
        final Object value;
        /** For TIMEOUT: the duration in nanoseconds. */
        final long timeoutNanos;
        /** For RECV: whether the raw result is a {@link Received}. */
        final boolean withOk;
        /** Maps the raw result to the case's result; {@code null} is the identity. */
        private final Function<Object, ? extends R> then;

        private Case(int kind, Channel<?> channel, Object value, long timeoutNanos, boolean withOk,
                     Function<Object, ? extends R> then) {
            this.kind = kind;
            this.channel = channel;
            this.value = value;
            this.timeoutNanos = timeoutNanos;
            this.withOk = withOk;
            this.then = then;
        }

        /**
         * A case that fires when this one does and whose result is {@code f} applied to this one's
         * result. {@code f} runs on the selecting thread after the select has completed.
         */
        public <U> Case<U> map(Function<? super R, ? extends U> f) {
            Objects.requireNonNull(f, "f");
            Function<Object, ? extends R> g = then;
            @SuppressWarnings("unchecked")
            Function<Object, ? extends U> composed = g == null ? raw -> f.apply((R) raw) : raw -> f.apply(g.apply(raw));
            return new Case<>(kind, channel, value, timeoutNanos, withOk, composed);
        }

        @SuppressWarnings("unchecked")
        R fire(Object raw) {
            return then == null ? (R) raw : then.apply(raw);
        }

        R fireReceived(Object v) {
            return fire(withOk ? new Received<>(v, true) : v);
        }

        R fireClosed() {
            return fire(withOk ? Received.closed() : null);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case RECV -> "case <-" + (channel == null ? "chan(nil)" : channel);
                case SEND -> "case " + (channel == null ? "chan(nil)" : channel) + " <- " + value;
                case TIMEOUT -> "case <-time.After(" + Duration.ofNanos(timeoutNanos) + ")";
                default -> "default";
            };
        }
    }

    // ---------------------------------------------------------------- cases

    /** {@code case v := <-ch}: the select's result is the value, or {@code null} if {@code ch} is closed. */
    public static <T> Case<T> receive(ReceiveChannel<T> ch) {
        return new Case<>(Case.RECV, chan(ch), null, 0, false, null);
    }

    /** {@code case v := <-ch: action(v)}; {@code action} gets {@code null} if {@code ch} is closed. */
    public static <T> Case<Void> receive(ReceiveChannel<T> ch, Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return new Case<>(Case.RECV, chan(ch), null, 0, false, raw -> {
            @SuppressWarnings("unchecked")
            T v = (T) raw;
            action.accept(v);
            return null;
        });
    }

    /** {@code case v, ok := <-ch}: the select's result is the {@link Received}. */
    public static <T> Case<Received<T>> receiveOk(ReceiveChannel<T> ch) {
        return new Case<>(Case.RECV, chan(ch), null, 0, true, null);
    }

    /** {@code case v, ok := <-ch: action(Received(v, ok))}. */
    public static <T> Case<Void> receiveOk(ReceiveChannel<T> ch, Consumer<? super Received<T>> action) {
        Objects.requireNonNull(action, "action");
        return new Case<>(Case.RECV, chan(ch), null, 0, true, raw -> {
            @SuppressWarnings("unchecked")
            Received<T> r = (Received<T>) raw;
            action.accept(r);
            return null;
        });
    }

    /**
     * {@code case ch <- value}: sends {@code value} if this case is chosen; the result is
     * {@code null}.
     *
     * @throws NullPointerException if {@code value} is {@code null} (channels carry non-null values)
     */
    public static <T> Case<Void> send(SendChannel<T> ch, T value) {
        return new Case<>(Case.SEND, chan(ch), requireValue(value), 0, false, null);
    }

    /** {@code case ch <- value: action()}. */
    public static <T> Case<Void> send(SendChannel<T> ch, T value, Runnable action) {
        Objects.requireNonNull(action, "action");
        return new Case<>(Case.SEND, chan(ch), requireValue(value), 0, false, raw -> {
            action.run();
            return null;
        });
    }

    /**
     * {@code case <-time.After(d)}: fires if no other case has fired when {@code d} has passed
     * since the select began (measured from entry to {@link Select#select}). A zero or negative
     * {@code d} fires at once unless another case is ready. With several timeouts, the earliest
     * counts. Timeouts use the scheduler's timers, not a thread per wait.
     */
    public static Case<Void> timeout(Duration d) {
        return new Case<>(Case.TIMEOUT, null, null, nanos(d), false, null);
    }

    /** {@code case <-time.After(d): action()}. */
    public static Case<Void> timeout(Duration d, Runnable action) {
        Objects.requireNonNull(action, "action");
        return new Case<>(Case.TIMEOUT, null, null, nanos(d), false, raw -> {
            action.run();
            return null;
        });
    }

    /** {@code default:} — the select never blocks; this runs when no other case is ready. */
    public static Case<Void> defaultCase() {
        return new Case<>(Case.DEFAULT, null, null, 0, false, null);
    }

    /** {@code default: action()}. */
    public static Case<Void> defaultCase(Runnable action) {
        Objects.requireNonNull(action, "action");
        return new Case<>(Case.DEFAULT, null, null, 0, false, raw -> {
            action.run();
            return null;
        });
    }

    // ---------------------------------------------------------------- select

    /**
     * Runs a select over {@code cases} and returns the result of the case that fired.
     *
     * @throws IllegalArgumentException if there is more than one default case
     * @throws ChannelClosedException   if a send case on a closed channel is chosen
     * @throws NullPointerException     if a case is {@code null} (a case on the nil channel is
     *                                  {@code Select.receive(Channel.nil())}, or a {@code null} channel)
     */
    @SafeVarargs
    public static <R> R select(Case<? extends R>... cases) {
        return run(cases);
    }

    /** {@link #select(Case[])} over a list of cases (Go's {@code reflect.Select}, for a dynamic set). */
    @SuppressWarnings("unchecked")
    public static <R> R select(List<? extends Case<? extends R>> cases) {
        Case<? extends R>[] array = cases.toArray(new Case[0]);
        return run(array);
    }

    private static <R> R run(Case<? extends R>[] cases) {
        int n = cases.length;
        if (n == 0) {
            Channel.blockForever(WaitReason.SELECT_NO_CASES);
        }
        Case<? extends R> dflt = null;
        Case<? extends R> timeout = null;
        int nchan = 0;
        for (int i = 0; i < n; i++) {
            Case<? extends R> c = cases[i];
            if (c == null) {
                throw new NullPointerException("select case " + i + " is null; to disable a case, give it the nil"
                        + " channel (Channel.nil() or a null channel) instead");
            }
            switch (c.kind) {
                case Case.DEFAULT -> {
                    if (dflt != null) {
                        throw new IllegalArgumentException("multiple defaults in select (cases " + Arrays.asList(cases) + ")");
                    }
                    dflt = c;
                }
                case Case.TIMEOUT -> {
                    if (timeout == null || c.timeoutNanos < timeout.timeoutNanos) {
                        timeout = c;
                    }
                }
                default -> {
                    if (c.channel != null) {
                        nchan++;
                    }
                }
            }
        }
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.timeoutNanos;

        // Go's compiler rewrites a one-case select into the plain operation, and a one-case select
        // with a default into the non-blocking one; so do we (same wait reasons as Go).
        if (n == 1 && (cases[0].kind == Case.RECV || cases[0].kind == Case.SEND)) {
            return single(cases[0]);
        }
        if (n == 2 && dflt != null && timeout == null) {
            Case<? extends R> c = cases[0] == dflt ? cases[1] : cases[0];
            if (c.kind == Case.RECV || c.kind == Case.SEND) {
                return nonBlocking(c, dflt);
            }
        }
        if (nchan == 0) {
            if (dflt != null) {
                return dflt.fire(null);
            }
            if (timeout != null) {
                sleepUntil(deadline);
                return timeout.fire(null);
            }
            Channel.blockForever(WaitReason.SELECT);
        }

        // The channel cases; when every case is one (the common select), the caller's array as it
        // is: it is only read.
        Case<? extends R>[] sc = nchan == n ? cases : channelCases(cases, nchan);
        int[] pollorder = pollOrder(nchan);

        // Pass 0: in poll order, the first case that looks ready, under its own channel's lock only.
        for (int k = 0; k < nchan; k++) {
            Case<? extends R> c = sc[pollorder[k]];
            if (c.kind == Case.RECV ? c.channel.recvReadyRacy() : c.channel.sendReadyRacy()) {
                c.channel.lock();
                Object outcome = attemptLocked(c, null, null);
                if (outcome != NOT_READY) {
                    return castResult(outcome);
                }
                c.channel.unlock();
            }
        }

        // Pass 1: is any case ready now, with every channel locked (one instant's state)?
        int[] lockorder = lockOrder(sc, pollorder);
        lockAll(sc, lockorder);
        for (int k = 0; k < nchan; k++) {
            Object outcome = attemptLocked(sc[pollorder[k]], sc, lockorder);
            if (outcome != NOT_READY) {
                return castResult(outcome);
            }
        }
        if (dflt != null) {
            unlockAll(sc, lockorder);
            return dflt.fire(null);
        }
        if (timeout != null && deadline - System.nanoTime() <= 0) {
            unlockAll(sc, lockorder);
            return timeout.fire(null);
        }

        // Pass 2: wait on every channel.
        Thread self = Thread.currentThread();
        SelectWait sw = new SelectWait();
        Waiter[] waiters = new Waiter[nchan];
        for (int k = 0; k < nchan; k++) {
            int i = lockorder[k];
            Case<? extends R> c = sc[i];
            Waiter w = new Waiter(self, c.channel, sw, i, c.kind == Case.SEND ? c.value : null);
            waiters[i] = w;
            (c.kind == Case.SEND ? c.channel.sendq : c.channel.recvq).enqueue(w);
        }
        unlockAll(sc, lockorder);

        Waiter fired = await(sw, timeout != null, deadline);

        // Pass 3: withdraw the waiters that did not fire.
        lockAll(sc, lockorder);
        for (int i = 0; i < nchan; i++) {
            Waiter w = waiters[i];
            if (w != fired) {
                (sc[i].kind == Case.SEND ? w.channel.sendq : w.channel.recvq).remove(w);
            }
        }
        unlockAll(sc, lockorder);

        if (fired == null) {
            return timeout.fire(null);
        }
        Case<? extends R> c = sc[fired.caseIndex];
        if (c.kind == Case.RECV) {
            return fired.success ? c.fireReceived(fired.elem) : c.fireClosed();
        }
        if (!fired.success) {
            throw ChannelClosedException.sendOnClosed();
        }
        return c.fire(null);
    }

    /** {@link #attemptLocked}'s answer for a case that cannot proceed (never a case's result). */
    private static final Object NOT_READY = new Object();

    /**
     * Performs case {@code c} if it can proceed now, exactly as the plain operation would; the
     * caller holds the lock of its channel ({@code lockorder == null}) or of every channel
     * ({@code sc} in {@code lockorder}). If it proceeds, releases those locks, wakes the partner and
     * returns the case's result (or throws, for a send on a closed channel); otherwise returns
     * {@link #NOT_READY} with the locks still held.
     */
    private static <R> Object attemptLocked(Case<? extends R> c, Case<?>[] sc, int[] lockorder) {
        Channel<?> ch = c.channel;
        if (c.kind == Case.RECV) {
            Waiter s = ch.sendq.dequeue();
            if (s != null) {
                Object v = ch.takeFromSender(s);
                unlock(ch, sc, lockorder);
                s.complete();
                return c.fireReceived(v);
            }
            if (ch.qcountLocked() > 0) {
                Object v = ch.bufTake();
                unlock(ch, sc, lockorder);
                return c.fireReceived(v);
            }
            if (ch.isClosedLocked()) {
                unlock(ch, sc, lockorder);
                return c.fireClosed();
            }
            return NOT_READY;
        }
        if (ch.isClosedLocked()) {
            unlock(ch, sc, lockorder);
            throw ChannelClosedException.sendOnClosed();
        }
        Waiter r = ch.recvq.dequeue();
        if (r != null) {
            r.elem = c.value;
            r.success = true;
            unlock(ch, sc, lockorder);
            r.complete();
            return c.fire(null);
        }
        if (ch.hasRoomLocked()) {
            ch.bufPut(c.value);
            unlock(ch, sc, lockorder);
            return c.fire(null);
        }
        return NOT_READY;
    }

    private static void unlock(Channel<?> ch, Case<?>[] sc, int[] lockorder) {
        if (lockorder == null) {
            ch.unlock();
        } else {
            unlockAll(sc, lockorder);
        }
    }

    @SuppressWarnings("unchecked")
    private static <R> R castResult(Object outcome) {
        return (R) outcome;
    }

    /** The {@code nchan} cases of {@code cases} that are sends or receives on a non-nil channel, in order. */
    private static <R> Case<? extends R>[] channelCases(Case<? extends R>[] cases, int nchan) {
        @SuppressWarnings("unchecked")
        Case<? extends R>[] sc = new Case[nchan];
        int k = 0;
        for (Case<? extends R> c : cases) {
            if ((c.kind == Case.RECV || c.kind == Case.SEND) && c.channel != null) {
                sc[k++] = c;
            }
        }
        return sc;
    }

    /**
     * Parks until a waker publishes the waiter that fired, or (with a timeout) until the deadline
     * passes and this select claims itself first, in which case the result is {@code null}.
     */
    private static Waiter await(SelectWait sw, boolean timed, long deadline) {
        boolean interrupted = false;
        Waiter fired;
        try {
            while ((fired = sw.fired) == null) {
                if (timed) {
                    if (deadline - System.nanoTime() <= 0) {
                        if (sw.claim()) {
                            return null; // timed out: no waker can claim us any more
                        }
                        timed = false; // a waker claimed us first and is about to publish `fired`
                        continue;
                    }
                    Park.parkUntil(WaitReason.SELECT, sw, deadline);
                } else {
                    Park.park(WaitReason.SELECT, sw);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return fired;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A select of one send or receive case (the callers make sure of the kind). */
    private static <R> R single(Case<? extends R> c) {
        Channel<?> ch = c.channel == null ? Channel.nil() : c.channel;
        if (c.kind == Case.RECV) {
            Object v = ch.recv0(true);
            return v == Channel.CLOSED ? c.fireClosed() : c.fireReceived(v);
        }
        sendRaw(ch, c.value, true);
        return c.fire(null);
    }

    private static <R> R nonBlocking(Case<? extends R> c, Case<? extends R> dflt) {
        Channel<?> ch = c.channel == null ? Channel.nil() : c.channel;
        if (c.kind == Case.RECV) {
            Object v = ch.recv0(false);
            if (v == null) {
                return dflt.fire(null);
            }
            return v == Channel.CLOSED ? c.fireClosed() : c.fireReceived(v);
        }
        return sendRaw(ch, c.value, false) ? c.fire(null) : dflt.fire(null);
    }

    @SuppressWarnings("unchecked")
    private static boolean sendRaw(Channel<?> ch, Object value, boolean block) {
        Channel<Object> c = (Channel<Object>) ch;
        if (block) {
            c.send(value);
            return true;
        }
        return c.trySend(value);
    }

    private static void sleepUntil(long deadline) {
        boolean interrupted = false;
        while (deadline - System.nanoTime() > 0) {
            Park.parkUntil(WaitReason.SELECT, null, deadline);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A uniformly random permutation of {@code 0..n-1} (inside-out Fisher-Yates, as Go's selectgo). */
    private static int[] pollOrder(int n) {
        int[] order = new int[n];
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 1; i < n; i++) {
            int j = rnd.nextInt(i + 1);
            order[i] = order[j];
            order[j] = i;
        }
        return order;
    }

    /**
     * The case indices sorted by channel id: the global lock order. Built from the poll order, as
     * Go's selectgo does, and sorted stably, so cases on one channel keep their random poll order:
     * pass 2 enqueues waiters in this order, and a peer serves a channel's queue first come, first
     * served, so a blocked select with several cases on one channel must not always put the same
     * one first (TestPseudoRandomSend).
     */
    private static int[] lockOrder(Case<?>[] sc, int[] pollorder) {
        int n = sc.length;
        int[] order = new int[n];
        if (n <= 32) {
            for (int k = 0; k < n; k++) {
                int i = pollorder[k];
                int j = k;
                long id = sc[i].channel.id;
                while (j > 0 && sc[order[j - 1]].channel.id > id) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = i;
            }
            return order;
        }
        Integer[] boxed = new Integer[n];
        for (int k = 0; k < n; k++) {
            boxed[k] = pollorder[k];
        }
        Arrays.sort(boxed, Comparator.comparingLong(i -> sc[i].channel.id)); // stable
        for (int k = 0; k < n; k++) {
            order[k] = boxed[k];
        }
        return order;
    }

    private static void lockAll(Case<?>[] sc, int[] lockorder) {
        Channel<?> prev = null;
        for (int i : lockorder) {
            Channel<?> c = sc[i].channel;
            if (c != prev) {
                c.lock();
                prev = c;
            }
        }
    }

    private static void unlockAll(Case<?>[] sc, int[] lockorder) {
        Channel<?> prev = null;
        for (int i : lockorder) {
            Channel<?> c = sc[i].channel;
            if (c != prev) {
                c.unlock();
                prev = c;
            }
        }
    }

    private static Channel<?> chan(Object ch) {
        return ch == null || ch == Channel.nil() ? null : (Channel<?>) ch;
    }

    private static Object requireValue(Object value) {
        if (value == null) {
            throw new NullPointerException("cannot send null on a channel: channels carry non-null values"
                    + " (receive() returns null only for a closed channel); send a sentinel object or an Optional instead");
        }
        return value;
    }

    private static long nanos(Duration d) {
        Objects.requireNonNull(d, "timeout");
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException e) {
            return d.isNegative() ? 0 : Long.MAX_VALUE / 2; // effectively forever
        }
    }
}
