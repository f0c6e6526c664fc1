package dev.gonode.deploy;

import dev.gonode.testing.ExternalTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gonode.node.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the dashboard: promtool accepts the rules and the dashboard's queries
 * wrapped as recording rules, the extractor of metric names works, and the dashboard covers the
 * fleet. That every metric they use is in a real node's scrape is {@link FleetScrapeTest}'s part.
 */
class MetricsTest {

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
