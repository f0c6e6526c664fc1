package dev.gonode.node;

import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.node.internal.ShutdownSignals;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a gonode node: {@code bin/gonode [--config FILE]}, or
 * {@code java -jar gonode-node.jar [--config FILE]} (the jar's manifest opens and exports what the
 * runtime needs; on the class path pass the options named in the parent pom.xml).
 *
 * <p>Configuration: the embedded defaults ({@code config/gonode.yaml}), overlaid by
 * {@code --config FILE}, overridden by {@code GONODE_*} environment variables.
 *
 * <p>Exit status: 0 after a clean stop (SIGTERM or SIGINT: drain, then stop); 2 when it cannot
 * start for a reason the operator can fix (bad arguments, a bad setting, a port in use), with a
 * message on stderr naming it; 1 when it fails to start for any other reason. A second signal
 * during the stop ends the process at once with 128 + the signal's number.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** Exit status for a start-up failure the operator can fix. */
    public static final int EXIT_USAGE = 2;
    /** Exit status for any other start-up failure. */
    public static final int EXIT_FAILURE = 1;

    static final String USAGE = "usage: gonode [--config FILE]\n"
            + "  --config FILE  a YAML file overlaid on the embedded defaults (config/gonode.yaml);\n"
            + "                 GONODE_* environment variables override single keys (server.port is GONODE_SERVER_PORT)";

    private Main() {
    }

    public static void main(String[] args) {
        Optional<Path> configFile;
        try {
            configFile = parseArguments(args);
        } catch (IllegalArgumentException e) {
            System.err.println("gonode: " + e.getMessage() + "\n" + USAGE);
            System.exit(EXIT_USAGE);
            return;
        }
        if (configFile == null) {
            System.out.println(USAGE);
            return;
        }
        // The stop path is armed before the node starts, so that once it announces it is listening a
        // SIGTERM always gets the clean stop (a signal during start-up just exits: nothing was served).
        AtomicReference<Node> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Node started = running.get();
            if (started != null) {
                started.close();
            }
        }, "gonode-shutdown"));
        ShutdownSignals.exitZeroOn("TERM", "INT");
        Node node;
        try {
            node = Node.start(ConfigLoader.load(configFile, System.getenv()), System.getenv());
        } catch (StartupException e) {
            System.err.println("gonode: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        } catch (RuntimeException | Error e) {
            LOG.error("the node failed to start", e);
            System.exit(EXIT_FAILURE);
            return;
        }
        running.set(node);
        // POST /admin/drain ends like SIGTERM: once drained, exit 0 (the shutdown hook closes the node,
        // writing the last answers). exit() runs on its own thread: it waits for the hook.
        node.afterOperatorDrain(() -> new Thread(() -> System.exit(0), "gonode-exit-after-drain").start());
        // Tests and scripts wait for this line: everything is up and a SIGTERM now stops cleanly.
        LOG.info("gonode admin listening on {}", node.adminAddress());
        // main returns; Vert.x's event-loop threads keep the JVM running until a signal stops it.
    }

    /**
     * The {@code --config} file, {@link Optional#empty()} for none, or {@code null} when help was
     * asked for.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static Optional<Path> parseArguments(String[] args) {
        Optional<Path> config = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value;
            if (arg.equals("-h") || arg.equals("--help")) {
                return null;
            } else if (arg.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--config needs a file name");
                }
                value = args[++i];
            } else if (arg.startsWith("--config=")) {
                value = arg.substring("--config=".length());
            } else {
                throw new IllegalArgumentException("unknown argument \"" + arg + "\"");
            }
            if (value.isBlank()) {
                throw new IllegalArgumentException("--config needs a file name");
            }
            if (config.isPresent()) {
                throw new IllegalArgumentException("--config is given twice; give one file");
            }
            config = Optional.of(Path.of(value));
        }
        return config;
    }
}
