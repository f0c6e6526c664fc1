package dev.gonode.runtime.chan;

import static dev.gonode.runtime.chan.Spawner.await;
import static dev.gonode.runtime.chan.Spawner.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Go's {@code select} rules, pinned down one by one. Many cases port the behaviour of Go's
 * {@code runtime/chan_test.go} (TestSelfSelect, TestSelectStress, TestSelectFairness,
 * TestPseudoRandomSend, TestNonblockSelectRace, TestSelectDuplicateChannel) and
 * {@code test/chan/} (select, select2, select3, select4, select6, select7, doubleselect).
 */
class SelectTest {

    // ---------------------------------------------------------------- choosing a case

    @Test
    void aReadyCaseIsChosenOverOnesThatAreNotReady() {
        // select4.go
        Channel<Integer> c = Channel.make(1);
        Channel<Integer> c1 = Channel.make();
        c.send(42);
        int got = Select.select(
                Select.receive(c1).map(v -> { throw new AssertionError("c1 is not ready"); }),
                Select.receive(c));
        assertEquals(42, got);
    }

    @Test
    void selectWithADefaultNeverBlocks() {
        // select3.go: selects with default cases don't block (run on the test thread: a block would hang)
        Channel<Integer> empty = Channel.make();
        Channel<Integer> full = Channel.make(1);
        full.send(1);
        assertEquals("default", Select.select(Select.defaultCase().map(x -> "default")));
        assertEquals("default", Select.select(Select.receive(empty).map(v -> "received"),
                Select.defaultCase().map(x -> "default")));
        assertEquals("default", Select.select(Select.send(full, 2).map(v -> "sent"),
                Select.defaultCase().map(x -> "default")));
        assertEquals("default", Select.select(Select.receive(empty).map(v -> "received"),
                Select.send(full, 2).map(v -> "sent"), Select.defaultCase().map(x -> "default")));
        assertEquals("default", Select.select(Select.receive(Channel.<Integer>nil()).map(v -> "received"),
                Select.send(null, 7).map(v -> "sent"), Select.defaultCase().map(x -> "default")));
    }

    @Test
    void readyCasesWinOverTheDefault() {
        // select3.go: selects with ready channels don't block
        Channel<Integer> ch = Channel.make(1);
        assertEquals("sent", Select.select(Select.send(ch, 7).map(v -> "sent"), Select.defaultCase().map(x -> "default")));
        assertEquals(7, Select.select(Select.receive(ch), Select.defaultCase().map(x -> -1)));
        ch.send(8);
        Channel<Integer> other = Channel.make();
        assertEquals(8, Select.select(Select.receive(other), Select.receive(ch), Select.defaultCase().map(x -> -1)));
    }

    @Test
    void nilChannelCasesAreNeverChosenButTheirValuesAreStillEvaluated() {
        // select.go: each select evaluates every send expression, even for nil channels
        Channel<Integer> a = Channel.make(1);
        Channel<Integer> b = Channel.make(1);
        int[] counter = {0};
        int[] shift = {0};
        java.util.function.IntSupplier value = () -> {
            counter[0]++;
            return 1 << shift[0];
        };
        assertEquals(2, sendUntilDefault(a, b, value, shift));
        assertEquals(1 | 2, a.receive() | b.receive());
        assertEquals(1, sendUntilDefault(a, null, value, shift));
        assertEquals(10, counter[0]);
    }

    private static int sendUntilDefault(Channel<Integer> a, Channel<Integer> b, java.util.function.IntSupplier value,
                                        int[] shift) {
        int i = 0;
        for (;;) {
            String fired = Select.select(
                    Select.send(a, value.getAsInt()).map(x -> "a"),
                    Select.send(b, value.getAsInt()).map(x -> "b"),
                    Select.defaultCase().map(x -> "default"));
            switch (fired) {
                case "a" -> a = null;
                case "b" -> b = null;
                default -> {
                    return i;
                }
            }
            i++;
            shift[0]++;
        }
    }

    @Test
    void selectWithNoCasesBlocksForever() {
        Goroutine g = Go.go(() -> Select.select());
        awaitBlocked(g, WaitReason.SELECT_NO_CASES);
        assertTrue(g.isAlive());
    }

