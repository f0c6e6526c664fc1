package dev.gonode.admin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.admin.GonodeAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * The CLI's HTTP client for a node's admin port. Every failure becomes an {@link AdminException}
 * with the exit status the CLI documents: 4 when the node cannot be reached (with the URL and the
 * port-forward hint), 1 when the node answers with an error (its message shown; 401 says the token
 * is missing or wrong), 2 when {@code --url} is not an http(s) URL.
 *
 * <p>Implementation notes. It is built on {@link HttpURLConnection} rather than
 * {@code java.net.http.HttpClient}: a CLI makes one or two requests and exits, and building an
 * {@code HttpClient} costs about 0.3 s of start-up on a small machine (it initialises TLS and a
 * selector thread even for plain http), more than everything else a command does. {@code --timeout}
 * bounds the connection and each wait for data (the connection's read timeout); redirects are not
 * followed, so a request always reaches the URL given.
 */
public final class AdminHttp {

    private final String base;
    private final String token;
    private final Duration timeout;

    public AdminHttp(String url, String token, Duration timeout) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token == null || token.isBlank() ? null : token;
        this.timeout = timeout;
    }

    /** The client for the node the global options of {@code root} name. */
    public static AdminHttp of(GonodeAdmin root) {
        return new AdminHttp(root.url(), root.token(), root.timeout());
    }

    /** {@code other}'s node and token with another timeout (for waits the node itself bounds). */
    public AdminHttp(AdminHttp other, Duration timeout) {
        this(other.base, other.token, timeout);
    }

    /** The node's answer: status, content type, body. */
    public record Answer(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return Json.parse(body);
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
        } catch (SocketTimeoutException e) {
            throw silent();
        } catch (IOException e) {
            throw new AdminException(AdminException.NODE_ERROR, "reading the answer of " + base + path + " failed: " + e);
        }
    }

    /** Streams the text body of {@code GET path} into {@code out} without holding it in memory. */
    public void stream(String path, Writer out) {
        try (Reader in = new InputStreamReader(open(path), StandardCharsets.UTF_8)) {
            in.transferTo(out);
            out.flush();
        } catch (SocketTimeoutException e) {
            throw silent();
        } catch (IOException e) {
            throw new AdminException(AdminException.NODE_ERROR, "reading the answer of " + base + path + " failed: " + e);
        }
    }

    /** The body of {@code GET path} as a stream, once the node has answered 2xx. */
    private InputStream open(String path) {
        HttpURLConnection connection = connect("GET", path, null, null);
        int status = status(connection);
        if (status / 100 != 2) {
            throw failure(status, body(connection, status));
        }
        try {
            return connection.getInputStream();
        } catch (IOException e) {
            throw talkFailure(e);
        }
    }

    private Answer send(String method, String path, String json, String accept) {
        HttpURLConnection connection = connect(method, path, json, accept);
        int status = status(connection);
        String body = body(connection, status);
        if (status / 100 != 2) {
            throw failure(status, body);
        }
        String contentType = connection.getContentType();
        return new Answer(status, contentType == null ? "" : contentType, body);
    }

    /** Opens the connection and sends the request (and its body, if any). */
    private HttpURLConnection connect(String method, String path, String json, String accept) {
        HttpURLConnection connection = (HttpURLConnection) openConnection(url(path));
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        connection.setConnectTimeout(millis);
        connection.setReadTimeout(millis);
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        try {
            connection.setRequestMethod(method);
            if (accept != null) {
                connection.setRequestProperty("Accept", accept);
            }
            if (token != null) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (!method.equals("GET")) {
                byte[] bytes = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
                if (json != null) {
                    connection.setRequestProperty("Content-Type", "application/json");
                }
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(bytes.length);
                try (OutputStream body = connection.getOutputStream()) {
                    body.write(bytes);
                }
            } else {
                connection.connect();
            }
        } catch (IOException e) {
            throw talkFailure(e);
        }
        return connection;
    }

    private URL url(String path) {
        String scheme = base.contains("://") ? base.substring(0, base.indexOf("://")).toLowerCase(Locale.ROOT) : "";
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new AdminException(AdminException.USAGE, "--url " + base + " is not an http:// or https:// URL;"
                    + " give the node's admin port, such as http://127.0.0.1:9090");
        }
        try {
            return URI.create(base + path).toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            throw new AdminException(AdminException.USAGE, "--url " + base + " is not a valid URL: " + e.getMessage());
        }
    }

    private static java.net.URLConnection openConnection(URL url) {
        try {
            return url.openConnection();
        } catch (IOException e) {
            throw new AdminException(AdminException.USAGE, "cannot use --url " + url + ": " + e.getMessage());
        }
    }

    private int status(HttpURLConnection connection) {
        try {
            return connection.getResponseCode();
        } catch (IOException e) {
            throw talkFailure(e);
        }
    }

    /** The whole body of an answer, 2xx or not. */
    private String body(HttpURLConnection connection, int status) {
        try (InputStream in = status / 100 == 2 ? connection.getInputStream() : connection.getErrorStream()) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw talkFailure(e);
        }
    }

    private AdminException talkFailure(IOException e) {
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException
                || (e instanceof SocketTimeoutException && "Connect timed out".equalsIgnoreCase(e.getMessage()))) {
            return unreachable(e);
        }
        if (e instanceof SocketTimeoutException) {
            return silent();
        }
        return new AdminException(AdminException.UNREACHABLE, "cannot talk to the node at " + base + ": " + e);
    }

    private AdminException silent() {
        return new AdminException(AdminException.NODE_ERROR, "the node at " + base + " did not answer within "
                + timeout.toMillis() + " ms (--timeout)");
    }

    private AdminException unreachable(Exception e) {
        return new AdminException(AdminException.UNREACHABLE, "cannot reach the node's admin port at " + base
                + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "). Is the node"
                + " running? From outside the cluster, forward the port first: kubectl port-forward deploy/gonode 9090");
    }

    private AdminException failure(int status, String body) {
        String message = body;
        try {
            JsonNode error = Json.parse(body).path("error");
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
