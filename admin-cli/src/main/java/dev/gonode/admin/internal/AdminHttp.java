package dev.gonode.admin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The CLI's HTTP client for a node's admin port. Every failure becomes an {@link AdminException}
 * with the exit status the CLI documents: 4 when the node cannot be reached (with the URL and the
 * port-forward hint), 1 when the node answers with an error (its message shown; 401 says the token
 * is missing or wrong).
 */
public final class AdminHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final Duration timeout;
    private final HttpClient client;

    public AdminHttp(String url, String token, Duration timeout) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token == null || token.isBlank() ? null : token;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** {@code other}'s node and token with another timeout (for waits the node itself bounds). */
    public AdminHttp(AdminHttp other, Duration timeout) {
        this(other.base, other.token, timeout);
    }

    /** The node's answer: status, content type, body. */
    public record Answer(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AdminException(AdminException.NODE_ERROR, "the node's answer is not JSON: " + e.getMessage());
            }
        }
    }

    public Answer get(String path) {
        return send("GET", path, null, null);
    }

    public Answer post(String path) {
        return send("POST", path, null, null);
    }

    public Answer put(String path, String json) {
        return send("PUT", path, json, null);
    }

    /** GET with an {@code Accept} header. */
    public Answer get(String path, String accept) {
        return send("GET", path, null, accept);
    }

    /** Streams the body of {@code GET path} into {@code out} without holding it in memory. */
    public void stream(String path, OutputStream out) {
        try (InputStream in = open(path)) {
            in.transferTo(out);
            out.flush();
        } catch (IOException e) {
            throw new AdminException(AdminException.NODE_ERROR, "reading the answer of " + base + path + " failed: " + e);
        }
    }

    /** Streams the text body of {@code GET path} into {@code out} without holding it in memory. */
    public void stream(String path, Writer out) {
        try (Reader in = new InputStreamReader(open(path), StandardCharsets.UTF_8)) {
            in.transferTo(out);
            out.flush();
        } catch (IOException e) {
            throw new AdminException(AdminException.NODE_ERROR, "reading the answer of " + base + path + " failed: " + e);
        }
    }

    /** The body of {@code GET path} as a stream, once the node has answered 2xx. */
    private InputStream open(String path) throws IOException {
        HttpResponse<InputStream> response = exchange(request("GET", path, null, null, false),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            try (InputStream in = response.body()) {
                throw failure(response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return response.body();
    }

    private Answer send(String method, String path, String json, String accept) {
        HttpResponse<String> response = exchange(request(method, path, json, accept, true),
                HttpResponse.BodyHandlers.ofString());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() / 100 != 2) {
            throw failure(response.statusCode(), response.body());
        }
        return new Answer(response.statusCode(), contentType, response.body());
    }

    private HttpRequest request(String method, String path, String json, String accept, boolean bounded) {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.USAGE, "--url " + base + " is not a valid URL: " + e.getMessage());
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (bounded) {
            b.timeout(timeout);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable(e);
        } catch (HttpTimeoutException e) {
            throw new AdminException(AdminException.NODE_ERROR, "the node at " + base + " did not answer within "
                    + timeout.toMillis() + " ms (--timeout)");
        } catch (IOException e) {
            if (e.getCause() instanceof ConnectException) {
                throw unreachable(e);
            }
            throw new AdminException(AdminException.UNREACHABLE, "cannot talk to the node at " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(AdminException.NODE_ERROR, "interrupted");
        }
    }

    private AdminException unreachable(Exception e) {
        return new AdminException(AdminException.UNREACHABLE, "cannot reach the node's admin port at " + base
                + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "). Is the node"
                + " running? From outside the cluster, forward the port first: kubectl port-forward deploy/gonode 9090");
    }

    private AdminException failure(int status, String body) {
        String message = body;
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.has("message")) {
                message = error.path("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: show the body as it is
        }
        if (status == 401) {
            return new AdminException(AdminException.NODE_ERROR, "the node refused the request (401): the admin token"
                    + " is " + (token == null ? "missing; pass --token or set GONODE_ADMIN_TOKEN" : "wrong") + "");
        }
        return new AdminException(AdminException.NODE_ERROR, "the node answered " + status + ": " + message.strip());
    }
}
