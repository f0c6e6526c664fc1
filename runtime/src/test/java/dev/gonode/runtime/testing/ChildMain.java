package dev.gonode.runtime.testing;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.SchedStats;
import java.util.concurrent.CountDownLatch;

/** A program that tests run in a child JVM, for behaviour that concerns the whole process. */
public final class ChildMain {

    private ChildMain() {
    }

    /** A class whose initialiser never finishes, to pin a carrier. */
    static final class NeverInitialised {
        static final Object VALUE;

        static {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            VALUE = new Object();
        }

        private NeverInitialised() {
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "stats" -> {
                CountDownLatch ran = new CountDownLatch(1000);
                for (int i = 0; i < 1000; i++) {
                    Go.go(ran::countDown);
                }
                ran.await();
                SchedStats s = Go.schedStats();
                System.out.println("scheduler=" + s.scheduler());
                System.out.println("gomaxprocs=" + s.gomaxprocs());
                System.out.println("fallbackReason=" + s.fallbackReason());
            }
            case "panic" -> {
                Go.go(() -> {
                    throw new IllegalStateException("boom");
                });
                new CountDownLatch(1).await(); // gonode.panic=exit ends the process
            }
            case "carrier-limit" -> {
                // GOMAXPROCS=1 and one carrier allowed: a goroutine stuck in a class initialiser holds
                // the only carrier, so sysmon's handoff needs a second one.
                Go.go(() -> System.out.println(NeverInitialised.VALUE));
                Go.go(() -> { });
                new CountDownLatch(1).await();
            }
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }
}
