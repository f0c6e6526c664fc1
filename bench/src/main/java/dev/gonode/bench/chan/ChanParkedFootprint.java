package dev.gonode.bench.chan;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * W6 and close-1M: parks N goroutines (default 1,000,000) receiving on one channel and prints the
 * heap bytes each costs after full collections, then closes the channel and prints how long the
 * close call took, how long until every receiver had woken and finished, and the process CPU
 * spent, per receiver. Does the same with the close called from a goroutine instead of this plain
 * thread (the readied receivers then go to that goroutine's P rather than the global queue), for
 * a gonode channel on JDK virtual threads (to tell the channel's share from the scheduler's), and
 * for jox on JDK virtual threads, all in the same JVM. Run with the runtime's JVM options:
 * {@code java @bench/target/classes/gonode-jvm.options
 * -Xmx8g -cp bench/target/gonode-bench.jar dev.gonode.bench.chan.ChanParkedFootprint 1000000}.
 */
public final class ChanParkedFootprint {

    private ChanParkedFootprint() {
    }

    /** One channel under test: a receive that parks, and the close that wakes every receiver. */
    private interface Subject {
        void receive();

        void close();
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Go.gomaxprocs(); // start the runtime before measuring
        measure("gonode channel, goroutines, closed by this plain thread", n, Go::go, gonode(Channel.make()));
        measure("gonode channel, goroutines, closed by a goroutine", n, Go::go, closedByAGoroutine(gonode(Channel.make())));
        measure("gonode channel, JDK virtual threads", n, r -> Thread.ofVirtual().start(r), gonode(Channel.make()));
        com.softwaremill.jox.Channel<Integer> j = com.softwaremill.jox.Channel.newRendezvousChannel();
        measure("jox channel, JDK virtual threads", n, r -> Thread.ofVirtual().start(r), new Subject() {
            @Override
            public void receive() {
                try {
                    j.receiveOrClosed();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void close() {
                j.done();
            }
        });
    }

    private static Subject gonode(Channel<Integer> ch) {
        return new Subject() {
            @Override
            public void receive() {
                ch.receive();
            }

            @Override
            public void close() {
                ch.close();
            }
        };
    }

    /** Calls {@code subject}'s close from a new goroutine, so that the receivers it readies go to that goroutine's P. */
    private static Subject closedByAGoroutine(Subject subject) {
        return new Subject() {
            @Override
            public void receive() {
                subject.receive();
            }

            @Override
            public void close() {
                CountDownLatch closed = new CountDownLatch(1);
                Go.go(() -> {
                    subject.close();
                    closed.countDown();
                });
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    private static void measure(String what, int n, Consumer<Runnable> start, Subject ch) throws InterruptedException {
        Thread[] threads = new Thread[n];
        long before = usedAfterGc();
        CountDownLatch finished = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            start.accept(() -> {
                threads[index] = Thread.currentThread();
                ch.receive();
                finished.countDown();
            });
        }
        for (int i = 0; i < n; i++) {
            while (threads[i] == null || threads[i].getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
        }
        long after = usedAfterGc();
        System.out.printf("%s: %.0f bytes each (%d parked on one channel)%n", what, (after - before) / (double) n, n);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try {
            ch.close();
        } catch (StackOverflowError e) {
            System.out.printf("%s: close overflowed the stack with %d parked receivers%n", what, n);
            return;
        }
        long t1 = System.nanoTime();
        finished.await();
        long t2 = System.nanoTime();
        long cpu = processCpuNanos() - cpu0;
        System.out.printf("%s: close() returned after %.3f µs per receiver; all %d woke and finished after %.3f µs"
                + " per receiver (process CPU %.3f µs per receiver)%n",
                what, (t1 - t0) / 1e3 / n, n, (t2 - t0) / 1e3 / n, cpu / 1e3 / n);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
