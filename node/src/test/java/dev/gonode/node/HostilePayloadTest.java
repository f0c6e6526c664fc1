package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Payloads a hostile or careless client sends: numbers beyond their type, values of the wrong type,
 * data after the JSON, and JSON nested to the node's limit. Each is refused with 400 naming what is
 * wrong, or, when accepted, answered in full.
 */
class HostilePayloadTest {

    private static Node node;
    private static AdminClient api;

    @BeforeAll
    static void startNode() throws StartupException {
        NodeConfig config = TestNodes.config();
        // Room for the deepest payload the node reads (two bytes a level).
        node = Node.start(config.withServer(new NodeConfig.Server(config.server().host(), 0, 8192,
                config.server().idleTimeout(), config.server().requestHeaderTimeout(), config.server().maxConnections())));
        api = new AdminClient("127.0.0.1", node.serverPort());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** Reads answers deeper than Jackson's default limit, which the node's answers may be. */
    private static final ObjectMapper DEEP = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10 * Json.MAX_PAYLOAD_DEPTH).build())
            .build());
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String base() {
        return "http://127.0.0.1:" + node.serverPort();
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRejected(String handler, String payload, String field) throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/" + handler, payload);
        assertEquals(400, reply.status(), payload + " -> " + reply.body());
        assertEquals("payload_rejected", reply.json().path("error").path("code").asText(), reply.body());
        String message = reply.json().path("error").path("message").asText();
        assertTrue(message.contains(field), "the message names " + field + ": " + message);
    }

    @Test
    void integersBeyondTheirTypeAreRefusedNotWrapped() throws Exception {
        assertRejected("sha256", "{\"data\":\"x\",\"rounds\":18446744073709551617}", "rounds");
        assertRejected("fanout", "{\"items\":[1],\"parallelism\":4294967297}", "parallelism");
        assertRejected("sleep", "{\"ms\":18446744073709551716}", "ms");
        assertRejected("sleep", "{\"ms\":-9223372036854775809}", "ms");
        assertRejected("fanout", "{\"items\":[{\"sleep_ms\":18446744073709551716}]}", "items[0].sleep_ms");
    }

    @Test
    void integersOutsideTheHandlersRangeAreRefused() throws Exception {
        assertRejected("sha256", "{\"data\":\"x\",\"rounds\":0}", "rounds");
        assertRejected("sha256", "{\"data\":\"x\",\"rounds\":10000001}", "rounds");
        assertRejected("fanout", "{\"items\":[],\"parallelism\":1025}", "parallelism");
        assertRejected("sleep", "{\"ms\":3600001}", "ms");
        assertRejected("sleep", "{\"ms\":-1}", "ms");
    }

    @Test
    void valuesOfTheWrongTypeAreRefused() throws Exception {
        assertRejected("fanout", "{\"items\":[{\"sleep_ms\":\"abc\"}]}", "items[0].sleep_ms");
        assertRejected("fanout", "{\"items\":[1,{\"fail\":7}]}", "items[1].fail");
        assertRejected("fanout", "{\"items\":{}}", "items");
        assertRejected("fanout", "{\"items\":[],\"parallelism\":2.5}", "parallelism");
        assertRejected("sleep", "{\"ms\":\"10\"}", "ms");
        assertRejected("sleep", "{\"ms\":10.0}", "ms");
        assertRejected("sleep", "{\"ms\":null}", "ms");
        assertRejected("sleep", "{}", "ms");
        assertRejected("sleep", "[10]", "JSON object");
        assertRejected("sha256", "{\"data\":42}", "data");
    }

    @Test
    void aMalformedItemIsRefusedBeforeAnyItemRuns() throws Exception {
        // The first item would sleep for the handler's whole deadline if it were started.
        AdminClient.Reply reply = api.postJson("/v1/jobs/fanout?timeout=5s",
                "{\"items\":[{\"sleep_ms\":3600000},{\"sleep_ms\":\"later\"}],\"parallelism\":2}");
        assertEquals(400, reply.status(), reply.body());
        assertTrue(reply.json().path("error").path("message").asText().contains("items[1].sleep_ms"), reply.body());
    }

    @Test
    void validFieldsStillWork() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/fanout", "{\"items\":[{\"sleep_ms\":1},\"x\"],\"parallelism\":1024}");
        assertEquals(200, reply.status(), reply.body());
        assertEquals(2, reply.json().path("result").path("results").size(), reply.body());
        assertEquals(200, api.postJson("/v1/jobs/sleep", "{\"ms\":0}").status());
        assertEquals(200, api.postJson("/v1/jobs/sha256", "{\"data\":\"\",\"rounds\":3}").status());
    }

    @Test
    void dataAfterTheJsonIsRefused() throws Exception {
        for (String body : new String[] {"{\"a\":1} xyz", "{\"a\":1} {\"b\":2}", "{\"a\":1}]", "1 2"}) {
            AdminClient.Reply reply = api.postJson("/v1/jobs/echo", body);
            assertEquals(400, reply.status(), body + " -> " + reply.body());
            assertEquals("invalid_json", reply.json().path("error").path("code").asText(), reply.body());
        }
        assertEquals(200, api.postJson("/v1/jobs/echo", "{\"a\":1} \n\t ").status(), "trailing white space is fine");
    }

    @Test
    void aKeyTwiceIsRefused() throws Exception {
        AdminClient.Reply reply = api.postJson("/v1/jobs/sleep", "{\"ms\":1,\"ms\":3600000}");
        assertEquals(400, reply.status(), reply.body());
        assertEquals("invalid_json", reply.json().path("error").path("code").asText(), reply.body());
    }

    @Test
    void jsonNestedToTheLimitIsAnsweredAndOneLevelMoreIsRefused() throws Exception {
        int limit = Json.MAX_PAYLOAD_DEPTH;
        String deepest = "[".repeat(limit) + "]".repeat(limit);
        HttpResponse<String> echoed = post("/v1/jobs/echo", deepest);
        assertEquals(200, echoed.statusCode(), echoed.body());
        JsonNode answer = DEEP.readTree(echoed.body());
        assertEquals(deepest, answer.get("result").toString());
        HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/v1/jobs/"
                + answer.get("id").asText())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(deepest, DEEP.readTree(again.body()).get("result").toString());

        // fanout puts an item three levels deeper in its answer than in its payload.
        String deepItem = "[".repeat(limit - 2) + "]".repeat(limit - 2);
        HttpResponse<String> fanned = post("/v1/jobs/fanout", "{\"items\":[" + deepItem + "]}");
        assertEquals(200, fanned.statusCode(), fanned.body());
        JsonNode item = DEEP.readTree(fanned.body()).path("result").path("results").path(0).path("item");
        assertEquals(deepItem, item.toString());

        String tooDeep = "[".repeat(limit + 1) + "]".repeat(limit + 1);
        AdminClient.Reply refused = api.postJson("/v1/jobs/echo", tooDeep);
        assertEquals(400, refused.status(), refused.body());
        assertEquals("invalid_json", refused.json().path("error").path("code").asText(), refused.body());
    }
}
