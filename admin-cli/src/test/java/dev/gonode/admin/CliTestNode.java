package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.node.Node;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.internal.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real node for a test class of the CLI, started before its tests and closed after them, and the
 * CLI run against it in-process. A test class registers one:
 * {@code @RegisterExtension static final CliTestNode NODE = CliTestNode.plain();} and runs
 * {@code NODE.run("sched")}.
 */
final class CliTestNode implements BeforeAllCallback, AfterAllCallback {

    /** What a run printed, and its exit status. */
    record Run(int status, String out, String err) {
    }

    private final boolean sleepWorkers;
    private Node node;
    private String url;

    private CliTestNode(boolean sleepWorkers) {
        this.sleepWorkers = sleepWorkers;
    }

    /** A node on the embedded defaults. */
    static CliTestNode plain() {
        return new CliTestNode(false);
    }

    /** A node with three idle {@code sleep} workers to dump (see {@link #startThreeSleepWorkers}). */
    static CliTestNode withSleepWorkers() {
        return new CliTestNode(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        node = Node.start(config(""));
        url = "http://127.0.0.1:" + node.adminPort();
        if (sleepWorkers) {
            startThreeSleepWorkers(node);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (node != null) {
            node.close();
        }
    }

    /** The node. */
    Node node() {
        return node;
    }

    /** The node's admin URL. */
    String url() {
        return url;
    }

    /** Runs {@code gonode-admin --url <this node> args}. */
    Run run(String... args) {
        List<String> all = new ArrayList<>(List.of("--url", url));
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    /** Runs {@code gonode-admin args} in this JVM. */
    static Run runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = GonodeAdmin.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    /** The embedded defaults on loopback and free ports, with admin token {@code token} ("" for none). */
    static NodeConfig config(String token) throws Exception {
        NodeConfig defaults = ConfigLoader.embeddedDefaults();
        return defaults.withServer(defaults.server().withAddress("127.0.0.1", 0))
                .withAdmin(new NodeConfig.Admin("127.0.0.1", 0, token));
    }

    /**
     * Gives {@code node} three idle {@code sleep} workers to dump (labelled {@code handler=sleep},
     * parked in a select): workers start on demand, and three overlapping 300 ms jobs start three,
     * which then wait for work for jobs.worker-idle-timeout (30 s), longer than the tests take.
     */
    static void startThreeSleepWorkers(Node node) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.serverPort()
                            + "/v1/jobs/sleep")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":300}")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> job : jobs) {
            assertEquals(200, job.get(30, TimeUnit.SECONDS).statusCode());
        }
    }
}
