package dev.gonode.node;

import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.node.internal.ShutdownSignals;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a gonode node: {@code bin/gonode}, or {@code java <JVM options> -jar gonode-node.jar}.
 *
 * <p>Configuration: the embedded defaults ({@code config/gonode.yaml}) overridden by the
 * environment variables {@code GONODE_ADMIN_PORT} and {@code GONODE_ADMIN_HOST}. Reading an
 * operator's own YAML file ({@code --config}) comes with the node configuration issue; until then
 * the node takes no arguments.
 *
 * <p>Exit status: 0 after a clean stop on SIGTERM or SIGINT; 2 when it cannot start for a reason
 * the operator can fix (a bad setting, a port in use), with a message on stderr naming it; 1 when
 * it fails to start for any other reason.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** Exit status for a start-up failure the operator can fix. */
    public static final int EXIT_USAGE = 2;
    /** Exit status for any other start-up failure. */
    public static final int EXIT_FAILURE = 1;

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("gonode: the node takes no arguments yet (got " + Arrays.toString(args) + "). Configure"
                    + " it with " + ConfigLoader.ENV_ADMIN_PORT + " and " + ConfigLoader.ENV_ADMIN_HOST
                    + "; the defaults are in config/gonode.yaml");
            System.exit(EXIT_USAGE);
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
            node = Node.start(ConfigLoader.load(System.getenv()));
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
        // Tests and scripts wait for this line: everything is up and a SIGTERM now stops cleanly.
        LOG.info("gonode admin listening on {}", node.adminAddress());
        // main returns; Vert.x's event-loop threads keep the JVM running until a signal stops it.
    }
}
