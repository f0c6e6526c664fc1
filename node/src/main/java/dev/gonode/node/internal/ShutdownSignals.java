package dev.gonode.node.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM and SIGINT into an orderly {@code System.exit(0)}.
 *
 * <p>The JVM's own handlers for these signals also run the shutdown hooks, but then exit with
 * status 128 + signal (143 for SIGTERM), which Kubernetes and process supervisors record as a
 * failure. A node asked to stop that stops cleanly has done its job, so it exits 0, as a Go
 * program does after {@code signal.NotifyContext} and a drain. The stop itself is the shutdown
 * hook that {@code Main} registers; this class only decides the exit status. A second signal
 * while the stop is under way (an impatient operator, or a supervisor escalating) ends the process
 * at once with the JVM's usual status, 128 + the signal's number, without waiting for the drain.
 *
 * <p>{@code sun.misc.Signal} lives in the {@code jdk.unsupported} module, which is exported to
 * everyone, so no JVM option is needed. If the JVM refuses a handler (for example under
 * {@code -Xrs}), the node says so and keeps the JVM's default behaviour for that signal. A signal
 * the process was started with ignored stays ignored, as it would without these handlers.
 */
public final class ShutdownSignals {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

    private ShutdownSignals() {
    }

    /** Installs handlers that exit with status 0 on each named signal ({@code "TERM"}, {@code "INT"}). */
    public static void exitZeroOn(String... names) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : names) {
            try {
                SignalHandler previous = Signal.handle(new Signal(name), signal -> {
                    if (!stopping.compareAndSet(false, true)) {
                        LOG.warn("received SIG{} again while stopping: exiting now", signal.getName());
                        Runtime.getRuntime().halt(128 + signal.getNumber());
                    }
                    LOG.info("received SIG{}: stopping", signal.getName());
                    // System.exit blocks until the shutdown hooks are done, so exit on another thread
                    // and leave the JVM's signal thread free to take a second signal.
                    Thread.ofPlatform().name("gonode-exit").start(() -> System.exit(0));
                });
                if (previous == SignalHandler.SIG_IGN) {
                    // The JVM keeps a signal ignored when the process started with it ignored (nohup,
                    // or SIGINT for a background job of a non-interactive shell); so do we.
                    LOG.info("SIG{} is ignored by this process (as started), so it will not stop the node", name);
                }
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.warn("cannot handle SIG{} ({}); it will stop the node with the JVM's default exit status",
                        name, e.getMessage());
            }
        }
    }
}
