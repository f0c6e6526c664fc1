package dev.gonode.bench.chan;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;

/**
 * The three implementations the channel benchmarks compare, behind one small interface so that
 * each workload is written once: gonode channels on gonode goroutines, jox channels on JDK virtual
 * threads, and JDK blocking queues ({@link SynchronousQueue} for capacity 0,
 * {@link ArrayBlockingQueue} otherwise) on JDK virtual threads. JMH runs each implementation in
 * its own fork, so every call site below sees one class and is inlined.
 */
enum Impl {
    GONODE {
        @Override
        void start(Runnable body) {
            Go.go(body);
        }

        @Override
        Lane lane(int capacity) {
            Channel<Integer> ch = Channel.make(capacity);
            return new Lane() {
                @Override
                void send(Integer v) {
                    ch.send(v);
                }

                @Override
                Integer receive() {
                    return ch.receive();
                }

                @Override
                void closeForReceivers(int receivers) {
                    ch.close();
                }
            };
        }
    },
    JOX {
        @Override
        void start(Runnable body) {
            Thread.ofVirtual().start(body);
        }

        @Override
        Lane lane(int capacity) {
            com.softwaremill.jox.Channel<Integer> ch = capacity == 0
                    ? com.softwaremill.jox.Channel.newRendezvousChannel()
                    : com.softwaremill.jox.Channel.newBufferedChannel(capacity);
            return new Lane() {
                @Override
                void send(Integer v) {
                    try {
                        ch.send(v);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                Integer receive() {
                    try {
                        Object r = ch.receiveOrClosed();
                        return r instanceof Integer i ? i : null;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                void closeForReceivers(int receivers) {
                    ch.done();
                }
            };
        }
    },
    JDK {
        /** What a receiver of a JDK queue takes as "closed" (queues cannot be closed). */
        private static final Integer POISON = -1_000_000;

        @Override
        void start(Runnable body) {
            Thread.ofVirtual().start(body);
        }

        @Override
        Lane lane(int capacity) {
            BlockingQueue<Integer> q = capacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(capacity);
            return new Lane() {
                @Override
                void send(Integer v) {
                    try {
                        q.put(v);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                Integer receive() {
                    try {
                        Integer v = q.take();
                        return v == POISON ? null : v;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                void closeForReceivers(int receivers) {
                    for (int i = 0; i < receivers; i++) {
                        send(POISON);
                    }
                }
            };
        }
    };

    /** Starts {@code body} on this implementation's kind of thread (goroutine or virtual thread). */
    abstract void start(Runnable body);

    /** A new channel (or queue) of {@code capacity} (0: unbuffered / SynchronousQueue). */
    abstract Lane lane(int capacity);

    static Impl of(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    /** GOMAXPROCS for gonode, the virtual-thread scheduler's parallelism for the others. */
    int parallelism() {
        String key = this == GONODE ? "gonode.gomaxprocs" : "jdk.virtualThreadScheduler.parallelism";
        return Integer.getInteger(key, Runtime.getRuntime().availableProcessors());
    }

    /** A channel of boxed ints; values are taken from Integer's cache so sending allocates nothing. */
    abstract static class Lane {
        abstract void send(Integer v);

        /** The next value, or {@code null} once the sender side has called {@link #closeForReceivers}. */
        abstract Integer receive();

        /**
         * Ends the stream for {@code receivers} receivers: close for channels, one poison value per
         * receiver for a JDK queue.
         */
        abstract void closeForReceivers(int receivers);
    }
}
