package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus's own linter, {@code promtool check metrics}, on a whole live scrape of a node that
 * has served jobs: every metric family (the job metrics, the runtime's, Vert.x's, the JVM's and
 * the process's) must follow Prometheus's naming and help conventions, as a new user's CI would
 * check them. promtool prints one line per problem and exits non-zero.
 */
class PromtoolScrapeTest {

    private static Node node;

    @BeforeAll
    static void startNode() throws StartupException {
        node = Node.start(TestNodes.config());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void promtoolCheckMetricsFindsNothingInALiveScrape(@TempDir Path dir) throws Exception {
        Path promtool = ExternalTools.require("promtool", "apt-get install -y prometheus");
        AdminClient api = new AdminClient("127.0.0.1", node.serverPort());
        assertEquals(200, api.postJson("/v1/jobs/echo", "{\"scrape\":1}").status());
        assertEquals(404, api.postJson("/v1/jobs/none", "{}").status());
        AdminClient.Reply scrape = new AdminClient("127.0.0.1", node.adminPort()).get("/metrics");
        assertEquals(200, scrape.status());
        for (String renamed : new String[] {"\nprocess_cpu_seconds_total ", "\nsystem_cpus "}) {
            assertTrue(scrape.body().contains(renamed), renamed.strip() + " (Prometheus's names for the process's CPU time"
                    + " and the processor count) in:\n" + scrape.body());
        }
        Path file = dir.resolve("scrape.txt");
        Files.writeString(file, scrape.body());
        ExternalTools.Run check = ExternalTools.run(List.of("sh", "-c", "exec \"$0\" check metrics < \"$1\"",
                promtool.toString(), file.toString()));
        assertEquals(0, check.exitCode(), () -> "promtool check metrics:\n" + check.output());
        assertEquals("", check.output().strip(), "promtool's findings");
    }
}
