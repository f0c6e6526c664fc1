package dev.gonode.examples.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.leak.VerifyNoGoroutineLeaks;
import dev.gonode.runtime.sync.WaitGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every test closes its broker and also checks that the broker's goroutine is gone afterwards. */
@VerifyNoGoroutineLeaks
class BrokerTest {

    @Test
    void aSlowSubscriberLosesMessagesAndCountsThemWhileAFastOneGetsEverything() {
        Broker<Integer> broker = Broker.start();
        Broker.Subscription<Integer> fast = broker.subscribe("orders", 1);
        Broker.Subscription<Integer> slow = broker.subscribe("orders", 4);   // never read while publishing
        Broker.Subscription<Integer> otherTopic = broker.subscribe("returns", 1);

        for (int i = 1; i <= 100; i++) {
            assertTrue(broker.publish("orders", i));
            // The fast subscriber takes each message before the next is published, so its
            // one-message buffer always has room.
            assertEquals(i, fast.messages().receive());
        }
        broker.close();   // the loop finishes delivering message 100 before it stops

        assertEquals(0, fast.dropped());
        assertEquals(96, slow.dropped(), "messages 5..100 found the slow subscriber's buffer full");
        assertEquals(List.of(1, 2, 3, 4), drain(slow.messages()));
        assertEquals(List.of(), drain(otherTopic.messages()));
        assertEquals(0, otherTopic.dropped());
    }

    @Test
    void closingTheBrokerEndsEverySubscribersLoop() {
        Broker<String> broker = Broker.start();
        WaitGroup subscribers = new WaitGroup();
        List<List<String>> received = List.of(new ArrayList<>(), new ArrayList<>());
        for (List<String> inbox : received) {
            Broker.Subscription<String> s = broker.subscribe("return-created", 10);
            subscribers.go(() -> s.messages().forEach(inbox::add));
        }

        broker.publish("return-created", "order 1");
        broker.publish("return-created", "order 2");
        broker.close();
        subscribers.waitAll();   // returns only if close() closed every subscriber's channel

        assertEquals(List.of(List.of("order 1", "order 2"), List.of("order 1", "order 2")), received);
    }

    @Test
    void aCancelledSubscriptionIsClosedAndGetsNothingMore() {
        Broker<String> broker = Broker.start();
        Broker.Subscription<String> leaving = broker.subscribe("news", 8);
        Broker.Subscription<String> staying = broker.subscribe("news", 8);
        broker.publish("news", "before");

        leaving.cancel();
        broker.publish("news", "after");
        broker.close();

        assertEquals(List.of("before"), drain(leaving.messages()));
        assertEquals(List.of("before", "after"), drain(staying.messages()));
        assertEquals(0, leaving.dropped());
    }

    @Test
    void aClosedBrokerRefusesPublishersAndSubscribersInsteadOfBlockingThem() {
        Broker<String> broker = Broker.start();
        broker.close();
        broker.close();   // idempotent

        assertFalse(broker.publish("news", "late"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> broker.subscribe("news", 1));
        assertEquals("cannot subscribe to 'news': the broker is closed", e.getMessage());
    }

    @Test
    void aSubscriptionNeedsRoomForAtLeastOneMessage() {
        Broker<String> broker = Broker.start();
        try {
            assertThrows(IllegalArgumentException.class, () -> broker.subscribe("news", 0));
        } finally {
            broker.close();
        }
    }

    private static <T> List<T> drain(ReceiveChannel<T> ch) {
        List<T> values = new ArrayList<>();
        ch.forEach(values::add);   // ends only once the broker has closed the channel
        return values;
    }
}
