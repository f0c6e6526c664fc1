package dev.gonode.bench.sched;

import java.lang.reflect.Constructor;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under any hand-off between two virtual threads on JDK 25: the cheapest scheduler there
 * can be (one carrier thread running a lock-free queue, nothing else: no Ps, no timers, no sysmon,
 * no goroutine records) under a park/unpark ping-pong, per round trip (two parks, two unparks, two
 * continuation switches). An unbuffered channel ping-pong between two goroutines on one carrier
 * cannot be cheaper than this, whatever the runtime does; ChanBench's {@code pingPongUnbuffered}
 * is meant to be read next to it, and next to Go's, in the same run ({@code bench/cross-p.sh}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class ContinuationFloorBench {

    static final int ROUND_TRIPS = 100_000;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private Thread carrier;
    private volatile boolean stop;
    private Thread.Builder.OfVirtual builder;
    private volatile int turn;

    @Setup
    public void setup() throws ReflectiveOperationException {
        carrier = new Thread(() -> {
            while (!stop) {
                Runnable task = queue.poll();
                if (task == null) {
                    LockSupport.park();
                } else {
                    task.run();
                }
            }
        }, "floor-carrier");
        carrier.setDaemon(true);
        carrier.start();
        Executor executor = task -> {
            queue.offer(task);
            if (Thread.currentThread() != carrier) {
                LockSupport.unpark(carrier);
            }
        };
        // The JDK 25 constructor a custom scheduler needs ("invoked by tests"), as gonode's runtime uses it.
        Constructor<?> ctor = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                .getDeclaredConstructor(Executor.class);
        ctor.setAccessible(true);
        builder = (Thread.Builder.OfVirtual) ctor.newInstance(executor);
    }

    @TearDown
    public void tearDown() {
        stop = true;
        LockSupport.unpark(carrier);
    }

    /** Two virtual threads on the one carrier hand a turn back and forth with park/unpark; per round trip. */
    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongOneCarrier() throws InterruptedException {
        turn = 0;
        Thread[] players = new Thread[2];
        CountDownLatch done = new CountDownLatch(2);
        for (int side = 0; side < 2; side++) {
            int me = side;
            players[side] = builder.unstarted(() -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    while (turn != me) {
                        LockSupport.park();
                    }
                    turn = 1 - me;
                    LockSupport.unpark(players[1 - me]);
                }
                done.countDown();
            });
        }
        players[0].start();
        players[1].start();
        done.await();
    }
}
