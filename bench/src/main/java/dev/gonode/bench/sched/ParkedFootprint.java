package dev.gonode.bench.sched;

import dev.gonode.runtime.Go;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Heap bytes per parked goroutine: parks N goroutines (default 1,000,000) on gonode's scheduler
 * and N plain virtual threads on the JDK's, in the same JVM, and prints the heap growth per
 * thread for each after full collections, and how long a full collection takes with all of them
 * parked (System.gc(), G1's full collection by default), after a warm-up round of each (a fifth
 * of N) so that both park with compiled frames. Run with the runtime's JVM options, for example
 * {@code java @bench/target/classes/gonode-jvm.options
 * -Xmx8g -cp bench/target/gonode-bench.jar dev.gonode.bench.sched.ParkedFootprint 1000000}.
 */
public final class ParkedFootprint {

    private ParkedFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Go.gomaxprocs(); // start the runtime before measuring
        Consumer<Runnable> virtualThread = r -> Thread.ofVirtual().start(r);
        // Warm both paths first: a parked thread's stack chunk holds its frames as they were when it
        // parked, and an interpreted frame is several times a compiled one, so whichever kind ran
        // first in a cold JVM would carry the interpreter's frames (JDK 25: ~840 bytes of chunk
        // cold, ~230 warm).
        int warmup = Math.max(1, n / 5);
        measure("warm-up: jdk virtual thread", warmup, virtualThread);
        measure("warm-up: gonode goroutine", warmup, Go::go);
        double jdk = measure("jdk virtual thread", n, virtualThread);
        double gonode = measure("gonode goroutine", n, Go::go);
        System.out.printf("ratio gonode/jdk: %.2f%n", gonode / jdk);
    }

    private static double measure(String what, int n, Consumer<Runnable> start) throws InterruptedException {
        Object[] release = new Object[1];
        Thread[] threads = new Thread[n];
        long before = usedAfterGc(new long[4]);
        CountDownLatch parked = new CountDownLatch(n);
        CountDownLatch finished = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            start.accept(() -> {
                threads[index] = Thread.currentThread();
                parked.countDown();
                while (release[0] == null) {
                    LockSupport.park();
                }
                finished.countDown();
            });
        }
        parked.await();
        // wait until every one of them is really parked
        for (Thread t : threads) {
            while (t.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
        }
        long[] gcNanos = new long[4];
        long after = usedAfterGc(gcNanos);
        double perThread = (after - before) / (double) n;
        Arrays.sort(gcNanos);
        System.out.printf("%s: %.0f bytes each (%d parked); a full GC with them parked took %.3f / %.3f / %.3f s"
                        + " (min / median / max of %d)%n", what, perThread, n, gcNanos[0] / 1e9,
                (gcNanos[1] + gcNanos[2]) / 2e9, gcNanos[3] / 1e9, gcNanos.length);
        release[0] = Boolean.TRUE;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        finished.await();
        return perThread;
    }

    /** Heap in use after full collections, one per slot of {@code gcNanos}, which receives each one's wall time. */
    private static long usedAfterGc(long[] gcNanos) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < gcNanos.length; i++) {
            long t0 = System.nanoTime();
            System.gc();
            gcNanos[i] = System.nanoTime() - t0;
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
