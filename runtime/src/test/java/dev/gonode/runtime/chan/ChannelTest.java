package dev.gonode.runtime.chan;

import static dev.gonode.runtime.chan.Spawner.await;
import static dev.gonode.runtime.chan.Spawner.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The channel rules of Go's spec, pinned down one by one. Many cases port the behaviour of Go's
 * {@code runtime/chan_test.go} (TestChan, TestNonblockRecvRace, TestMultiConsumer) and
 * {@code test/chan/*.go} (fifo, goroutines, sieve1, zerosize, select3's blocking rules).
 * "Blocks" is observed as the goroutine parked with Go's wait reason, never with a sleep.
 */
class ChannelTest {

    // ---------------------------------------------------------------- blocking and not blocking

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 10})
    void receiveFromEmptyChannelBlocksUntilSomethingIsSent(int cap) throws Exception {
        Channel<Integer> c = Channel.make(cap);
        AtomicBoolean received = new AtomicBoolean();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> {
                assertEquals(7, c.receive());
                received.set(true);
            });
            awaitBlocked(g, WaitReason.CHAN_RECEIVE);
            assertFalse(received.get(), "receive from empty chan returned");
            assertNull(c.tryReceive(), "non-blocking receive from empty chan got something");
            c.send(7);
        }
        assertTrue(received.get());
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 10})
    void sendToFullChannelBlocksUntilSomethingIsReceived(int cap) throws Exception {
        Channel<Integer> c = Channel.make(cap);
        for (int i = 0; i < cap; i++) {
            c.send(i);
        }
        AtomicBoolean sent = new AtomicBoolean();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> {
                c.send(-1);
                sent.set(true);
            });
            awaitBlocked(g, WaitReason.CHAN_SEND);
            assertFalse(sent.get(), "send to full chan returned");
            assertFalse(c.trySend(-2), "non-blocking send to full chan succeeded");
            assertEquals(cap == 0 ? -1 : 0, c.receive());
        }
        assertTrue(sent.get());
    }

    @Test
    void sendToBufferedChannelWithRoomNeverBlocks() {
        Channel<Integer> c = Channel.make(1);
        c.send(7); // on the test thread: would hang here if it blocked
        assertEquals(1, c.len());
        assertTrue(Channel.<Integer>make(1).trySend(7));
    }

    @Test
    void plainThreadsBlockAndWakeLikeGoroutines() throws Exception {
        Channel<String> c = Channel.make();
        Thread t = Thread.ofPlatform().start(() -> c.send("from a plain thread"));
        assertEquals("from a plain thread", c.receive());
        t.join();
    }

    // ---------------------------------------------------------------- order

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 2, 7, 64, 100})
    void valuesArriveUncorruptedInFifoOrder(int cap) throws Exception {
        Channel<Integer> c = Channel.make(cap);
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                for (int i = 0; i < 1000; i++) {
                    c.send(i);
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, c.receive());
            }
            s.go(() -> {
                for (int i = 0; i < 1000; i++) {
                    c.send(i);
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(Received.of(i), c.receiveOk());
            }
        }
    }

    @Test
    void bufferedChannelIsAFifo() {
        // test/chan/fifo.go, AsynchFifo
        Channel<Integer> c = Channel.make(10);
        for (int i = 0; i < 10; i++) {
            c.send(i);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(i, c.receive());
        }
    }

    @Test
    void unbufferedHandOffsKeepOrderAlongAChainOfGoroutines() throws Exception {
        // test/chan/fifo.go, SynchFifo: each goroutine waits for its turn, then sends its number
        int n = 1000;
        Channel<Integer> ch = Channel.make();
        Channel<Integer> in = Channel.make();
        Channel<Integer> start = in;
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < n; i++) {
                Channel<Integer> out = Channel.make();
                Channel<Integer> myIn = in;
                int value = i;
                s.go(() -> {
                    myIn.receive();
                    ch.send(value);
                    out.send(0);
                });
                in = out;
            }
            start.send(0);
            for (int i = 0; i < n; i++) {
                assertEquals(i, ch.receive());
            }
            assertEquals(0, in.receive());
        }
    }

    @Test
    void blockedSendersAreServedFirstComeFirstServed() throws Exception {
        Channel<Integer> c = Channel.make(2);
        c.send(-2);
        c.send(-1);
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < 20; i++) {
                int v = i;
                awaitBlocked(s.go(() -> c.send(v)), WaitReason.CHAN_SEND);
            }
            for (int i = -2; i < 20; i++) {
                assertEquals(i, c.receive());
            }
        }
    }

    @Test
    void blockedReceiversAreServedFirstComeFirstServed() throws Exception {
        Channel<Integer> c = Channel.make(5);
        int n = 20;
        AtomicIntegerArray got = new AtomicIntegerArray(n);
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < n; i++) {
                int me = i;
                awaitBlocked(s.go(() -> got.set(me, c.receive())), WaitReason.CHAN_RECEIVE);
            }
            for (int i = 0; i < n; i++) {
                c.send(100 + i);
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(100 + i, got.get(i), "receiver " + i);
        }
    }

    @Test
    void aValueGoesStraightToAWaitingReceiverNotThroughTheBuffer() throws Exception {
        Channel<String> c = Channel.make(4);
        try (Spawner s = new Spawner()) {
            AtomicReference<String> got = new AtomicReference<>();
            Goroutine g = s.go(() -> got.set(c.receive()));
            awaitBlocked(g, WaitReason.CHAN_RECEIVE);
            c.send("direct");
            assertEquals(0, c.len(), "the value went through the buffer although a receiver was waiting");
            g.join();
            assertEquals("direct", got.get());
        }
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 3, 100})
    void everyValueFromManySendersIsReceivedExactlyOnce(int cap) throws Exception {
        // TestChan: 4 senders and 4 receivers of 1000 values each
        int p = 4;
        int l = 1000;
        Channel<Integer> c = Channel.make(cap);
        AtomicIntegerArray seen = new AtomicIntegerArray(l);
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < p; i++) {
                s.go(() -> {
                    for (int v = 0; v < l; v++) {
                        c.send(v);
                    }
                });
                s.go(() -> {
                    for (int k = 0; k < l; k++) {
                        seen.incrementAndGet(c.receive());
                    }
                });
            }
        }
        for (int v = 0; v < l; v++) {
            assertEquals(p, seen.get(v), "value " + v + " received");
        }
    }

    // ---------------------------------------------------------------- close

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 10})
    void valuesSentBeforeCloseAreStillReceivedThenClosedIsReported(int cap) {
        Channel<Integer> c = Channel.make(cap);
        for (int i = 0; i < cap; i++) {
            c.send(i);
        }
        c.close();
        for (int i = 0; i < cap; i++) {
            assertEquals(i, c.receive());
        }
        assertNull(c.receive(), "a closed, drained channel yields the zero value (null)");
        assertEquals(Received.closed(), c.receiveOk());
        assertEquals(Received.closed(), c.tryReceive());
        assertFalse(c.receiveOk().ok());
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 10})
    void closeWakesEveryBlockedReceiverAndTheySeeClosed(int cap) throws Exception {
        Channel<Integer> c = Channel.make(cap);
        int n = 50;
        AtomicInteger sawClosed = new AtomicInteger();
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < n; i++) {
                s.go(() -> {
                    if (!c.receiveOk().ok()) {
                        sawClosed.incrementAndGet();
                    }
                });
            }
            await("all receivers are queued", () -> c.waitingReceivers() == n);
            c.close();
        }
        assertEquals(n, sawClosed.get());
        assertEquals(0, c.waitingReceivers());
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 10})
    void closeWakesEveryBlockedSenderAndTheirSendsFail(int cap) throws Exception {
        Channel<Integer> c = Channel.make(cap);
        for (int i = 0; i < cap; i++) {
            c.send(i);
        }
        int n = 50;
        AtomicInteger failed = new AtomicInteger();
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < n; i++) {
                int v = 1000 + i;
                s.go(() -> {
                    ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> c.send(v));
                    assertEquals("send on closed channel", e.getMessage());
                    failed.incrementAndGet();
                });
            }
            await("all senders are queued", () -> c.waitingSenders() == n);
            c.close();
        }
        assertEquals(n, failed.get());
        for (int i = 0; i < cap; i++) {
            assertEquals(i, c.receive(), "values buffered before close survive it");
        }
        assertEquals(Received.closed(), c.receiveOk(), "a failed send left a value behind");
    }

    @Test
    void sendOnClosedChannelFailsLoudlyWithGosMessage() {
        Channel<Integer> c = Channel.make(1);
        c.close();
        ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> c.send(1));
        assertEquals("send on closed channel", e.getMessage());
        e = assertThrows(ChannelClosedException.class, () -> c.trySend(1));
        assertEquals("send on closed channel", e.getMessage());
        assertTrue(e instanceof IllegalStateException);
    }

    @Test
    void closeOfClosedChannelFailsLoudlyWithGosMessage() {
        Channel<Integer> c = Channel.make();
        c.close();
        ChannelClosedException e = assertThrows(ChannelClosedException.class, c::close);
        assertEquals("close of closed channel", e.getMessage());
    }

    @Test
    void receiveFromClosedChannelNeverBlocks() {
        // select3.go: "receiving from a closed channel never blocks"
        Channel<Integer> closed = Channel.make();
        closed.close();
        for (int i = 0; i < 10; i++) {
            assertNull(closed.receive());
            assertEquals(Received.closed(), closed.receiveOk());
        }
    }

    @Test
    void nonBlockingReceiveNeverMissesAValueOrACloseThatHappenedBeforeIt() throws Exception {
        // TestNonblockRecvRace: the channel is ready (a value, then closed) the whole time
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < 2000; i++) {
                Channel<Integer> c = Channel.make(1);
                c.send(1);
                s.go(() -> {
                    if (c.tryReceive() == null) {
                        throw new AssertionError("chan is not ready");
                    }
                });
                c.close();
                c.receive();
            }
        }
    }

    @Test
    void closingAChannelWithAMillionParkedReceiversWakesThemAllWithoutRecursion() throws Exception {
        // jox's done() overflowed the stack here; close must walk its waiters in a loop. A first
        // round of 100k gets the receive path compiled: a goroutine that parked in interpreted
        // frames resumes in them, which would make the big round ten times slower.
        parkReceiversThenClose(100_000);
        long nanosEach = parkReceiversThenClose(1_000_000);
        System.out.println("close woke 1000000 parked receivers: " + nanosEach + " ns each until all had run");
    }

    private static long parkReceiversThenClose(int n) throws InterruptedException {
        Channel<Integer> c = Channel.make();
        AtomicInteger woke = new AtomicInteger();
        CountDownLatch allWoke = new CountDownLatch(1);
        Runnable receiver = () -> {
            c.receive();
            if (woke.incrementAndGet() == n) {
                allWoke.countDown();
            }
        };
        for (int i = 0; i < n; i++) {
            Go.go(receiver);
        }
        await(n + " receivers are parked", () -> c.waitingReceivers() == n);
        // Closed from a platform thread with a small stack (256 KiB, a quarter of the usual): a
        // close that recursed over its waiters would overflow it long before a million.
        AtomicReference<Throwable> closeFailure = new AtomicReference<>();
        Thread closer = new Thread(null, () -> {
            try {
                c.close();
            } catch (Throwable t) {
                closeFailure.set(t);
            }
        }, "closer", 256 * 1024);
        long t0 = System.nanoTime();
        closer.start();
        closer.join();
        assertNull(closeFailure.get(), "close failed");
        assertTrue(allWoke.await(60, TimeUnit.SECONDS), "only " + woke.get() + " of " + n + " receivers woke");
        assertEquals(0, c.waitingReceivers());
        return (System.nanoTime() - t0) / n;
    }

    // ---------------------------------------------------------------- len, cap, iteration

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 17, 200})
    void lenAndCapReportTheBuffer(int cap) {
        Channel<Integer> c = Channel.make(cap);
        assertEquals(0, c.len());
        assertEquals(cap, c.cap());
        for (int i = 0; i < cap; i++) {
            c.send(i);
        }
        assertEquals(cap, c.len());
        assertEquals(cap, c.cap());
        if (cap > 0) {
            c.receive();
            assertEquals(cap - 1, c.len());
        }
    }

    @Test
    void iterationEndsWhenTheChannelIsClosedAndDrained() throws Exception {
        Channel<Integer> c = Channel.make(3);
        List<Integer> got = new ArrayList<>();
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                for (int i = 0; i < 100; i++) {
                    c.send(i);
                }
                c.close();
            });
            for (int v : c) {
                got.add(v);
            }
        }
        assertEquals(100, got.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, got.get(i));
        }
        Iterator<Integer> it = c.iterator();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void rangingWorkersTogetherSeeEveryValueOnce() throws Exception {
        // TestMultiConsumer: workers range over q and forward to r; the feeder closes q, then r
        int nwork = 23;
        int niter = 50_000;
        int[] pn = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
        Channel<Integer> q = Channel.make(nwork * 3);
        Channel<Integer> r = Channel.make(nwork * 3);
        long[] expect = new long[1];
        try (Spawner s = new Spawner()) {
            CountDownLatch workersDone = new CountDownLatch(nwork);
            for (int i = 0; i < nwork; i++) {
                int w = i;
                s.go(() -> {
                    for (int v : q) {
                        if (pn[w % pn.length] == v) {
                            Go.yield(); // mess with the fifo-ish nature of range
                        }
                        r.send(v);
                    }
                    workersDone.countDown();
                });
            }
            s.go(() -> {
                long e = 0;
                for (int i = 0; i < niter; i++) {
                    int v = pn[i % pn.length];
                    e += v;
                    q.send(v);
                }
                expect[0] = e;
                q.close();
                workersDone.await();
                r.close();
            });
            long n = 0;
            long sum = 0;
            for (int v : r) {
                n++;
                sum += v;
            }
            s.joinAll();
            assertEquals(niter, n);
            assertEquals(expect[0], sum);
        }
    }

    // ---------------------------------------------------------------- nil channel, nulls, capacity

    @Test
    void nilChannelBlocksSendAndReceiveForeverWithGosWaitReasons() throws Exception {
        Channel<Integer> nil = Channel.nil();
        Goroutine sender = Go.go(() -> nil.send(7));
        Goroutine receiver = Go.go(nil::receive);
        Goroutine ranger = Go.go(() -> {
            for (int ignored : nil) {
                throw new AssertionError("ranging over a nil channel yielded a value");
            }
        });
        awaitBlocked(sender, WaitReason.CHAN_SEND_NIL);
        awaitBlocked(receiver, WaitReason.CHAN_RECEIVE_NIL);
        awaitBlocked(ranger, WaitReason.CHAN_RECEIVE_NIL);
        assertFalse(nil.trySend(1));
        assertNull(nil.tryReceive());
        assertEquals(0, nil.len());
        assertEquals(0, nil.cap());
        assertSame(nil, Channel.nil());
        IllegalStateException e = assertThrows(IllegalStateException.class, nil::close);
        assertEquals("close of nil channel", e.getMessage());
        // they stay blocked: nothing can wake a goroutine parked on the nil channel
        assertTrue(sender.isAlive() && receiver.isAlive() && ranger.isAlive());
    }

    @Test
    void nullValuesAreRejectedWithAMessageSayingWhatToDo() {
        Channel<String> c = Channel.make(1);
        NullPointerException e = assertThrows(NullPointerException.class, () -> c.send(null));
        assertTrue(e.getMessage().contains("non-null"), e.getMessage());
        assertThrows(NullPointerException.class, () -> c.trySend(null));
        assertThrows(NullPointerException.class, () -> Select.send(c, null));
        assertEquals(0, c.len());
    }

    @Test
    void negativeCapacityIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Channel.make(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    /** A value with no state: Go's {@code struct{}}. */
    private record Empty() {
    }

    @Test
    void zeroSizeValuesFlowLikeAnyOther() throws Exception {
        // test/chan/zerosize.go, and the chan struct{} signalling idiom
        Empty e = new Empty();
        Channel<Empty> unbuffered = Channel.make();
        Channel<Empty> huge = Channel.make(Integer.MAX_VALUE); // costs nothing until used
        assertEquals(Integer.MAX_VALUE, huge.cap());
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                for (int i = 0; i < 1000; i++) {
                    unbuffered.send(e);
                }
                unbuffered.close();
            });
            int n = 0;
            for (Empty got : unbuffered) {
                assertSame(e, got);
                n++;
            }
            assertEquals(1000, n);
        }
        for (int i = 0; i < 100_000; i++) {
            huge.send(e);
        }
        assertEquals(100_000, huge.len());
        for (int i = 0; i < 100_000; i++) {
            assertSame(e, huge.receive());
        }
    }

    @Test
    void receivedRejectsContradictoryResults() {
        assertThrows(IllegalArgumentException.class, () -> new Received<>(null, true));
        assertThrows(IllegalArgumentException.class, () -> new Received<>("x", false));
        assertEquals(new Received<>("x", true), Received.of("x"));
    }

    // ---------------------------------------------------------------- interrupts and memory

    @Test
    void anInterruptNeitherEndsAWaitNorLosesTheInterruptStatus() throws Exception {
        Channel<Integer> c = Channel.make();
        AtomicReference<Integer> got = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        AtomicReference<Thread> thread = new AtomicReference<>();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> {
                thread.set(Thread.currentThread());
                got.set(c.receive());
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            awaitBlocked(g, WaitReason.CHAN_RECEIVE);
            thread.get().interrupt();
            // the goroutine wakes, finds nothing, and parks again in the same wait
            awaitBlocked(g, WaitReason.CHAN_RECEIVE);
            assertEquals(1, c.waitingReceivers());
            assertNull(got.get());
            c.send(42);
        }
        assertEquals(42, got.get());
        assertTrue(stillInterrupted.get(), "the interrupt status was swallowed");
    }

    @Test
    void interruptsDuringABusyExchangeLoseNoValueAndDuplicateNone() throws Exception {
        int n = 20_000;
        int consumers = 4;
        Channel<Integer> c = Channel.make(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < consumers; i++) {
                s.go(() -> {
                    threads.add(Thread.currentThread());
                    for (Integer v; (v = c.receive()) != null;) {
                        seen.incrementAndGet(v);
                    }
                });
            }
            Goroutine producer = s.go(() -> {
                threads.add(Thread.currentThread());
                for (int i = 0; i < n; i++) {
                    c.send(i);
                }
            });
            s.go(() -> {
                while (!stop.get()) {
                    for (Thread t : threads) {
                        t.interrupt();
                    }
                    Go.yield();
                }
            });
            producer.join();
            c.close();
            await("consumers drained the channel", () -> c.waitingReceivers() == 0 && c.len() == 0);
            stop.set(true);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen.get(i), "value " + i);
        }
    }

    @Test
    void writesBeforeASendAreVisibleAfterTheReceive() throws Exception {
        // the happens-before edge from a send to its receive, for both hand-off and buffer
        for (int cap : new int[] {0, 8}) {
            int n = 20_000;
            int[] payload = new int[n]; // plain, unsynchronised
            Channel<Integer> c = Channel.make(cap);
            try (Spawner s = new Spawner()) {
                s.go(() -> {
                    for (int i = 0; i < n; i++) {
                        payload[i] = i + 1;
                        c.send(i);
                    }
                });
                s.go(() -> {
                    for (int i = 0; i < n; i++) {
                        int k = c.receive();
                        if (payload[k] != k + 1) {
                            throw new AssertionError("write before send " + k + " not visible after receive");
                        }
                    }
                });
            }
        }
    }

    // ---------------------------------------------------------------- Go programs

    @Test
    void primeSieveOfFilterGoroutinesFindsTheFirstPrimes() throws Exception {
        // test/chan/sieve1.go: a daisy chain of filter goroutines
        int[] want = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
                97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
                197, 199, 211, 223, 227, 229};
        Channel<Integer> primes = Channel.make();
        Channel<Boolean> stop = Channel.make();
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                Channel<Integer> source = Channel.make();
                Go.go(() -> generate(source, stop));
                Channel<Integer> ch = source;
                while (true) {
                    Integer prime = ch.receive();
                    if (prime == null) {
                        primes.close();
                        return;
                    }
                    primes.send(prime);
                    Channel<Integer> next = Channel.make();
                    Channel<Integer> in = ch;
                    Go.go(() -> filter(in, next, prime));
                    ch = next;
                }
            });
            for (int p : want) {
                assertEquals(p, primes.receive());
            }
            stop.close();
            // primes already in the pipeline still come out, in order, until the chain closes
            int last = want[want.length - 1];
            for (Integer p; (p = primes.receive()) != null; last = p) {
                assertTrue(p > last && BigInteger.valueOf(p).isProbablePrime(50), p + " after " + last);
            }
        }
    }

    private static void generate(Channel<Integer> ch, Channel<Boolean> stop) {
        for (int i = 2; ; i++) {
            Boolean stopped = Select.select(Select.send(ch, i).map(x -> false), Select.receive(stop).map(x -> true));
            if (stopped) {
                ch.close();
                return;
            }
        }
    }

    private static void filter(Channel<Integer> in, Channel<Integer> out, int prime) {
        for (int i : in) {
            if (i % prime != 0) {
                out.send(i);
            }
        }
        out.close();
    }

    @Test
    void aValuePassesAlongAChainOfTenThousandGoroutines() throws Exception {
        // test/chan/goroutines.go
        int n = 10_000;
        Channel<Integer> leftmost = Channel.make();
        Channel<Integer> right = leftmost;
        Channel<Integer> left = leftmost;
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < n; i++) {
                right = Channel.make();
                Channel<Integer> l = left;
                Channel<Integer> r = right;
                s.go(() -> l.send(r.receive() + 1));
                left = right;
            }
            right.send(0);
            assertEquals(n, leftmost.receive());
        }
    }
}
