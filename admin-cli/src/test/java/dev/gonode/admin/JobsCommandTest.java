package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code gonode-admin jobs ...} against a real node: list, get, cancel, retry, stats, with text and JSON and the exit codes. */
class JobsCommandTest {

    @RegisterExtension
    static final CliTestNode NODE = CliTestNode.plain();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static String submit(String handler, String payload) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NODE.node().serverPort()
                        + "/v1/jobs/" + handler + "?wait=false")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    private static JsonNode json(CliTestNode.Run run) throws Exception {
        assertEquals(0, run.status(), run.err());
        return JSON.readTree(run.out());
    }

    @Test
    void listGetAndStatsInTextAndJson() throws Exception {
        String id = submit("echo", "{\"cli\":1}");
        Await.until("the job succeeded", () -> json(NODE.run("--output", "json", "jobs", "get", id))
                .get("state").asText().equals("succeeded"));
        JsonNode page = json(NODE.run("--output", "json", "jobs", "list", "--handler", "echo", "--since", "1h", "--limit", "5"));
        assertEquals(id, page.get("jobs").get(0).get("id").asText(), page.toString());

        CliTestNode.Run text = NODE.run("jobs", "list", "--state", "succeeded", "--since", "10m");
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().startsWith("ID "), text.out());
        assertTrue(text.out().contains(id + "  echo"), text.out());

        CliTestNode.Run get = NODE.run("jobs", "get", id);
        assertEquals(0, get.status(), get.err());
        assertTrue(get.out().startsWith(id + " echo succeeded"), get.out());
        assertTrue(get.out().contains("result: {\"cli\":1}"), get.out());

        JsonNode stats = json(NODE.run("--output", "json", "jobs", "stats"));
        assertEquals("memory", stats.get("store").asText());
        CliTestNode.Run statsText = NODE.run("jobs", "stats");
        assertTrue(statsText.out().startsWith("store memory: "), statsText.out());
        assertTrue(statsText.out().contains("succeeded="), statsText.out());
    }

    @Test
    void pagesFollowTheCursorTheListPrints() throws Exception {
        for (int i = 0; i < 3; i++) {
            submit("echo", "{\"paging\":" + i + "}");
        }
        JsonNode first = json(NODE.run("--output", "json", "jobs", "list", "--limit", "2"));
        String cursor = first.get("nextCursor").asText();
        CliTestNode.Run text = NODE.run("jobs", "list", "--limit", "2");
        assertTrue(text.out().contains("next: gonode-admin jobs list --cursor " + cursor), text.out());
        JsonNode second = json(NODE.run("--output", "json", "jobs", "list", "--limit", "2", "--cursor", cursor));
        assertTrue(second.get("jobs").size() >= 1, second.toString());
        assertTrue(!second.get("jobs").get(0).get("id").equals(first.get("jobs").get(1).get("id")));
    }

    @Test
    void cancelAndRetryAndTheirExitCodes() throws Exception {
        String unknown = UUID.randomUUID().toString();
        CliTestNode.Run missing = NODE.run("jobs", "get", unknown);
        assertEquals(1, missing.status(), "the node answered 404");
        assertTrue(missing.err().contains("404") && missing.err().contains(unknown), missing.err());
        assertEquals(1, NODE.run("jobs", "retry", unknown).status());
        assertEquals(1, NODE.run("jobs", "cancel", unknown).status());

        String sleeping = submit("sleep", "{\"ms\":20000}");
        Await.until("the sleep job runs", () -> json(NODE.run("--output", "json", "jobs", "get", sleeping))
                .get("state").asText().equals("running"));
        CliTestNode.Run retryRunning = NODE.run("jobs", "retry", sleeping);
        assertEquals(1, retryRunning.status());
        assertTrue(retryRunning.err().contains("409") && retryRunning.err().contains("running"), retryRunning.err());
        JsonNode cancelled = json(NODE.run("--output", "json", "jobs", "cancel", sleeping));
        assertEquals("cancelled", cancelled.get("state").asText());
        CliTestNode.Run again = NODE.run("jobs", "cancel", sleeping);
        assertEquals(1, again.status());
        assertTrue(again.err().contains("409"), again.err());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        for (String[] args : new String[][] {{"jobs", "list", "--limit", "0"}, {"jobs", "list", "--state", "dead"},
                {"jobs", "list", "--since", "last tuesday"}, {"jobs", "get", "not/an/id"}, {"jobs", "get"}, {"jobs"},
                {"jobs", "list", "--limit", "many"}}) {
            CliTestNode.Run r = NODE.run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
        }
        assertTrue(NODE.run("jobs", "list", "--state", "dead").err().contains("--state 'dead'"));
    }
}
