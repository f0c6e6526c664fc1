package dev.gonode.runtime.testing;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.SchedStats;
import dev.gonode.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

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
            case "pollers" -> {
                // A goroutine blocks in a socket accept, which initialises the JDK's pollers;
                // then the names of the platform threads that poll are printed.
                try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    CountDownLatch served = new CountDownLatch(1);
                    AtomicInteger read = new AtomicInteger(-1);
                    Goroutine acceptor = Go.go(() -> {
                        try (Socket peer = server.accept(); InputStream in = peer.getInputStream()) {
                            read.set(in.read());
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        } finally {
                            served.countDown();
                        }
                    });
                    // Connect only once the goroutine waits in accept, so that it parks on a poller.
                    Await.until("the goroutine waits in accept", () -> acceptor.state() == GoroutineState.WAITING);
                    try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                         OutputStream out = client.getOutputStream()) {
                        out.write(42);
                        served.await();
                    }
                    TreeSet<String> pollers = new TreeSet<>();
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (t.getName().contains("Poller")) {
                            pollers.add(t.getName());
                        }
                    }
                    System.out.println("read=" + read.get());
                    System.out.println("pollerMode=" + System.getProperty("jdk.pollerMode"));
                    System.out.println("platformPollers=" + pollers);
                }
            }
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }
}
