package dev.gonode.examples.pubsub;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.chan.Select;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A topic-based broker whose state belongs to a single goroutine (an active object). Publishing
 * never waits for subscribers: a message that does not fit in a subscriber's buffer is dropped for
 * that subscriber and counted.
 *
 * <pre>{@code
 * Broker<ReturnCreated> broker = Broker.start();
 * Broker.Subscription<ReturnCreated> warehouse = broker.subscribe("returns", 64);
 * Go.go(() -> { for (ReturnCreated r : warehouse.messages()) expectParcel(r); });
 * broker.publish("returns", new ReturnCreated(orderId));
 * ...
 * broker.close();                                      // ends every subscriber's loop
 * log.info("warehouse missed {} returns", warehouse.dropped());
 * }</pre>
 *
 * @param <T> the message type
 */
public final class Broker<T> {

    /** One subscriber's channel, and how many messages it missed because its buffer was full. */
    public static final class Subscription<T> {
        private final String topic;
        private final Channel<T> messages;
        private final AtomicLong dropped = new AtomicLong();
        private final Broker<T> broker;

        private Subscription(String topic, int buffer, Broker<T> broker) {
            this.topic = topic;
            this.messages = Channel.make(buffer);
            this.broker = broker;
        }

        /** The messages of the topic, in publishing order; closed when this subscription ends. */
        public ReceiveChannel<T> messages() {
            return messages;
        }

        /** How many messages were dropped because the buffer was full when they were published. */
        public long dropped() {
            return dropped.get();
        }

        /** Ends this subscription: nothing more is delivered, and {@link #messages()} ends after the messages it holds. */
        public void cancel() {
            Select.select(
                    Select.send(broker.unsubscribes, this),
                    Select.receive(broker.quit)); // a closing broker ends every subscription anyway
        }
    }

    private record Message<T>(String topic, T payload) {
    }

    // The loop's request queues (Go's activation queues). Unbuffered: a request returns once the
    // loop has taken it.
    private final Channel<Message<T>> publishes = Channel.make();
    private final Channel<Subscription<T>> subscribes = Channel.make();
    private final Channel<Subscription<T>> unsubscribes = Channel.make();
    private final Channel<Object> quit = Channel.make();       // closed by close()
    private final Channel<Object> stopped = Channel.make();    // closed by the loop when it ends
    private final AtomicBoolean closing = new AtomicBoolean();

    private Broker() {
    }

    /** Starts a broker and its goroutine. */
    public static <T> Broker<T> start() {
        Broker<T> broker = new Broker<>();
        Go.go("pubsub-broker", broker::loop);
        return broker;
    }

    /**
     * Subscribes to {@code topic} with a buffer of {@code buffer} messages: the slack this
     * subscriber has before it starts losing messages.
     *
     * @throws IllegalArgumentException if {@code buffer < 1}
     * @throws IllegalStateException    if the broker is closed
     */
    public Subscription<T> subscribe(String topic, int buffer) {
        if (buffer < 1) {
            throw new IllegalArgumentException("a subscription needs a buffer of at least 1 message, got " + buffer);
        }
        Subscription<T> s = new Subscription<>(topic, buffer, this);
        boolean subscribed = Select.select(
                Select.send(subscribes, s).map(sent -> true),
                Select.receive(quit).map(closed -> false));
        if (!subscribed) {
            throw new IllegalStateException("cannot subscribe to '" + topic + "': the broker is closed");
        }
        return s;
    }

    /**
     * Hands {@code payload} to the broker for every current subscriber of {@code topic}; never
     * waits for a subscriber. Returns {@code false}, publishing nothing, once the broker has
     * stopped (a publish racing with {@link #close()} may go either way, as in a Go select).
     */
    public boolean publish(String topic, T payload) {
        return Select.select(
                Select.send(publishes, new Message<>(topic, payload)).map(sent -> true),
                Select.receive(quit).map(closed -> false));
    }

    /**
     * Stops the broker: waits for it to finish the message in hand, then closes every
     * subscriber's channel. Later calls return at once.
     */
    public void close() {
        if (closing.compareAndSet(false, true)) {
            quit.close();
        }
        stopped.receive();
    }

    private void loop() {
        Map<String, List<Subscription<T>>> subscribers = new HashMap<>();
        boolean running = true;
        while (running) {
            running = Select.select(
                    Select.receive(publishes).map(m -> {
                        deliver(m, subscribers.getOrDefault(m.topic(), List.of()));
                        return true;
                    }),
                    Select.receive(subscribes).map(s -> {
                        subscribers.computeIfAbsent(s.topic, t -> new ArrayList<>()).add(s);
                        return true;
                    }),
                    Select.receive(unsubscribes).map(s -> {
                        List<Subscription<T>> ofTopic = subscribers.get(s.topic);
                        if (ofTopic != null && ofTopic.remove(s)) {
                            s.messages.close();
                        }
                        return true;
                    }),
                    Select.receive(quit).map(closed -> false));
        }
        subscribers.values().forEach(list -> list.forEach(s -> s.messages.close()));
        stopped.close();
    }

    private static <T> void deliver(Message<T> m, List<Subscription<T>> to) {
        for (Subscription<T> s : to) {
            if (!s.messages.trySend(m.payload())) {
                s.dropped.incrementAndGet();
            }
        }
    }
}
