package dev.gonode.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny HTTP client for the admin port in tests. */
public final class AdminClient {

    /** A response: status, raw body and the body parsed as JSON. */
    public record Reply(int status, String contentType, String body, JsonNode json) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String base;

    public AdminClient(String host, int port) {
        this.base = "http://" + host + ":" + port;
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path);
    }

    public Reply send(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        JsonNode json = body.isEmpty() ? null : JSON.readTree(body);
        return new Reply(response.statusCode(), response.headers().firstValue("content-type").orElse(""), body, json);
    }
}