    @Test
    void selectWhoseChannelsAreAllNilBlocksForever() {
        // select3.go: selects with only nil channels always block
        Channel<Integer> nil = Channel.nil();
        Goroutine both = Go.go(() -> Select.select(Select.receive(nil), Select.send(nil, 7)));
        Goroutine nullChannels = Go.go(() -> Select.select(Select.receive(null), Select.send(null, 7)));
        Goroutine single = Go.go(() -> Select.select(Select.receive(nil))); // Go compiles this to <-nilch
        awaitBlocked(both, WaitReason.SELECT);
        awaitBlocked(nullChannels, WaitReason.SELECT);
        awaitBlocked(single, WaitReason.CHAN_RECEIVE_NIL);
    }

    @Test
    void selectOnChannelsThatAreNotReadyBlocksUntilOneIs() throws Exception {
        Channel<String> a = Channel.make();
        Channel<String> b = Channel.make(2);
        AtomicReference<String> got = new AtomicReference<>();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> got.set(Select.select(Select.receive(a), Select.receive(b))));
            awaitBlocked(g, WaitReason.SELECT);
            assertEquals(1, a.waitingReceivers());
            assertEquals(1, b.waitingReceivers());
            b.send("b");
        }
        assertEquals("b", got.get());
        assertEquals(0, a.waitingReceivers(), "the select left its waiter on the channel that did not fire");
        assertEquals(0, b.len(), "the value went into the buffer although the select was waiting");
    }

    // ---------------------------------------------------------------- closed channels

    @Test
    void aReceiveCaseOnAClosedChannelIsAlwaysReady() {
        // select3.go: selects with closed channels behave like ordinary operations
        Channel<Integer> closed = Channel.make();
        closed.close();
        Channel<Integer> never = Channel.make();
        for (int i = 0; i < 10; i++) {
            assertNull(Select.select(Select.receive(closed)));
            assertEquals(Received.closed(), Select.select(Select.receiveOk(closed)));
            assertEquals("closed", Select.select(Select.receiveOk(closed).map(r -> r.ok() ? "value" : "closed"),
                    Select.receive(never).map(v -> "never")));
        }
    }

    @Test
    void aSendCaseOnAClosedChannelThrowsWhenChosen() {
        Channel<Integer> closed = Channel.make(1);
        closed.close();
        Channel<Integer> never = Channel.make();
        ChannelClosedException e = assertThrows(ChannelClosedException.class,
                () -> Select.select(Select.send(closed, 7), Select.receive(never)));
        assertEquals("send on closed channel", e.getMessage());
        assertThrows(ChannelClosedException.class, () -> Select.select(Select.send(closed, 7)));
        assertThrows(ChannelClosedException.class, () -> Select.select(Select.send(closed, 7), Select.defaultCase()));
    }

    @Test
    void aBlockedSendCaseFailsWhenItsChannelIsClosed() throws Exception {
        Channel<Integer> c = Channel.make();
        Channel<Integer> d = Channel.make();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> {
                ChannelClosedException e = assertThrows(ChannelClosedException.class,
                        () -> Select.select(Select.send(c, 1), Select.receive(d)));
                assertEquals("send on closed channel", e.getMessage());
            });
            awaitBlocked(g, WaitReason.SELECT);
            c.close();
        }
        assertEquals(0, d.waitingReceivers());
    }

    @Test
    void aBlockedReceiveCaseSeesItsChannelClosed() throws Exception {
        Channel<Integer> c = Channel.make();
        Channel<Integer> d = Channel.make();
        AtomicReference<Received<Integer>> got = new AtomicReference<>();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> got.set(Select.select(Select.receiveOk(c), Select.receiveOk(d))));
            awaitBlocked(g, WaitReason.SELECT);
            c.close();
        }
        assertEquals(Received.closed(), got.get());
        assertEquals(0, d.waitingReceivers());
    }

    // ---------------------------------------------------------------- one case fires, exactly once

    @Test
    void aSelectNeverMatchesItsOwnSendWithItsOwnReceive() throws Exception {
        // select3.go: "select should not get confused if it sees itself"
        Channel<Integer> c = Channel.make();
        AtomicReference<String> fired = new AtomicReference<>();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> fired.set(Select.select(Select.send(c, 1).map(x -> "sent"),
                    Select.receive(c).map(v -> "received " + v))));
            awaitBlocked(g, WaitReason.SELECT);
            assertNull(fired.get());
            assertEquals(1, c.receive(), "the select's send case should pair with our receive");
        }
        assertEquals("sent", fired.get());
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 10})
    void goroutinesSelectingSendAndReceiveOnOneChannelNeverReceiveTheirOwnValue(int cap) throws Exception {
        // TestSelfSelect
        Channel<Integer> c = Channel.make(cap);
        try (Spawner s = new Spawner()) {
            for (int p = 0; p < 2; p++) {
                int me = p;
                s.go(() -> {
                    for (int i = 0; i < 2000; i++) {
                        Consumer<Integer> check = v -> {
                            if (cap == 0 && v == me) {
                                throw new AssertionError("self receive");
                            }
                        };
                        if (me == 0 || i % 2 == 0) {
                            Select.select(Select.send(c, me), Select.receive(c, check));
                        } else {
                            Select.select(Select.receive(c, check), Select.send(c, me));
                        }
                    }
                });
            }
        }
    }

    @Test
    void exactlyOneCaseOfASelectFiresEvenWhenSeveralPeersArriveAtOnce() throws Exception {
        // doubleselect.go: if two cases ran, a value would arrive twice
        int n = 20_000;
        Channel<Integer> c1 = Channel.make();
        Channel<Integer> c2 = Channel.make();
        Channel<Integer> c3 = Channel.make();
        Channel<Integer> c4 = Channel.make();
        Channel<Integer> cmux = Channel.make();
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                for (int i = 0; i < n; i++) {
                    Select.select(Select.send(c1, i), Select.send(c2, i), Select.send(c3, i), Select.send(c4, i));
                }
                c1.close();
                c2.close();
                c3.close();
                c4.close();
            });
            AtomicInteger muxes = new AtomicInteger(4);
            for (Channel<Integer> in : List.of(c1, c2, c3, c4)) {
                s.go(() -> {
                    for (int v : in) {
                        cmux.send(v);
                    }
                    if (muxes.decrementAndGet() == 0) {
                        cmux.close();
                    }
                });
            }
            Set<Integer> seen = new HashSet<>();
            for (int v : cmux) {
                assertTrue(seen.add(v), "got duplicate value " + v);
            }
            assertEquals(n, seen.size());
        }
    }

    @Test
    void readyCasesAreChosenUniformlyAtRandom() throws Exception {
        // TestSelectFairness: c1 and c2 always ready, c3 and c4 never
        int trials = 10_000;
        Channel<Integer> c1 = Channel.make(trials + 1);
        Channel<Integer> c2 = Channel.make(trials + 1);
        for (int i = 0; i < trials + 1; i++) {
            c1.send(1);
            c2.send(2);
        }
        Channel<Integer> c3 = Channel.make();
        Channel<Integer> c4 = Channel.make();
        Channel<Integer> out = Channel.make();
        Channel<Boolean> done = Channel.make();
        int cnt1 = 0;
        int cnt2 = 0;
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                for (;;) {
                    int b = Select.select(Select.receive(c3), Select.receive(c4), Select.receive(c1), Select.receive(c2));
                    boolean stop = Select.select(Select.send(out, b).map(x -> false), Select.receive(done).map(x -> true));
                    if (stop) {
                        return;
                    }
                }
            });
            for (int i = 0; i < trials; i++) {
                switch (out.receive()) {
                    case 1 -> cnt1++;
                    case 2 -> cnt2++;
                    default -> throw new AssertionError("unexpected value");
                }
            }
            done.close();
        }
        double r = (double) cnt1 / trials;
        double sigma = Math.sqrt(0.25 / trials);
        assertTrue(Math.abs(r - 0.5) < 6 * sigma, "unfair: cnt1=" + cnt1 + " cnt2=" + cnt2);
    }

    @Test
    void noCaseIsFavouredByItsPosition() {
        // jox and Kotlin pick the first ready clause; Go picks uniformly. Four always-ready cases.
        int trials = 8_000;
        List<Channel<Integer>> chans = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            Channel<Integer> c = Channel.make(trials);
            for (int i = 0; i < trials; i++) {
                c.send(k);
            }
            chans.add(c);
        }
        List<Select.Case<Integer>> cases = chans.stream().map(Select::receive).toList();
        int[] counts = new int[4];
        for (int i = 0; i < trials; i++) {
            counts[Select.select(cases)]++;
        }
        double mean = trials / 4.0;
        double sigma = Math.sqrt(trials * 0.25 * 0.75);
        for (int k = 0; k < 4; k++) {
            assertTrue(Math.abs(counts[k] - mean) < 6 * sigma, "case " + k + " chosen " + counts[k] + " times of "
                    + trials + ": " + java.util.Arrays.toString(counts));
        }
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 100})
    void aSelectOfTwoSendsToOneChannelUsesBothCases(int cap) throws Exception {
        // TestPseudoRandomSend
        int n = 100;
        Channel<Integer> c = Channel.make(cap);
        int[] l = new int[n];
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                for (int i = 0; i < n; i++) {
                    Go.yield();
                    l[i] = c.receive();
                }
            });
            for (int i = 0; i < n; i++) {
                Select.select(Select.send(c, 1), Select.send(c, 0));
            }
        }
        int ones = 0;
        for (int v : l) {
            ones += v;
        }
        int zeros = n - ones;
        assertTrue(zeros > n / 10 && ones > n / 10, "want pseudorandom, got " + zeros + " zeros and " + ones + " ones");
    }

    @Test
    void aSelectThatLostOnAChannelDoesNotStrandTheWaitersBehindIt() throws Exception {
        // select6.go (Go issue 2075): a failed case corrupted the queue of waiters behind it
        Channel<Boolean> c1 = Channel.make();
        Channel<Boolean> c2 = Channel.make();
        Channel<Boolean> c3 = Channel.make();
        try (Spawner s = new Spawner()) {
            Goroutine first = s.go(c1::receive);
            awaitBlocked(first, WaitReason.CHAN_RECEIVE);
            Goroutine selector = s.go(() -> {
                Select.select(
                        Select.receive(c1, v -> { throw new AssertionError("dummy"); }),
                        Select.receive(c2, v -> c3.send(true)));
                c1.receive();
            });
            awaitBlocked(selector, WaitReason.SELECT);
            s.go(() -> c2.send(true));
            c3.receive();
            c1.send(true);
            c1.send(true);
        }
    }

    @Test
    void aSelectWaitingTwiceOnOneChannelLeavesTheQueueIntact() throws Exception {
        // TestSelectDuplicateChannel
        Channel<Integer> c = Channel.make();
        Channel<Integer> d = Channel.make();
        Channel<Integer> e = Channel.make();
        try (Spawner s = new Spawner()) {
            Goroutine a = s.go(() -> {
                Select.select(Select.receive(c), Select.receive(c), Select.receive(d));
                e.send(9);
            });
            awaitBlocked(a, WaitReason.SELECT); // A is queued on c (twice) first
            Goroutine b = s.go(c::receive);
            awaitBlocked(b, WaitReason.CHAN_RECEIVE); // then B
            d.send(7); // wakes A, which withdraws from c
            assertEquals(9, e.receive());
            c.send(8); // must wake B, not the departed A
        }
    }

    @Test
    void aSelectWithTheSameChannelInSeveralCasesLocksItOnce() {
        Channel<Integer> c = Channel.make(1);
        c.send(5);
        // a value is buffered and the buffer is full: only the receive cases are ready
        assertEquals(5, Select.select(Select.receive(c), Select.receive(c), Select.send(c, 6).map(x -> -1)));
        // now there is room and no value: only the send case is ready
        assertEquals(-1, Select.select(Select.receive(c), Select.receive(c), Select.send(c, 6).map(x -> -1)));
        assertEquals(6, c.receive());
    }

    @Test
    void everyFormOfReceiveMeetsEveryFormOfSend() throws Exception {
        // select7.go: plain, single-case select and two-case select, on each side, in both orders
        List<Consumer<Channel<Integer>>> recvs = List.of(
                Channel::receive,
                c -> Select.select(Select.receive(c)),
                c -> Select.select(Select.receive(c), Select.receive(Channel.<Integer>make())));
        List<Consumer<Channel<Integer>>> sends = List.of(
                c -> c.send(1),
                c -> Select.select(Select.send(c, 1)),
                c -> Select.select(Select.send(c, 1), Select.send(Channel.<Integer>make(), 1)));
        try (Spawner s = new Spawner()) {
            for (Consumer<Channel<Integer>> recv : recvs) {
                for (Consumer<Channel<Integer>> send : sends) {
                    Channel<Integer> c = Channel.make();
                    Goroutine g = s.go(() -> recv.accept(c));
                    await("the receiver is parked", () -> g.waitReason() != null);
                    send.accept(c);
                    assertTrue(g.join(Spawner.TIMEOUT));

                    Channel<Integer> d = Channel.make();
                    Goroutine h = s.go(() -> send.accept(d));
                    await("the sender is parked", () -> h.waitReason() != null);
                    recv.accept(d);
                    assertTrue(h.join(Spawner.TIMEOUT));
                }
            }
        }
    }

    @Test
    void aNonBlockingSelectActsOnOneInstantOfItsChannels() throws Exception {
        // TestNonblockSelectRace: from the goroutine's start, c1 or c2 is always ready
        Channel<Boolean> done = Channel.make(1);
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < 10_000; i++) {
                Channel<Integer> c1 = Channel.make(1);
                Channel<Integer> c2 = Channel.make(1);
                c1.send(1);
                s.go(() -> done.send(Select.select(Select.receive(c1).map(v -> true), Select.receive(c2).map(v -> true),
                        Select.defaultCase().map(x -> false))));
                c2.send(1);
                Select.select(Select.receive(c1), Select.defaultCase());
                assertTrue(done.receive(), "no chan is ready");
            }
        }
    }

    @Test
    void aNonBlockingSelectActsOnOneInstantEvenWhenAChannelIsClosed() throws Exception {
        // TestNonblockSelectRace2: close(c2) replaces c2 <- 1
        Channel<Boolean> done = Channel.make(1);
        try (Spawner s = new Spawner()) {
            for (int i = 0; i < 10_000; i++) {
                Channel<Integer> c1 = Channel.make(1);
                Channel<Integer> c2 = Channel.make();
                c1.send(1);
                s.go(() -> done.send(Select.select(Select.receive(c1).map(v -> true), Select.receive(c2).map(v -> true),
                        Select.defaultCase().map(x -> false))));
                c2.close();
                Select.select(Select.receive(c1), Select.defaultCase());
                assertTrue(done.receive(), "no chan is ready");
            }
        }
    }

    @Test
    void waitersOfSelectsThatFiredElsewhereAreWithdrawnFromTheirChannels() throws Exception {
        // select2.go checks that a select in a loop does not leak; here: the losing waiters are unlinked
        Channel<Integer> a = Channel.make();
        Channel<Integer> b = Channel.make();
        int n = 20_000;
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                for (int i = 0; i < n; i++) {
                    b.send(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(i, Select.select(Select.receive(a), Select.receive(b)));
            }
        }
        assertEquals(0, a.waitingReceivers(), "dead select waiters piled up on the channel that never fired");
        assertEquals(0, b.waitingReceivers());
        assertEquals(0, b.waitingSenders());
    }

    @Test
    void selectsOverSharedChannelsUnderChaosNeitherDeadlockNorLoseValues() throws Exception {
        // TestSelectStress: plain senders/receivers on each channel plus one select sender and one select receiver
        int n = 10_000;
        List<Channel<Integer>> c = List.of(Channel.make(), Channel.make(), Channel.make(2), Channel.make(3));
        try (Spawner s = new Spawner()) {
            for (int k = 0; k < 4; k++) {
                Channel<Integer> ch = c.get(k);
                s.go(() -> {
                    for (int i = 0; i < n; i++) {
                        ch.send(0);
                    }
                });
                s.go(() -> {
                    for (int i = 0; i < n; i++) {
                        ch.receive();
                    }
                });
            }
            s.go(() -> {
                int[] count = new int[4];
                List<Channel<Integer>> c1 = new ArrayList<>(c);
                for (int i = 0; i < 4 * n; i++) {
                    List<Select.Case<Integer>> cases = new ArrayList<>();
                    for (int k : new int[] {3, 2, 0, 1}) {
                        int kk = k;
                        cases.add(Select.send(c1.get(k), 0).map(x -> kk));
                    }
                    int k = Select.select(cases);
                    if (++count[k] == n) {
                        c1.set(k, null);
                    }
                }
            });
            s.go(() -> {
                int[] count = new int[4];
                List<Channel<Integer>> c1 = new ArrayList<>(c);
                for (int i = 0; i < 4 * n; i++) {
                    List<Select.Case<Integer>> cases = new ArrayList<>();
                    for (int k = 0; k < 4; k++) {
                        int kk = k;
                        cases.add(Select.receive(c1.get(k)).map(x -> kk));
                    }
                    int k = Select.select(cases);
                    if (++count[k] == n) {
                        c1.set(k, null);
                    }
                }
            });
        }
    }

    // ---------------------------------------------------------------- timeouts

    @Test
    void theTimeoutFiresWhenNoCaseBecomesReady() {
        Channel<Integer> c = Channel.make();
        long t0 = System.nanoTime();
        String r = Select.select(Select.receive(c).map(v -> "value"), Select.timeout(Duration.ofMillis(20)).map(x -> "timeout"));
        long elapsed = System.nanoTime() - t0;
        assertEquals("timeout", r);
        assertTrue(elapsed >= Duration.ofMillis(20).toNanos(), "timed out early, after " + elapsed + " ns");
        assertEquals(0, c.waitingReceivers(), "the timed-out select left its waiter behind");
    }

    @Test
    void aCaseThatBecomesReadyBeforeTheTimeoutWins() throws Exception {
        Channel<Integer> c = Channel.make();
        AtomicReference<Object> got = new AtomicReference<>();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> got.set(Select.select(Select.receive(c),
                    Select.timeout(Duration.ofMinutes(1)).map(x -> "timeout"))));
            awaitBlocked(g, WaitReason.SELECT);
            c.send(3);
        }
        assertEquals(3, got.get());
    }

    @Test
    void aReadyCaseWinsOverATimeoutThatHasAlreadyPassed() {
        Channel<Integer> c = Channel.make(1);
        c.send(1);
        assertEquals(1, Select.select(Select.receive(c), Select.timeout(Duration.ZERO).map(x -> -1)));
        assertEquals(-1, Select.select(Select.receive(c), Select.timeout(Duration.ofNanos(-5)).map(x -> -1)));
    }

    @Test
    void theEarliestOfSeveralTimeoutsFires() {
        String r = Select.select(Select.timeout(Duration.ofMinutes(5)).map(x -> "late"),
                Select.timeout(Duration.ofMillis(1)).map(x -> "early"),
                Select.receive(Channel.<Integer>make()).map(v -> "value"));
        assertEquals("early", r);
        assertEquals("alone", Select.select(Select.timeout(Duration.ofMillis(1)).map(x -> "alone")));
    }

    @Test
    void aSelectWaitingForATimeoutShowsWaitReasonSelect() throws Exception {
        Channel<Integer> c = Channel.make();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> Select.select(Select.receive(c), Select.timeout(Duration.ofMinutes(1))));
            awaitBlocked(g, WaitReason.SELECT);
            c.send(1);
        }
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1})
    void aValueRacingATimeoutIsDeliveredExactlyOnceInOrder(int cap) throws Exception {
        // Both sides time out constantly; a value that a waker took out for a select whose deadline
        // passed meanwhile must still reach it, and a send that timed out must not have happened.
        int n = 20_000;
        Channel<Integer> c = Channel.make(cap);
        List<Integer> got = new ArrayList<>(n);
        try (Spawner s = new Spawner()) {
            s.go(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < n;) {
                    boolean sent = Select.select(Select.send(c, i).map(x -> true),
                            Select.timeout(Duration.ofNanos(rnd.nextInt(20_000))).map(x -> false));
                    if (sent) {
                        i++;
                    }
                }
            });
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (got.size() < n) {
                Integer v = Select.select(Select.receive(c), Select.timeout(Duration.ofNanos(rnd.nextInt(20_000))).map(x -> null));
                if (v != null) {
                    got.add(v);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(i, got.get(i));
        }
        assertEquals(0, c.len());
        assertEquals(0, c.waitingReceivers());
        assertEquals(0, c.waitingSenders());
    }

    // ---------------------------------------------------------------- API

    @Test
    void theSelectReturnsTheResultOfTheCaseThatFired() {
        Channel<String> a = Channel.make(1);
        Channel<String> b = Channel.make(1);
        a.send("x");
        assertEquals("a: x", Select.select(Select.receive(a).map(v -> "a: " + v), Select.receive(b).map(v -> "b: " + v)));
        b.close();
        assertEquals("b closed", Select.select(Select.receiveOk(b).map(r -> r.ok() ? "b: " + r.value() : "b closed")));
        assertEquals(Received.of("y"), Select.select(Select.send(a, "y").map(x -> a.receiveOk())));
    }

    @Test
    void statementStyleCasesRunTheirActions() {
        Channel<Integer> c = Channel.make(1);
        Channel<Integer> never = Channel.make();
        List<String> log = new ArrayList<>();
        Select.select(Select.send(c, 1, () -> log.add("sent")), Select.receive(never, v -> log.add("never")));
        Select.select(Select.receive(c, v -> log.add("got " + v)), Select.receive(never, v -> log.add("never")));
        Select.select(Select.receive(never, v -> log.add("never")), Select.defaultCase(() -> log.add("default")));
        Select.select(Select.receive(never, v -> log.add("never")), Select.timeout(Duration.ZERO, () -> log.add("timeout")));
        c.close();
        Select.select(Select.receiveOk(c, r -> log.add("ok=" + r.ok())), Select.receive(never, v -> log.add("never")));
        assertEquals(List.of("sent", "got 1", "default", "timeout", "ok=false"), log);
    }

    @Test
    void caseActionsRunAfterTheSelectHasReleasedItsChannels() {
        Channel<Integer> c = Channel.make(2);
        c.send(1);
        Channel<Integer> other = Channel.make();
        // the action uses the same channels, including through another select
        Select.select(Select.receive(c, v -> {
            c.send(v + 1);
            Select.select(Select.send(c, v + 2), Select.receive(other));
        }), Select.receive(other));
        assertEquals(2, c.receive());
        assertEquals(3, c.receive());
    }

    @Test
    void casesCanBeBuiltOnceAndReused() {
        Channel<Integer> a = Channel.make(100);
        Channel<Integer> b = Channel.make(100);
        Select.Case<Integer> fromA = Select.receive(a);
        Select.Case<Integer> fromB = Select.receive(b);
        Select.Case<Void> toA = Select.send(a, 7);
        for (int i = 0; i < 50; i++) {
            Select.select(toA);
            b.send(8);
        }
        int sum = 0;
        for (int i = 0; i < 100; i++) {
            sum += Select.select(fromA, fromB);
        }
        assertEquals(50 * 7 + 50 * 8, sum);
    }

    @Test
    void aSelectOverManyChannelsFindsTheOneThatIsReady() {
        List<Channel<Integer>> chans = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            chans.add(Channel.make(1));
        }
        for (int round = 0; round < 20; round++) {
            int k = ThreadLocalRandom.current().nextInt(100);
            chans.get(k).send(k);
            List<Select.Case<Integer>> cases = new ArrayList<>();
            for (Channel<Integer> ch : chans) {
                cases.add(Select.receive(ch));
            }
            assertEquals(k, Select.select(cases));
        }
    }

    @Test
    void misuseIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Select.select(Select.defaultCase(), Select.defaultCase()));
        assertTrue(e.getMessage().contains("multiple defaults"), e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> Select.select(Select.receive(Channel.make()), null));
        assertTrue(npe.getMessage().contains("nil channel"), npe.getMessage());
    }

    @Test
    void aBlockedSelectIgnoresInterruptsAndKeepsTheStatus() throws Exception {
        Channel<Integer> a = Channel.make();
        Channel<Integer> b = Channel.make();
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicReference<Thread> thread = new AtomicReference<>();
        AtomicReference<Integer> got = new AtomicReference<>();
        try (Spawner s = new Spawner()) {
            Goroutine g = s.go(() -> {
                thread.set(Thread.currentThread());
                got.set(Select.select(Select.receive(a), Select.receive(b)));
                interrupted.set(Thread.currentThread().isInterrupted());
            });
            awaitBlocked(g, WaitReason.SELECT);
            thread.get().interrupt();
            awaitBlocked(g, WaitReason.SELECT);
            assertFalse(got.get() != null);
            b.send(2);
        }
        assertEquals(2, got.get());
        assertTrue(interrupted.get());
    }
}
