package dev.gonode.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A raw socket HTTP/1.1 client for tests of what a hostile or broken client does: it writes exactly
 * the bytes it is given and reads answers byte by byte, so a test controls the timing and can wait
 * for the server to close the connection (end of stream), never for a fixed time.
 */
final class RawHttp implements AutoCloseable {

    /** An answer: the status, the headers in one lower-cased block, and the body. */
    record Answer(int status, String headers, String body) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(body);
        }
    }

    /** How long a read may block before the test fails: a safety net, far above any timeout under test. */
    static final int READ_TIMEOUT_MILLIS = 20_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Writes {@code text} (ISO-8859-1, as HTTP's head is) and flushes. */
    RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Sends a GET of {@code path} with only a Host header. */
    RawHttp get(String path) throws IOException {
        return send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
    }

    /** Reads one answer; its body must have a Content-Length (the node's answers do). */
    Answer read() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection after " + head.size() + " bytes of an answer: "
                        + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(text.substring(9, 12));
        String headers = text.substring(text.indexOf("\r\n") + 2).toLowerCase(Locale.ROOT);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Blocks until the server closes the connection (end of stream or reset) and returns the bytes
     * it sent before that; fails if it is still open after {@link #READ_TIMEOUT_MILLIS}.
     */
    String awaitClose() throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try {
            for (int b; (b = in.read()) >= 0; ) {
                seen.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + READ_TIMEOUT_MILLIS + " ms", e);
        } catch (SocketException e) {
            // reset by the server: closed as well
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
