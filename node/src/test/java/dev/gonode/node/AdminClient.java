package dev.gonode.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A tiny HTTP client for the node's ports in tests. */
public final class AdminClient {

    /** A response: status, raw body, the body parsed as JSON, and the headers. */
    public record Reply(int status, String contentType, String body, JsonNode json, Map<String, java.util.List<String>> headers) {
        public String header(String name) {
            for (Map.Entry<String, java.util.List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private final String base;

    public AdminClient(String host, int port) {
        this.base = "http://" + host + ":" + port;
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path);
    }

    public Reply send(String method, String path) throws IOException, InterruptedException {
        return send(method, path, null, Map.of());
    }

    /** POSTs {@code json} as {@code application/json}. */
    public Reply postJson(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, json, Map.of("Content-Type", "application/json"));
    }

    /** Sends {@code body} (or none) with {@code headers}. */
    public Reply send(String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        String contentType = response.headers().firstValue("content-type").orElse("");
        JsonNode json = text.isEmpty() || !contentType.startsWith("application/json") ? null : JSON.readTree(text);
        return new Reply(response.statusCode(), contentType, text, json,
                response.headers().map());
    }
}
