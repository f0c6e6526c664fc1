package dev.gonode.deploy;

import dev.gonode.testing.ExternalTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gonode.node.StartupException;
import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.testing.Await;
import dev.gonode.testing.NodeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every alert expression of deploy/prometheus/alerts.yml evaluated by {@code promtool test rules}
 * on series recorded from a live node (a child JVM): on an idle node that has waited past the leak
 * detector's long-wait threshold, no expression is true and no alert fires; on a node with one
 * leaked goroutine, the leak alert fires and no other.
 *
 * <p>Each scrape is one sample, {@link #SCRAPE_INTERVAL} apart as Prometheus would take them
 * (compose and the ServiceMonitor scrape every 15 s); after the last scrape the node is taken to stay
 * as it was for {@link #HOLD_INTERVALS} intervals (2 hours), longer than every alert's window and
 * {@code for}. The test waits on what the scrapes show (polling, never sleeping).
 */
class AlertsOnALiveNodeTest {

    static final String SCRAPE_INTERVAL = "15s";
    static final int HOLD_INTERVALS = 480;
    static final Map<String, String> TARGET = Map.of("job", "gonode", "instance", "gonode-0:9090",
            "namespace", "test", "pod", "gonode-0");
    /**
     * The leak detector's long-wait threshold, shortened so the idle pool's goroutines count as long
     * waits within seconds (default 5m). Needs the node to take it from its configuration.
     */
    static final String SHORT_LEAK_THRESHOLD = "leaks:\n  wait-threshold: 1s\n";
    /** Forced leak checks recorded after the threshold. */
    static final int CHECKS_PAST_THRESHOLD = 8;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void onAnIdleNodePastTheLeakThresholdNoAlertExpressionIsTrue(@TempDir Path dir) throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        Path config = dir.resolve("gonode.yaml");
        Files.writeString(config, SHORT_LEAK_THRESHOLD);
        assumeTheNodeTakesTheLeakThresholdFrom(config);
        RecordedSeries recorded = new RecordedSeries(TARGET);
        try (NodeProcess node = NodeProcess.start("idle", List.of("--config", config.toString()), Map.of())) {
            int admin = node.awaitAdminPort(Duration.ofSeconds(60));
            int api = node.awaitJobPort(Duration.ofSeconds(60));
            // An idle pool: a burst of short sleep jobs starts 50 workers, which then wait for work
            // (jobs.worker-idle-timeout, 30 s) — long waits past the 1 s threshold, and not leaks.
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + "/v1/jobs/sleep"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":200}")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (var job : burst) {
                assertEquals(200, job.get().statusCode());
            }
            recorded.add(scrape(admin));
            // Past the threshold: a leak check (forced through /debug/leaks) has seen the idle pool's
            // goroutines waiting longer than it.
            Await.until(() -> {
                check(admin);
                recorded.add(scrape(admin));
                return recorded.latest("gonode_leak_long_waiting_goroutines").stream().anyMatch(v -> v > 0);
            });
            for (int i = 0; i < CHECKS_PAST_THRESHOLD; i++) {
                check(admin);
                recorded.add(scrape(admin));
            }
        }
        double longWaits = recorded.latest("gonode_leak_long_waiting_goroutines").get(0);
        int end = recorded.size() - 1 + HOLD_INTERVALS;
        ObjectNode test = promtoolTest("an idle node, recorded", recorded);
        for (int t = 0; t <= end; t += 20) { // every 5 minutes of the recording and the hold
            for (var alert : Queries.alerts().entrySet()) {
                ObjectNode e = ((ArrayNode) test.withArray("promql_expr_test")).addObject();
                e.put("expr", alert.getValue());
                e.put("eval_time", seconds(t));
                e.putArray("exp_samples");
            }
        }
        for (String alert : Queries.alerts().keySet()) {
            ObjectNode a = ((ArrayNode) test.withArray("alert_rule_test")).addObject();
            a.put("eval_time", seconds(end));
            a.put("alertname", alert);
            a.putArray("exp_alerts");
        }
        runPromtool(promtool, dir, test);
        System.out.println("idle node: " + recorded.size() + " scrapes, " + (int) longWaits
                + " goroutines in long waits, no alert expression true over " + (end * 15 / 60) + " minutes");
    }

    @Test
    void aLeakedGoroutineFiresTheLeakAlertAndNoOther(@TempDir Path dir) throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        assertTrue(Files.isExecutable(jcmd), "the JDK running the tests has jcmd: " + jcmd);
        Path config = dir.resolve("gonode.yaml");
        Files.writeString(config, "handlers:\n  leak:\n    concurrency: 1\n    mailbox: 8\n    timeout: 5s\n");
        RecordedSeries recorded = new RecordedSeries(TARGET);
        int leakedAt;
        try (NodeProcess node = NodeProcess.start("leaky", List.of("--config", config.toString()), Map.of())) {
            int admin = node.awaitAdminPort(Duration.ofSeconds(60));
            int api = node.awaitJobPort(Duration.ofSeconds(60));
            for (int i = 0; i < 3; i++) {
                recorded.add(scrape(admin));
            }
            assertEquals(List.of(0.0), recorded.latest("gonode_goroutines_leaked_total"));
            HttpResponse<String> job = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + "/v1/jobs/leak"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, job.statusCode(), job.body());
            leakedAt = recorded.size();
            // A full GC (as an operator would run it) finds the parked goroutine unreachable.
            Await.until(() -> {
                Repo.Result gc = Repo.run(List.of(jcmd.toString(), Long.toString(node.pid()), "GC.run"), Repo.root());
                assertEquals(0, gc.status(), gc.output());
                recorded.add(scrape(admin));
                return recorded.latest("gonode_goroutines_leaked_total").get(0) >= 1;
            });
            for (int i = 0; i < 3; i++) {
                recorded.add(scrape(admin));
            }
        }
        assertEquals(List.of(1.0), recorded.latest("gonode_goroutines_leaked_total"), "one job leaked one goroutine");
        ObjectNode test = promtoolTest("a node that leaked a goroutine, recorded", recorded);
        JsonNode leakRule = rule("GonodeGoroutineLeakSuspected");
        int forIntervals = (int) (Duration.parse("PT" + leakRule.path("for").asText().toUpperCase()).toSeconds() / 15);
        int firing = recorded.size() + forIntervals + 4;
        for (String alert : Queries.alerts().keySet()) {
            ObjectNode before = ((ArrayNode) test.withArray("alert_rule_test")).addObject();
            before.put("eval_time", seconds(leakedAt - 1));
            before.put("alertname", alert);
            before.putArray("exp_alerts");
            ObjectNode after = ((ArrayNode) test.withArray("alert_rule_test")).addObject();
            after.put("eval_time", seconds(firing));
            after.put("alertname", alert);
            ArrayNode expected = after.putArray("exp_alerts");
            if (alert.equals("GonodeGoroutineLeakSuspected")) {
                ObjectNode fired = expected.addObject();
                ObjectNode labels = fired.putObject("exp_labels");
                labels.put("namespace", TARGET.get("namespace"));
                labels.put("pod", TARGET.get("pod"));
                leakRule.path("labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
                ObjectNode annotations = fired.putObject("exp_annotations");
                leakRule.path("annotations").fields().forEachRemaining(f -> annotations.put(f.getKey(), podTemplate(f.getValue().asText())));
            }
        }
        runPromtool(promtool, dir, test);
        System.out.println("leaky node: " + recorded.size() + " scrapes; GonodeGoroutineLeakSuspected fires "
                + (firing - leakedAt) * 15 + " s after the leak, no other alert does");
    }

    /** Skips, naming the missing node setting, while the node cannot shorten the leak detector's threshold. */
    private static void assumeTheNodeTakesTheLeakThresholdFrom(Path config) {
        try {
            ConfigLoader.load(Optional.of(config), Map.of());
        } catch (StartupException e) {
            String reason = "the node does not take the leak detector's long-wait threshold from its configuration ("
                    + e.getMessage() + "); this test needs it to wait past the threshold in seconds, not 5 minutes";
            System.err.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
    }

    private String scrape(int admin) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** A leak check now (GET /debug/leaks runs one), so the leak gauges of the next scrape are fresh. */
    private void check(int admin) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/debug/leaks"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    private static String seconds(int intervals) {
        return (intervals * 15) + "s";
    }

    private static ObjectNode promtoolTest(String name, RecordedSeries recorded) {
        ObjectNode test = Repo.JSON.createObjectNode();
        test.put("name", name);
        test.put("interval", SCRAPE_INTERVAL);
        test.set("input_series", recorded.inputSeries(HOLD_INTERVALS));
        return test;
    }

    private static JsonNode rule(String alert) throws Exception {
        for (JsonNode group : Repo.yaml("deploy/prometheus/alerts.yml").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (alert.equals(rule.path("alert").asText())) {
                    return rule;
                }
            }
        }
        throw new AssertionError("no alert " + alert + " in deploy/prometheus/alerts.yml");
    }

    /** An annotation as Prometheus renders it for our target: only {{ $labels.pod }} is understood. */
    private static String podTemplate(String text) {
        String rendered = text.replace("{{ $labels.pod }}", TARGET.get("pod"));
        Matcher other = Pattern.compile("\\{\\{.*?}}").matcher(rendered);
        if (other.find()) {
            throw new AssertionError("the test renders only {{ $labels.pod }} in the leak alert's annotations, not " + other.group());
        }
        return rendered;
    }

    /** Writes the test file beside a copy of nothing: rule_files points at the repository's alerts.yml. */
    private static void runPromtool(Path promtool, Path dir, ObjectNode test) throws Exception {
        ObjectNode file = Repo.JSON.createObjectNode();
        file.putArray("rule_files").add(Repo.file("deploy/prometheus/alerts.yml").toString());
        file.put("evaluation_interval", SCRAPE_INTERVAL);
        file.putArray("tests").add(test);
        Path tests = dir.resolve("recorded_test.yml");
        Repo.YAML.writeValue(tests.toFile(), file);
        Repo.Result r = Repo.run(List.of(promtool.toString(), "test", "rules", tests.toString()), dir, Map.of(), Duration.ofMinutes(2));
        List<String> head = new ArrayList<>(r.output().lines().limit(80).toList());
        assertEquals(0, r.status(), "promtool test rules on the recorded series (" + tests + "):\n" + String.join("\n", head));
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }
}
