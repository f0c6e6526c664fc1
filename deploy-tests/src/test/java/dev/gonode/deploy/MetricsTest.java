package dev.gonode.deploy;

import dev.gonode.testing.ExternalTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gonode.node.Node;
import dev.gonode.node.internal.ConfigLoader;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the dashboard against a real node: every metric they use is in a scrape of a
 * node started here (on the fleet's own gonode.yaml, after a few jobs), and promtool accepts the
 * rules and the dashboard's queries wrapped as recording rules.
 */
class MetricsTest {

    /** Series Prometheus makes itself rather than scraping them. */
    private static final Set<String> SYNTHETIC = Set.of("up");
    /**
     * The shared queue's series (fleet contract, issue 14): a node on {@code jobs.store: memory}, as
     * started here, has none of them, so the scrape below cannot vouch for them; each must stay absent
     * from it (a memory node that exposes one means the contract changed: look again).
     */
    static final Set<String> POSTGRES_STORE_ONLY = Set.of("gonode_queue_jobs", "gonode_queue_oldest_available_age_seconds",
            "gonode_queue_claim_seconds_bucket", "gonode_queue_lease_expiries_total", "gonode_queue_released_total",
            "gonode_store_errors_total");

    /**
     * The periodic jobs' per-job series: they exist from start-up for each configured periodic job, and
     * the node started here (k8s/base/gonode.yaml) has none; each must stay absent from its scrape.
     */
    static final Set<String> PERIODIC_ONLY = Set.of("gonode_periodic_ticks_total", "gonode_periodic_missed_ticks_total");

    private static Node node;
    private static String scrape;

    @BeforeAll
    static void startNodeAndScrape() throws Exception {
        node = Node.start(ConfigLoader.load(Optional.of(Repo.file("k8s/base/gonode.yaml")), Map.of(
                "GONODE_SERVER_HOST", "127.0.0.1", "GONODE_SERVER_PORT", "0",
                "GONODE_ADMIN_HOST", "127.0.0.1", "GONODE_ADMIN_PORT", "0")));
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
    void everyMetricOfTheAlertsAndTheDashboardIsScraped() throws Exception {
        Map<String, Set<String>> used = new TreeMap<>();
        Queries.alerts().forEach((name, expr) -> Queries.metricNames(expr)
                .forEach(m -> used.computeIfAbsent(m, k -> new TreeSet<>()).add("alert " + name)));
        Queries.dashboardExpressions().forEach((where, expr) -> Queries.metricNames(expr)
                .forEach(m -> used.computeIfAbsent(m, k -> new TreeSet<>()).add(where)));
        Queries.variableMetrics().forEach(m -> used.computeIfAbsent(m, k -> new TreeSet<>()).add("dashboard variable"));
        assertTrue(used.size() >= 25, "the extractor found too few metrics: " + used.keySet());
        Set<String> scraped = scrapedNames();
        List<String> missing = new ArrayList<>();
        used.forEach((metric, where) -> {
            if (!SYNTHETIC.contains(metric) && !POSTGRES_STORE_ONLY.contains(metric) && !PERIODIC_ONLY.contains(metric)
                    && !scraped.contains(metric)) {
                missing.add(metric + " (used by " + where + ")");
            }
        });
        for (String metric : PERIODIC_ONLY) {
            assertFalse(scraped.contains(metric), metric + " is in the scrape of a node without periodic jobs");
            assertTrue(used.containsKey(metric), metric + " is allowed as periodic-only but nothing uses it");
        }
        for (String metric : POSTGRES_STORE_ONLY) {
            assertFalse(scraped.contains(metric), metric + " is in a memory-store node's scrape: take it out of POSTGRES_STORE_ONLY");
            assertTrue(used.containsKey(metric), metric + " is allowed as postgres-only but nothing uses it");
        }
        assertTrue(missing.isEmpty(), "metrics not in a real scrape of the node:\n" + String.join("\n", missing)
                + "\nscraped: " + new TreeSet<>(scraped));
        System.out.println(used.size() + " metrics used by the alerts and the dashboard are all in the scrape");
    }

    @Test
    void theExtractorFindsMetricsAndSkipsFunctionsLabelsAndDurations() {
        assertEquals(Set.of("gonode_sched_latencies_seconds_bucket"), Queries.metricNames(
                "histogram_quantile(0.99, sum by (namespace, pod, le) (rate(gonode_sched_latencies_seconds_bucket{pod=~\"$pod\"}[$__rate_interval]))) > 0.05"));
        assertEquals(Set.of("a_total", "b", "up"), Queries.metricNames(
                "sum(rate(a_total[5m])) by (handler) / on (pod) group_left b or up{job=~\".*gonode.*\"} == 0"));
    }

    @Test
    void theAlertsAreTheOnesTheOperatorGuideDescribes() throws Exception {
        Set<String> alerts = Queries.alerts().keySet();
        assertEquals(Set.of("GonodeGoroutineLeakSuspected", "GonodeGoroutineCountRising", "GonodeSchedulingLatencyHigh",
                "GonodeJobErrorRate", "GonodeMailboxSaturation", "GonodeJobsAbortedByDrain", "GonodeNodeNotReady",
                "GonodeStoreUnavailable", "GonodeQueueBacklog", "GonodeLeaseExpiries", "GonodeDeadJobsGrowing"), alerts);
        String guide = Files.readString(Repo.file("deploy/OPERATOR-GUIDE.md"));
        for (String alert : alerts) {
            assertTrue(guide.contains(alert), "deploy/OPERATOR-GUIDE.md does not describe " + alert);
        }
    }

    @Test
    void theDashboardCoversTheFleet() throws Exception {
        JsonNode dash = Queries.dashboard();
        Set<Integer> ids = new HashSet<>();
        StringBuilder titles = new StringBuilder();
        for (JsonNode p : dash.path("panels")) {
            assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique: " + p.path("id"));
            assertTrue(p.has("gridPos"), "panel " + p.path("title") + " has a position");
            titles.append(p.path("title").asText().toLowerCase()).append('\n');
            if (!p.path("type").asText().equals("row")) {
                assertEquals("${datasource}", p.path("datasource").path("uid").asText(), p.path("title").asText());
                assertTrue(p.path("targets").size() > 0, p.path("title") + " has queries");
            }
        }
        for (String topic : List.of("goroutines by state", "scheduling latency", "run queues per p", "steals and handoffs",
                "job rate", "run time", "errors", "mailbox depth", "drain", "heap", "gc", "store up",
                "queue depth by handler and state", "oldest available", "claim latency", "lease expiries", "released",
                "store errors", "retries", "discards", "periodic")) {
            assertTrue(titles.indexOf(topic) >= 0, "no panel about " + topic + " in:\n" + titles);
        }
        assertEquals("gonode-node", dash.path("uid").asText());
        JsonNode provider = Repo.yaml("deploy/grafana/provisioning/dashboards/gonode.yml").path("providers").get(0);
        assertEquals("/var/lib/grafana/dashboards", provider.path("options").path("path").asText());
        JsonNode datasource = Repo.yaml("deploy/grafana/provisioning/datasources/prometheus.yml").path("datasources").get(0);
        assertEquals("prometheus", datasource.path("uid").asText());
    }

    @Test
    void promtoolAcceptsTheAlertRules() throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        Repo.Result r = Repo.run(List.of(promtool.toString(), "check", "rules", "deploy/prometheus/alerts.yml"), Repo.root());
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS: 11 rules found"), r.output());
    }

    @Test
    void promtoolAcceptsTheDashboardQueriesAsRecordingRules(@TempDir Path dir) throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        ObjectNode file = Repo.JSON.createObjectNode();
        ObjectNode group = file.putArray("groups").addObject();
        group.put("name", "gonode-dashboard");
        ArrayNode rules = group.putArray("rules");
        int n = 0;
        for (var e : Queries.dashboardExpressions().entrySet()) {
            ObjectNode rule = rules.addObject();
            rule.put("record", "dashboard:query_" + (n++));
            rule.put("expr", Queries.concrete(e.getValue()));
            rule.putObject("labels").put("source", e.getKey());
        }
        Path rulesFile = dir.resolve("dashboard-rules.yml");
        Repo.YAML.writeValue(rulesFile.toFile(), file);
        Repo.Result r = Repo.run(List.of(promtool.toString(), "check", "rules", rulesFile.toString()), Repo.root());
        assertEquals(0, r.status(), r.output() + "\n" + Files.readString(rulesFile));
        assertTrue(r.output().contains("SUCCESS: " + n + " rules found"), r.output());
        System.out.println("promtool: " + n + " dashboard queries are valid PromQL");
    }

    @Test
    void promtoolChecksThePrometheusConfigAsShipped() throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        Repo.Result r = Repo.run(List.of(promtool.toString(), "check", "config", "deploy/prometheus/prometheus.yml"), Repo.root());
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS: 11 rules found"), "the config loads the alert rules: " + r.output());
    }

    @Test
    void composeMountsTheRuleFilesWhereThePrometheusConfigLooksForThem() throws Exception {
        // Each mount of the prometheus service, target to source (relative to deploy/).
        Map<Path, Path> mounts = new java.util.HashMap<>();
        for (JsonNode v : Repo.yaml("deploy/docker-compose.yml").path("services").path("prometheus").path("volumes")) {
            String[] parts = v.asText().split(":");
            mounts.put(Path.of(parts[1]), Repo.file("deploy").resolve(parts[0]).normalize());
        }
        Path configTarget = mounts.entrySet().stream()
                .filter(e -> e.getValue().equals(Repo.file("deploy/prometheus/prometheus.yml")))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("compose does not mount prometheus.yml"));
        JsonNode ruleFiles = Repo.yaml("deploy/prometheus/prometheus.yml").path("rule_files");
        assertTrue(ruleFiles.size() > 0);
        for (JsonNode ruleFile : ruleFiles) {
            assertFalse(Path.of(ruleFile.asText()).isAbsolute(), "rule_files are relative to the config, so it checks as shipped: " + ruleFile);
            Path inContainer = configTarget.resolveSibling(ruleFile.asText()).normalize();
            Path inRepo = Repo.file("deploy/prometheus").resolve(ruleFile.asText()).normalize();
            assertEquals(inRepo, mounts.get(inContainer), "in compose, " + inContainer + " must be the repository's " + inRepo);
        }
    }
}
