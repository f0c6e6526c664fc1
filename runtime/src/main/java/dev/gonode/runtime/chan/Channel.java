package dev.gonode.runtime.chan;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.internal.TimerChannels;
import dev.gonode.runtime.internal.sched.Park;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Go channel: a typed conduit between goroutines, unbuffered or with a FIFO buffer of fixed
 * capacity, with Go's rules exactly.
 *
 * <pre>{@code
 * Channel<String> ch = Channel.make();        // ch := make(chan string)
 * Channel<Job> jobs = Channel.make(100);      // jobs := make(chan Job, 100)
 * Go.go(() -> ch.send("hello"));              // go func() { ch <- "hello" }()
 * String s = ch.receive();                    // s := <-ch
 * Received<Job> r = jobs.receiveOk();         // j, ok := <-jobs
 * for (Job j : jobs) { ... }                  // for j := range jobs
 * jobs.close();                               // close(jobs)
 * }</pre>
 *
 * <ul>
 *   <li><b>Unbuffered</b> ({@code make()}, capacity 0): a send waits until a receiver takes the
 *       value, and a receive waits for a sender (a rendezvous).</li>
 *   <li><b>Buffered</b> ({@code make(n)}): a send waits only while the buffer is full, a receive
 *       only while it is empty; values come out in the order they went in. A value goes straight
 *       to a waiting receiver, and blocked senders and receivers are served first come, first
 *       served.</li>
 *   <li><b>Close</b>: values sent before {@link #close()} are still received; after that,
 *       receives return at once with "closed" ({@code null} from {@link #receive()},
 *       {@code ok == false} from {@link #receiveOk()}, the end of iteration). Close wakes every
 *       blocked receiver and every blocked sender; a send on a closed channel and a second close
 *       throw {@link ChannelClosedException} with Go's messages.</li>
 *   <li><b>Memory</b>: a send happens before the receive that gets its value completes, and for
 *       a channel of capacity C the k-th receive happens before the (k+C)-th send completes (Go's
 *       memory model).</li>
 *   <li><b>Nil channel</b>: {@link #nil()} is Go's nil channel. Sends and receives on it block
 *       forever and {@code close} throws; in {@link Select} its cases are never ready, so setting a
 *       case's channel to {@code nil()} (or {@code null}) disables it, as in Go.</li>
 *   <li><b>No nulls</b>: elements must not be {@code null}. {@code null} is what
 *       {@link #receive()} returns for a closed channel (Go's zero value), so it cannot also be a
 *       value; send a sentinel or an {@code Optional} instead.</li>
 *   <li><b>Blocking</b>: a goroutine blocked here is parked (its carrier runs other goroutines)
 *       with Go's wait reason ({@code chan send}, {@code chan receive}), visible in goroutine dumps.
 *       A plain Java thread may use channels too; it simply blocks. As in Go, a blocked operation
 *       cannot be interrupted: {@link Thread#interrupt()} neither ends nor corrupts it, and the
 *       interrupt status is still set when the operation returns. To give up on a wait, use a
 *       {@link Select} with a timeout or a cancellation channel.</li>
 * </ul>
 *
 * <p>{@code Channel} is both a {@link SendChannel} ({@code chan<- T}) and a
 * {@link ReceiveChannel} ({@code <-chan T}); pass the narrower type to code that should only send
 * or only receive.
 *
 * @param <T> the element type
 */
public final class Channel<T> implements SendChannel<T>, ReceiveChannel<T> {

    /*
     * Implementation notes.
     *
     * This is Go's hchan (runtime/chan.go): a lock, a ring buffer, and two FIFO queues of blocked
     * goroutines (Waiter, Go's sudog). Every operation takes the channel's lock, looks at the
     * queues and the buffer, and either completes at once or enqueues a Waiter, releases the lock
     * and parks. The goroutine that later finds the Waiter (the "waker") does the other half of the
     * transfer on its behalf, so a blocked goroutine never re-takes the lock after it wakes up.
     *
     * State, all guarded by `lock` (reads outside it are marked racy):
     *   buf/head/qcount  the ring: qcount values starting at buf[head]. The array grows by
     *                    doubling up to `capacity`, so make(1_000_000) costs nothing until used.
     *   closed           set once, by close.
     *   recvq, sendq     blocked receivers and senders, FIFO.
     *
     * Invariants (as in chan.go):
     *   - At least one of sendq and recvq is empty, except for an unbuffered channel on which one
     *     goroutine is blocked in a select with both a send and a receive case (it cannot match
     *     itself).
     *   - Buffered: qcount > 0 implies recvq is empty; qcount < capacity implies sendq is empty.
     *     So a sender that finds a receiver hands the value over directly, and a receiver that
     *     finds a sender takes the buffer's head and puts the sender's value at the tail.
     *   - closed implies sendq and recvq are empty: close wakes everybody, and nobody enqueues on
     *     a closed channel.
     *   - A Waiter is in at most one queue. A select's waiter that lost (its select completed
     *     through another case or timed out) may linger in a queue until its select removes it;
     *     Queue.dequeue skips it (Waiter.tryClaim, Go's selectDone CAS).
     *
     * Operations:
     *   send     closed -> throw. A receiver waits -> give it the value, wake it. Room in the
     *            buffer -> append. Else enqueue on sendq and park; a receiver (or close) completes
     *            the Waiter; if close did, throw "send on closed channel".
     *   receive  closed and empty -> "closed". A sender waits -> take its value (unbuffered) or
     *            the buffer's head, refilling the tail from the sender (buffered), wake it. Values
     *            buffered -> take the head. Else enqueue on recvq and park.
     *   close    mark closed, then unlink every waiter of both queues into a singly linked list
     *            (Waiter.wakeNext) under the lock, and complete/unpark them after releasing it.
     *            A loop, not recursion: a million parked receivers need one pass and no stack.
     *            Closed by a plain thread, the wake-ups are one batch (Park.beginWakeBatch, Go's
     *            injectglist): the scheduler gets them in chunks, not one globalPut + wakep each.
     *   trySend/tryReceive first look without the lock (Go's fast path for a failing
     *            non-blocking operation): a full, open channel cannot accept; an empty, open
     *            channel has nothing. The reads are ordered (acquire), and the re-check of
     *            emptiness after seeing `closed` is Go's argument for why the answer corresponds
     *            to one instant.
     *
     * Timer channels (made only through chan.internal.TimerChannels, for the time package) are
     * Go 1.23's: capacity 1 inside, len and cap 0 outside, and `timer` refers to the timer so that
     * holding the channel keeps it. A pending timer holds recvq (not the channel) strongly: keep
     * recvq a separate object, or give the time package another strong path to the receivers.
     *
     * Waking happens after unlocking: an unpark goes through the scheduler, and the woken
     * goroutine lands in the waker's P's runnext, so a send/receive pair stays on one carrier.
     * Nothing here spins while waiting for a partner: a blocked operation parks at once, because
     * its partner may be the goroutine sitting in this P's runnext.
     *
     * The lock is a test-and-test-and-set word in the channel itself (Go's runtime mutex is a spin
     * mutex too), held only for a few dozen instructions and never across a park or an unpark. It
     * allocates nothing, unlike a contended ReentrantLock, and it does not park a goroutine for a
     * critical section that is shorter than a park. A contender spins briefly (bounded), then
     * yields its carrier (Thread.yield) between attempts, so a holder that the OS descheduled
     * is not starved. Lock order: a select takes the locks of its channels in ascending `id`
     * (Go uses addresses), each channel once; plain operations take a single lock. No code holds
     * a channel lock while taking any other lock.
     *
     * The buffered fast path (room to send / a value to receive, nobody waiting) allocates
     * nothing: lock, copy a reference, unlock. Blocking allocates one Waiter.
     *
     * Interrupts: Go has none, so an interrupt neither ends a wait nor disturbs the channel. A
     * parked goroutine that finds its interrupt status set clears it (so that it can park again),
     * keeps waiting, and sets it again before returning. Nothing is ever half-done: a value is
     * either handed over under the lock or still in the sender's Waiter.
     */

    private static final AtomicLong IDS = new AtomicLong();
    private static final int MIN_RING = 16;
    private static final int SPINS_BEFORE_YIELD = 64;
    /** recv's result for a closed, drained channel (never a user value: elements are non-null). */
    static final Object CLOSED = new Object();

    private static final VarHandle LOCK;
    private static final VarHandle CLOSED_FLAG;
    private static final VarHandle QCOUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOCK = l.findVarHandle(Channel.class, "lock", int.class);
            CLOSED_FLAG = l.findVarHandle(Channel.class, "closed", boolean.class);
            QCOUNT = l.findVarHandle(Channel.class, "qcount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        TimerChannels.install(new TimerChannels.Access() {
            @Override
            public <T> Channel<T> make(Object timer) {
                return new Channel<>(1, timer);
            }

            @Override
            public Object receivers(Channel<?> channel) {
                return channel.recvq;
            }
        });
    }

    @SuppressWarnings("rawtypes")
    private static final Channel NIL = new Channel<>(0);

    /** Lock order among channels (Go sorts by address). */
    final long id;
    private final int capacity;
    private Object[] buf;
    private int head;
    @SuppressWarnings("unused") // also accessed through QCOUNT for racy reads
    private int qcount;
    @SuppressWarnings("unused") // also accessed through CLOSED_FLAG for racy reads
    private boolean closed;
    final Waiter.Queue recvq = new Waiter.Queue();
    final Waiter.Queue sendq = new Waiter.Queue();
    @SuppressWarnings("unused") // accessed through LOCK
    private volatile int lock;
    /** Go's hchan.timer: the timer this channel belongs to (kept alive by it), or null. */
    private final Object timer;

    private Channel(int capacity) {
        this(capacity, null);
    }

    private Channel(int capacity, Object timer) {
        this.id = IDS.incrementAndGet();
        this.capacity = capacity;
        this.timer = timer;
        this.buf = capacity == 0 ? null : new Object[Math.min(capacity, MIN_RING)];
    }

    /** Makes an unbuffered channel: Go's {@code make(chan T)}. */
    public static <T> Channel<T> make() {
        return new Channel<>(0);
    }

    /**
     * Makes a channel with a buffer of {@code capacity} values (0 = unbuffered): Go's
     * {@code make(chan T, capacity)}. The buffer's memory grows with use, up to the capacity.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public static <T> Channel<T> make(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("makechan: size out of range: channel capacity must be >= 0, got "
                    + capacity);
        }
        return new Channel<>(capacity);
    }

    /**
     * Go's nil channel: sends and receives block forever, {@code close} throws, and in a
     * {@link Select} its cases are never chosen (the idiom for disabling a case).
     */
    @SuppressWarnings("unchecked")
    public static <T> Channel<T> nil() {
        return (Channel<T>) NIL;
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(T value) {
        send0(value, true);
    }

    @Override
    public boolean trySend(T value) {
        return send0(value, false);
    }

    private boolean send0(T value, boolean block) {
        if (value == null) {
            throw nullValue();
        }
        if (this == NIL) {
            if (!block) {
                return false;
            }
            blockForever(WaitReason.CHAN_SEND_NIL);
        }
        // Fast path for a failing non-blocking send (Go's chansend): an open channel that is full
        // (no receiver waiting, for an unbuffered one) cannot take the value. `closed` is read
        // first; a channel cannot reopen, so if it was open then and full now, it was not ready.
        if (!block && !(boolean) CLOSED_FLAG.getAcquire(this) && fullRacy()) {
            return false;
        }
        lock();
        if (closed) {
            unlock();
            throw ChannelClosedException.sendOnClosed();
        }
        Waiter r = recvq.dequeue();
        if (r != null) {
            r.elem = value;
            r.success = true;
            unlock();
            r.complete();
            return true;
        }
        if (qcount < capacity) {
            bufPut(value);
            unlock();
            return true;
        }
        if (!block) {
            unlock();
            return false;
        }
        Waiter w = new Waiter(Thread.currentThread(), this, null, 0, value);
        sendq.enqueue(w);
        unlock();
        awaitPlain(w, WaitReason.CHAN_SEND);
        if (!w.success) {
            throw ChannelClosedException.sendOnClosed();
        }
        return true;
    }

    // ---------------------------------------------------------------- receive

    @Override
    @SuppressWarnings("unchecked")
    public T receive() {
        Object v = recv0(true);
        return v == CLOSED ? null : (T) v;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Received<T> receiveOk() {
        Object v = recv0(true);
        return v == CLOSED ? Received.closed() : new Received<>((T) v, true);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Received<T> tryReceive() {
        Object v = recv0(false);
        if (v == null) {
            return null;
        }
        return v == CLOSED ? Received.closed() : new Received<>((T) v, true);
    }

    /**
     * Receives: a value, {@link #CLOSED} if the channel is closed and drained, or {@code null} if
     * {@code block} is false and receiving would block.
     */
    Object recv0(boolean block) {
        if (this == NIL) {
            if (!block) {
                return null;
            }
            blockForever(WaitReason.CHAN_RECEIVE_NIL);
        }
        // Fast path for a failing non-blocking receive (Go's chanrecv): empty and open means not
        // ready. If it was empty and then found closed, look again: a value may have been sent
        // between the two reads and must be received before "closed" is reported.
        if (!block && emptyRacy()) {
            if (!(boolean) CLOSED_FLAG.getAcquire(this)) {
                return null;
            }
            if (emptyRacy()) {
                return CLOSED;
            }
        }
        lock();
        if (closed && qcount == 0) {
            unlock();
            return CLOSED;
        }
        Waiter s = sendq.dequeue();
        if (s != null) {
            Object v = takeFromSender(s);
            unlock();
            s.complete();
            return v;
        }
        if (qcount > 0) {
            Object v = bufTake();
            unlock();
            return v;
        }
        if (!block) {
            unlock();
            return null;
        }
        Waiter w = new Waiter(Thread.currentThread(), this, null, 0, null);
        recvq.enqueue(w);
        unlock();
        awaitPlain(w, WaitReason.CHAN_RECEIVE);
        return w.success ? w.elem : CLOSED;
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Object next; // null: not fetched yet; CLOSED: the end

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = recv0(true);
                }
                return next != CLOSED;
            }

            @Override
            @SuppressWarnings("unchecked")
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("channel closed");
                }
                T v = (T) next;
                next = null;
                return v;
            }
        };
    }

    // ---------------------------------------------------------------- close, len, cap

    @Override
    public void close() {
        if (this == NIL) {
            throw new IllegalStateException("close of nil channel");
        }
        lock();
        if (closed) {
            unlock();
            throw ChannelClosedException.closeOfClosed();
        }
        CLOSED_FLAG.setRelease(this, true);
        Waiter wakeFirst = null;
        Waiter wakeLast = null;
        Waiter w;
        while ((w = recvq.dequeue()) != null) {
            w.elem = null;
            w.success = false;
            if (wakeLast == null) {
                wakeFirst = w;
            } else {
                wakeLast.wakeNext = w;
            }
            wakeLast = w;
        }
        while ((w = sendq.dequeue()) != null) {
            w.elem = null;
            w.success = false;
            if (wakeLast == null) {
                wakeFirst = w;
            } else {
                wakeLast.wakeNext = w;
            }
            wakeLast = w;
        }
        unlock();
        boolean batch = wakeFirst != null && wakeFirst.wakeNext != null && Park.beginWakeBatch();
        try {
            while (wakeFirst != null) {
                Waiter next = wakeFirst.wakeNext;
                wakeFirst.wakeNext = null;
                wakeFirst.complete();
                wakeFirst = next;
            }
        } finally {
            if (batch) {
                Park.endWakeBatch();
            }
        }
    }

    @Override
    public int len() {
        return timer != null ? 0 : (int) QCOUNT.getOpaque(this); // Go 1.23: 0 for a timer channel
    }

    @Override
    public int cap() {
        return timer != null ? 0 : capacity;
    }

    @Override
    public String toString() {
        if (this == NIL) {
            return "chan(nil)";
        }
        return "chan(len=" + len() + ", cap=" + cap() + ((boolean) CLOSED_FLAG.getAcquire(this) ? ", closed)" : ")");
    }

    // ---------------------------------------------------------------- used by Select, under the lock

    boolean isClosedLocked() {
        return closed;
    }

    int qcountLocked() {
        return qcount;
    }

    boolean hasRoomLocked() {
        return qcount < capacity;
    }

    /** Appends to the buffer; the caller holds the lock and checked {@link #hasRoomLocked()}. */
    void bufPut(Object value) {
        Object[] b = buf;
        int n = qcount;
        if (n == b.length) {
            b = grow();
        }
        int i = head + n;
        if (i >= b.length) {
            i -= b.length;
        }
        b[i] = value;
        QCOUNT.setOpaque(this, n + 1);
    }

    /** Takes the buffer's head; the caller holds the lock and checked that it is non-empty. */
    Object bufTake() {
        Object[] b = buf;
        int h = head;
        Object v = b[h];
        b[h] = null;
        head = h + 1 == b.length ? 0 : h + 1;
        QCOUNT.setOpaque(this, qcount - 1);
        return v;
    }

    /**
     * Receives from a blocked sender {@code s} that was just dequeued (Go's {@code recv}). For an
     * unbuffered channel the value is the sender's; for a buffered one the buffer is full, so the
     * receiver gets the head and the sender's value goes to the tail, keeping FIFO order.
     */
    Object takeFromSender(Waiter s) {
        Object v;
        if (capacity == 0) {
            v = s.elem;
        } else {
            Object[] b = buf; // full: qcount == capacity == b.length
            int h = head;
            v = b[h];
            b[h] = s.elem;
            head = h + 1 == b.length ? 0 : h + 1;
        }
        s.elem = null;
        s.success = true;
        return v;
    }

    private Object[] grow() {
        Object[] old = buf;
        int n = qcount;
        int len = (int) Math.min(capacity, Math.max(MIN_RING, 2L * old.length));
        Object[] b = new Object[len];
        int firstPart = Math.min(n, old.length - head);
        System.arraycopy(old, head, b, 0, firstPart);
        System.arraycopy(old, 0, b, firstPart, n - firstPart);
        buf = b;
        head = 0;
        return b;
    }

    /** Whether a receive looks able to proceed (racy: a hint for select's pass 0, acted on only under the lock). */
    boolean recvReadyRacy() {
        return (int) QCOUNT.getOpaque(this) > 0 || !sendq.isEmpty() || (boolean) CLOSED_FLAG.getOpaque(this);
    }

    /** Whether a send looks able to proceed (racy: a hint for select's pass 0, acted on only under the lock). */
    boolean sendReadyRacy() {
        return (int) QCOUNT.getOpaque(this) < capacity || !recvq.isEmpty() || (boolean) CLOSED_FLAG.getOpaque(this);
    }

    private boolean fullRacy() {
        if (capacity == 0) {
            return recvq.isEmpty();
        }
        return (int) QCOUNT.getOpaque(this) == capacity;
    }

    private boolean emptyRacy() {
        if (capacity == 0) {
            boolean empty = sendq.isEmpty();
            VarHandle.acquireFence(); // order this read before the read of `closed` that follows
            return empty;
        }
        return (int) QCOUNT.getAcquire(this) == 0;
    }

    // ---------------------------------------------------------------- the lock

    void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            lockSlow();
        }
    }

    private void lockSlow() {
        int spins = 0;
        for (;;) {
            if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                spins = 0;
                Thread.yield();
            }
        }
    }

    void unlock() {
        LOCK.setRelease(this, 0);
    }

    // ---------------------------------------------------------------- parking

    /** Parks until the waker completes {@code w}. Interrupts are absorbed and re-asserted on return. */
    private void awaitPlain(Waiter w, WaitReason reason) {
        boolean interrupted = false;
        while (!w.isDone()) {
            Park.park(reason, this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Go's {@code gopark(nil, ...)} forever: a nil channel, or a select with nothing to wait for. */
    static void blockForever(WaitReason reason) {
        for (;;) {
            Park.park(reason, null);
            Thread.interrupted(); // an interrupt cannot end this wait; clear it so that we park again
        }
    }

    private static NullPointerException nullValue() {
        return new NullPointerException("cannot send null on a channel: channels carry non-null values"
                + " (receive() returns null only for a closed channel); send a sentinel object or an Optional instead");
    }

    /** Number of waiters in the receive queue (a snapshot; for tests and diagnostics). */
    int waitingReceivers() {
        lock();
        try {
            return recvq.size();
        } finally {
            unlock();
        }
    }

    /** Number of waiters in the send queue (a snapshot; for tests and diagnostics). */
    int waitingSenders() {
        lock();
        try {
            return sendq.size();
        } finally {
            unlock();
        }
    }
}
