package dev.gonode.runtime.chan;

import static dev.gonode.runtime.chan.Spawner.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values under contention and lost races: every value sent through selects that compete with each
 * other, with plain operations and with their own timeouts is received exactly once; a value
 * offered to a select that has already fired elsewhere goes to the next waiter; non-blocking
 * operations succeed exactly when a partner or the buffer allows (Go's {@code test/chan/nonblock.go}).
 * If a select swallowed a value (the classic bug: a handoff to a waiter whose select already
 * completed), a count below would be 0 where 1 is expected, or a goroutine would stay blocked and
 * the join would fail with its wait reason.
 */
class ChannelStressTest {

    private static final int VALUES_PER_PRODUCER = 2_000;

    @ParameterizedTest(name = "{0} goroutines")
    @ValueSource(ints = {2, 8, 64})
    void everyValueThroughContendedSelectsIsReceivedExactlyOnce(int goroutines) throws Exception {
        int producers = goroutines / 2;
        int consumers = goroutines - producers;
        int total = producers * VALUES_PER_PRODUCER;
        // One of each kind: a rendezvous, a buffer of one (always nearly full), a roomy buffer.
        List<Channel<Integer>> channels = List.of(Channel.make(), Channel.make(1), Channel.make(16));
        Channel<Boolean> producersDone = Channel.make();
        AtomicIntegerArray receivedCount = new AtomicIntegerArray(total);
        try (Spawner s = new Spawner()) {
            List<Goroutine> producerGoroutines = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int first = p * VALUES_PER_PRODUCER;
                producerGoroutines.add(s.go(() -> {
                    for (int i = first; i < first + VALUES_PER_PRODUCER; i++) {
                        sendThroughSelect(channels, i);
                    }
                }));
            }
            for (int c = 0; c < consumers; c++) {
                s.go(() -> receiveUntilDone(channels, producersDone, receivedCount));
            }
            for (Goroutine g : producerGoroutines) {
                assertTrue(g.join(Spawner.TIMEOUT), "producer " + g.id() + " is stuck: " + g.waitReason());
            }
            s.throwFailures();
            producersDone.close();
        }
        for (int v = 0; v < total; v++) {
            assertEquals(1, receivedCount.get(v), "value " + v + " was received " + receivedCount.get(v) + " times");
        }
    }

    /**
     * Sends {@code value} with a select over every channel; one select in four also has a short
     * timeout, and on a timeout the same value is offered again, so selects keep losing races to
     * timers as well as to each other.
     */
    private static void sendThroughSelect(List<Channel<Integer>> channels, int value) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (;;) {
            List<Select.Case<Boolean>> cases = new ArrayList<>();
            for (Channel<Integer> ch : channels) {
                cases.add(Select.send(ch, value).map(x -> true));
            }
            if (rnd.nextInt(4) == 0) {
                cases.add(Select.timeout(Duration.ofNanos(rnd.nextInt(50_000))).map(x -> false));
            }
            if (Select.select(cases)) {
                return;
            }
        }
    }

    /**
     * Receives with a select over every channel, plain receives now and then, and a short timeout in
     * one select in four, until the producers are done; then drains what the buffers still hold.
     */
    private static void receiveUntilDone(List<Channel<Integer>> channels, Channel<Boolean> producersDone,
                                         AtomicIntegerArray receivedCount) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (;;) {
            List<Select.Case<Integer>> cases = new ArrayList<>();
            for (Channel<Integer> ch : channels) {
                cases.add(Select.receive(ch));
            }
            cases.add(Select.receive(producersDone).map(x -> -1));
            if (rnd.nextInt(4) == 0) {
                cases.add(Select.timeout(Duration.ofNanos(rnd.nextInt(50_000))).map(x -> -2));
            }
            int v = Select.select(cases);
            if (v == -1) {
                break;
            }
            if (v >= 0) {
                receivedCount.incrementAndGet(v);
            }
        }
        // Every producer has finished, so nothing is in flight any more: only buffered values remain.
        for (Channel<Integer> ch : channels) {
            for (Received<Integer> r; (r = ch.tryReceive()) != null;) {
                receivedCount.incrementAndGet(r.value());
            }
        }
    }

    @ParameterizedTest(name = "{0}, GOMAXPROCS {1}")
    @CsvSource({"receive, 1", "receive, 2", "send, 1", "send, 2"})
    void aValueOfferedToASelectThatFiredElsewhereGoesToTheNextWaiter(String side, int gomaxprocs) throws Exception {
        // The select waits on `shared` and `other`; a plain goroutine queues on `shared` behind it.
        // `other` makes the select fire, and at once (racing the select's withdrawal from `shared`)
        // `shared` is used: its partner must be the plain goroutine, whose value or slot must not
        // vanish into the departed select.
        try (Spawner s = new Spawner(gomaxprocs)) {
            for (int round = 0; round < 200; round++) {
                Channel<Integer> shared = Channel.make();
                Channel<Integer> other = Channel.make();
                AtomicReference<String> selectOutcome = new AtomicReference<>();
                AtomicReference<Integer> plainReceived = new AtomicReference<>();
                Goroutine selector;
                Goroutine plain;
                if (side.equals("receive")) {
                    selector = s.go(() -> selectOutcome.set(Select.select(
                            Select.receive(shared).map(v -> "shared " + v),
                            Select.receive(other).map(v -> "other " + v))));
                    awaitBlocked(selector, WaitReason.SELECT);
                    plain = s.go(() -> plainReceived.set(shared.receive()));
                    awaitBlocked(plain, WaitReason.CHAN_RECEIVE);
                    other.send(1);
                    shared.send(2);
                } else {
                    selector = s.go(() -> selectOutcome.set(Select.select(
                            Select.send(shared, 10).map(x -> "shared"),
                            Select.send(other, 11).map(x -> "other"))));
                    awaitBlocked(selector, WaitReason.SELECT);
                    plain = s.go(() -> shared.send(20));
                    awaitBlocked(plain, WaitReason.CHAN_SEND);
                    assertEquals(11, other.receive());
                    plainReceived.set(shared.receive());
                }
                assertTrue(selector.join(Spawner.TIMEOUT) && plain.join(Spawner.TIMEOUT),
                        "round " + round + ": the select is " + selector.waitReason() + ", the plain goroutine "
                                + plain.waitReason());
                s.throwFailures();
                assertEquals(side.equals("receive") ? "other 1" : "other", selectOutcome.get(), "round " + round);
                assertEquals(side.equals("receive") ? 2 : 20, plainReceived.get(), "round " + round);
                assertEquals(0, shared.waitingReceivers() + shared.waitingSenders(), "round " + round);
            }
        }
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 1, 8})
    void nonBlockingOperationsSucceedExactlyWhenAPartnerWaitsOrTheBufferAllows(int cap) throws Exception {
        // nonblock.go: try-operations never block, and succeed once a partner is blocked
        Channel<Integer> c = Channel.make(cap);
        for (int i = 0; i < cap; i++) {
            assertTrue(c.trySend(i), "room for value " + i + " in a buffer of " + cap);
        }
        assertFalse(c.trySend(-1), "a full channel (or an unbuffered one with no receiver) takes nothing");
        for (int i = 0; i < cap; i++) {
            assertEquals(i, c.tryReceive().value());
        }
        assertNull(c.tryReceive(), "an empty channel with no sender gives nothing");
        try (Spawner s = new Spawner()) {
            // A blocked receiver makes a non-blocking send succeed: the value goes to it.
            AtomicReference<Integer> got = new AtomicReference<>();
            Goroutine receiver = s.go(() -> got.set(c.receive()));
            awaitBlocked(receiver, WaitReason.CHAN_RECEIVE);
            assertTrue(c.trySend(42));
            assertTrue(receiver.join(Spawner.TIMEOUT));
            assertEquals(42, got.get());
            // A blocked sender (on a full buffer, or any sender when unbuffered) makes a
            // non-blocking receive succeed, in FIFO order.
            for (int i = 0; i < cap; i++) {
                assertTrue(c.trySend(100 + i));
            }
            Goroutine sender = s.go(() -> c.send(7));
            awaitBlocked(sender, WaitReason.CHAN_SEND);
            for (int i = 0; i < cap; i++) {
                assertEquals(100 + i, c.tryReceive().value());
            }
            assertEquals(7, c.tryReceive().value());
            assertTrue(sender.join(Spawner.TIMEOUT));
            assertNull(c.tryReceive());
        }
    }
}
