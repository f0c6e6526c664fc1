package dev.gonode.deploy;

import dev.gonode.testing.ExternalTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/alerts_test.yml, the unit tests of the alert rules, run with
 * {@code promtool test rules}; and a check that they exercise every alert both ways.
 */
class AlertRulesTest {

    static final String UNIT_TESTS = "deploy/prometheus/alerts_test.yml";

    @Test
    void promtoolTestRulesPasses() throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        Repo.Result r = Repo.run(List.of(promtool.toString(), "test", "rules", UNIT_TESTS), Repo.root());
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void everyAlertHasACaseWhereItFiresAndOneWhereItDoesNot() throws Exception {
        JsonNode tests = Repo.yaml(UNIT_TESTS);
        List<String> ruleFiles = new ArrayList<>();
        tests.path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
        assertEquals(List.of("alerts.yml"), ruleFiles, "the unit tests load the alert rules beside them");
        Set<String> fires = new TreeSet<>();
        Set<String> staysQuiet = new TreeSet<>();
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                String alert = check.path("alertname").asText();
                JsonNode expected = check.path("exp_alerts");
                assertTrue(expected.isArray(), "exp_alerts of " + alert + " in \"" + test.path("name").asText()
                        + "\" is a list (an empty one says: does not fire)");
                (expected.isEmpty() ? staysQuiet : fires).add(alert);
            }
        }
        Set<String> alerts = Queries.alerts().keySet();
        List<String> missing = new ArrayList<>();
        for (String alert : alerts) {
            if (!fires.contains(alert)) {
                missing.add(alert + ": no case where it fires");
            }
            if (!staysQuiet.contains(alert)) {
                missing.add(alert + ": no case where it does not fire");
            }
        }
        assertTrue(missing.isEmpty(), UNIT_TESTS + " lacks cases:\n" + String.join("\n", missing));
        assertTrue(alerts.containsAll(fires) && alerts.containsAll(staysQuiet),
                "the unit tests name alerts that alerts.yml does not have: " + fires + " " + staysQuiet);
    }
}
