package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import dev.gonode.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live scrape of a node on {@code jobs.store: postgres} that has served jobs: Prometheus's
 * {@code promtool check metrics} finds nothing in it, and it holds every series of the fleet
 * contract (FLEET-CONTRACT.md, "Metrics"), with the contract's labels, for every handler.
 */
@PostgresTest
class PostgresScrapeTest {

    /** The store states of {@code gonode_queue_jobs}, as the contract lists them. */
    private static final List<String> STATES = List.of("available", "running", "scheduled", "retryable", "completed",
            "discarded", "cancelled");
    private static final List<String> OPERATIONS = List.of("enqueue", "claim", "complete", "renew", "listen", "prune",
            "get");

    @Test
    void aPostgresNodesScrapePassesPromtoolAndHoldsEveryContractSeries(TestDatabase db, @TempDir Path dir)
            throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        try (Node node = TestNodes.startOnPostgres(db, "node-scraped", TestNodes.config())) {
            AdminClient api = new AdminClient("127.0.0.1", node.serverPort());
            assertEquals(200, api.postJson("/v1/jobs/echo", "{\"scrape\":1}").status());
            assertEquals(202, api.postJson("/v1/jobs/echo?wait=false", "{\"scrape\":2}").status());
            String scrape = new AdminClient("127.0.0.1", node.adminPort()).get("/metrics").body();

            List<String> missing = new ArrayList<>();
            List<String> expected = new ArrayList<>(List.of("gonode_store_info{store=\"postgres\"} 1",
                    "gonode_store_up 1.0"));
            for (String handler : TestNodes.config().handlers().keySet()) {
                for (String state : STATES) {
                    expected.add("gonode_queue_jobs{handler=\"" + handler + "\",state=\"" + state + "\"} ");
                }
                expected.add("gonode_queue_oldest_available_age_seconds{handler=\"" + handler + "\"} ");
                expected.add("gonode_queue_claim_seconds_bucket{handler=\"" + handler + "\",le=\"+Inf\"} ");
                expected.add("gonode_queue_claim_seconds_count{handler=\"" + handler + "\"} ");
                expected.add("gonode_queue_lease_expiries_total{handler=\"" + handler + "\"} ");
                expected.add("gonode_queue_released_total{handler=\"" + handler + "\"} ");
            }
            for (String operation : OPERATIONS) {
                expected.add("gonode_store_errors_total{operation=\"" + operation + "\"} ");
            }
            for (String series : expected) {
                if (!scrape.contains("\n" + series)) {
                    missing.add(series);
                }
            }
            assertTrue(missing.isEmpty(), "contract series missing from the scrape: " + missing + "\n" + scrape);
            assertTrue(scrape.contains("# TYPE gonode_queue_claim_seconds histogram"), "claim latency is a histogram");

            Path file = dir.resolve("scrape.txt");
            Files.writeString(file, scrape);
            ExternalTools.Run check = ExternalTools.run(List.of("sh", "-c", "exec \"$0\" check metrics < \"$1\"",
                    promtool.toString(), file.toString()));
            assertEquals(0, check.exitCode(), () -> "promtool check metrics:\n" + check.output());
            assertEquals("", check.output().strip(), "promtool's findings");
        }
    }
}
