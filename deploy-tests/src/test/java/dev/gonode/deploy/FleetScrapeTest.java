package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.Node;
import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and the dashboard against a real node as the fleet runs it: the fleet's own
 * gonode.yaml on {@code jobs.store: postgres} (as both overlays configure it), on a real
 * PostgreSQL, after a few jobs. Every metric the rules and the dashboard use is in its scrape,
 * the shared queue's series included; nothing is exempt.
 */
@PostgresTest
class FleetScrapeTest {

    /** Series Prometheus makes itself rather than scraping them. */
    private static final Set<String> SYNTHETIC = Set.of("up");

    private static Node node;
    private static String scrape;

    @BeforeAll
    static void startNodeAndScrape(TestDatabase db) throws Exception {
        // The fleet's gonode.yaml plus one periodic job, so that the periodic series exist too.
        Path config = Files.createTempFile("gonode-fleet-scrape", ".yaml");
        Files.writeString(config, Files.readString(Repo.file("k8s/base/gonode.yaml"))
                + "\nperiodic:\n  - {name: scrape-tick, handler: echo, payload: {}, every: 1h}\n");
        node = Node.start(ConfigLoader.load(Optional.of(config), Map.of(
                "GONODE_SERVER_HOST", "127.0.0.1", "GONODE_SERVER_PORT", "0",
                "GONODE_ADMIN_HOST", "127.0.0.1", "GONODE_ADMIN_PORT", "0",
                "GONODE_JOBS_STORE", "postgres", "GONODE_JOBS_POSTGRES_URL", db.jdbcUrl(),
                "GONODE_JOBS_POSTGRES_USER", db.server().adminUser(), "GONODE_NODE_NAME", "scraped-pod")),
                Map.of(ConfigLoader.POSTGRES_PASSWORD_VARIABLE, db.server().adminPassword()));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String api = "http://127.0.0.1:" + node.serverPort() + "/v1/jobs/";
        List<String[]> jobs = List.of(new String[] {"sleep", "{\"ms\":5}"}, new String[] {"sha256", "{\"data\":\"gonode\",\"rounds\":100}"},
                new String[] {"echo", "{\"hello\":1}"}, new String[] {"sleep", "{\"ms\":\"bad\"}"});
        for (String[] job : jobs) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + job[0]))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(job[1])).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(r.statusCode() == 200 || r.statusCode() == 400, job[0] + ": " + r.statusCode() + " " + r.body());
        }
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        scrape = metrics.body();
        assertTrue(scrape.contains("gonode_store_info{store=\"postgres\"} 1"), "the node runs on postgres:\n" + scrape);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static Set<String> scrapedNames() {
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    @Test
    void everyMetricOfTheAlertsAndTheDashboardIsInAPostgresNodesScrape() throws Exception {
        Map<String, Set<String>> used = new TreeMap<>();
        Queries.alerts().forEach((name, expr) -> Queries.metricNames(expr)
                .forEach(m -> used.computeIfAbsent(m, k -> new TreeSet<>()).add("alert " + name)));
        Queries.dashboardExpressions().forEach((where, expr) -> Queries.metricNames(expr)
                .forEach(m -> used.computeIfAbsent(m, k -> new TreeSet<>()).add(where)));
        Queries.variableMetrics().forEach(m -> used.computeIfAbsent(m, k -> new TreeSet<>()).add("dashboard variable"));
        assertTrue(used.size() >= 25, "the extractor found too few metrics: " + used.keySet());
        assertTrue(used.keySet().stream().anyMatch(m -> m.startsWith("gonode_queue_")),
                "the shared queue's panels and alerts are among them: " + used.keySet());
        Set<String> scraped = scrapedNames();
        List<String> missing = new ArrayList<>();
        used.forEach((metric, where) -> {
            if (!SYNTHETIC.contains(metric) && !scraped.contains(metric)) {
                missing.add(metric + " (used by " + where + ")");
            }
        });
        assertTrue(missing.isEmpty(), "metrics not in a real scrape of the node:\n" + String.join("\n", missing)
                + "\nscraped: " + new TreeSet<>(scraped));
        System.out.println(used.size() + " metrics used by the alerts and the dashboard are all in the scrape");
    }
}
