package dev.gonode.bench.node;

import dev.gonode.node.Node;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.internal.ConfigLoader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap per in-flight job: starts a node whose {@code sleep} handler runs 10,000 jobs at once,
 * submits N (default 10,000) {@code sleep} jobs of 60 s with {@code ?wait=false}, waits until all
 * are running, and prints the heap growth per job after full collections. Run with the runtime's
 * JVM options: {@code java @bench/target/classes/gonode-jvm.options -cp bench/target/gonode-bench.jar
 * dev.gonode.bench.node.InFlightFootprint 10000}.
 */
public final class InFlightFootprint {

    private InFlightFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        NodeConfig defaults = ConfigLoader.load(Map.of(
                "GONODE_HANDLERS_SLEEP_CONCURRENCY", Integer.toString(n),
                "GONODE_HANDLERS_SLEEP_MAILBOX", Integer.toString(n),
                "GONODE_DRAIN_TIMEOUT", "2m", "GONODE_HANDLERS_SLEEP_TIMEOUT", "2m"));
        try (Node node = Node.start(defaults
                .withServer(defaults.server().withAddress("127.0.0.1", 0))
                .withAdmin(new NodeConfig.Admin("127.0.0.1", 0, "")))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long before = usedAfterGc();
            HttpRequest sleep = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.serverPort()
                            + "/v1/jobs/sleep?wait=false"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":60000}")).build();
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = client.send(sleep, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("job " + i + " answered " + r.statusCode() + ": " + r.body());
                }
            }
            HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build();
            Pattern inFlight = Pattern.compile("(?m)^gonode_jobs_in_flight (\\S+)$");
            Matcher m = inFlight.matcher(client.send(metrics, HttpResponse.BodyHandlers.ofString()).body());
            long after = usedAfterGc();
            System.out.printf("%d jobs in flight (gonode_jobs_in_flight %s): %.0f heap bytes per job%n", n,
                    m.find() ? m.group(1) : "?", (after - before) / (double) n);
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
