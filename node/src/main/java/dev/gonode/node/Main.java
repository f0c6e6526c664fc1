package dev.gonode.node;

import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.node.internal.ShutdownSignals;
import java.util.Arrays;
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
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "gonode-shutdown"));
        ShutdownSignals.exitZeroOn("TERM", "INT");
        // main returns; Vert.x's event-loop threads keep the JVM running until a signal stops it.
    }
}
