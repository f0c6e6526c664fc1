package dev.gonode.bench.chan;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W4: one consumer selecting over two channels (buffers of 1024), each fed by its own producer;
 * per message received. {@code impl=gonode}: gonode's {@link Select} on goroutines;
 * {@code impl=jox}: jox's {@code Select.select} on JDK virtual threads. JDK queues have no select
 * and are left out. Both sides build their clauses once and reuse them, which both libraries allow.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class ChanSelectBench {

    static final int MESSAGES = 1_000_000;
    static final int CAPACITY = 1024;

    @Param({"gonode", "jox"})
    public String impl;

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long selectTwoFed() throws InterruptedException {
        return impl.equals("gonode") ? gonode() : jox();
    }

    private static long gonode() throws InterruptedException {
        Channel<Integer> a = Channel.make(CAPACITY);
        Channel<Integer> b = Channel.make(CAPACITY);
        CountDownLatch done = new CountDownLatch(1);
        long[] sum = new long[1];
        Go.go(() -> feed(a::send));
        Go.go(() -> feed(b::send));
        Go.go(() -> {
            Select.Case<Integer> fromA = Select.receive(a);
            Select.Case<Integer> fromB = Select.receive(b);
            long s = 0;
            for (int i = 0; i < MESSAGES; i++) {
                Integer v = Select.select(fromA, fromB);
                s += v;
            }
            sum[0] = s;
            done.countDown();
        });
        done.await();
        return sum[0];
    }

    private static long jox() throws InterruptedException {
        com.softwaremill.jox.Channel<Integer> a = com.softwaremill.jox.Channel.newBufferedChannel(CAPACITY);
        com.softwaremill.jox.Channel<Integer> b = com.softwaremill.jox.Channel.newBufferedChannel(CAPACITY);
        CountDownLatch done = new CountDownLatch(1);
        long[] sum = new long[1];
        Thread.ofVirtual().start(() -> feed(v -> joxSend(a, v)));
        Thread.ofVirtual().start(() -> feed(v -> joxSend(b, v)));
        Thread.ofVirtual().start(() -> {
            var fromA = a.receiveClause();
            var fromB = b.receiveClause();
            long s = 0;
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    Integer v = com.softwaremill.jox.Select.select(fromA, fromB);
                    s += v;
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            sum[0] = s;
            done.countDown();
        });
        done.await();
        return sum[0];
    }

    private static void feed(java.util.function.IntConsumer send) {
        for (int i = 0; i < MESSAGES / 2; i++) {
            send.accept(i & 127);
        }
    }

    private static void joxSend(com.softwaremill.jox.Channel<Integer> ch, int v) {
        try {
            ch.send(v);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
