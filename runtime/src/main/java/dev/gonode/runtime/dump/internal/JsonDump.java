package dev.gonode.runtime.dump.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gonode.runtime.GoDuration;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON dump, streamed with Jackson's {@link JsonGenerator} one goroutine at a time:
 *
 * <pre>
 * {"time":"2026-11-22T21:50:00Z","goroutines":[
 *   {"id":18,"name":"worker-1","state":"waiting","status":"chan receive","waitReason":"chan receive",
 *    "waitNanos":312000000000,"wait":"5m12s","parentId":1,"labels":{"job":"echo-7"},
 *    "frames":[{"function":"com.example.Echo.serve","class":"com.example.Echo","method":"serve",
 *               "file":"Echo.java","line":31}],
 *    "createdBy":{"function":"com.example.Jobs.start",...},"creationSite":[...]}],
 *  "count":1}
 * </pre>
 *
 * <p>Implementation notes. Numbers are JSON numbers (ids and nanoseconds fit a double's 53 bits
 * for 104 days of waiting; readers needing more use {@code wait}). Fields that do not apply are
 * {@code null} rather than absent, so every object has the same keys. {@code count} comes last
 * because a streamed dump knows it only at the end. The generator is not closed: the caller owns
 * the stream.
 */
public final class JsonDump {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonDump() {
    }

    /** Writes {@code snapshots} to {@code out} as UTF-8 JSON; returns how many it wrote. */
    public static long write(Iterable<Snapshot> snapshots, OutputStream out) throws IOException {
        JsonGenerator json = FACTORY.createGenerator(out, JsonEncoding.UTF8);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.writeStartObject();
        json.writeStringField("time", Instant.now().toString());
        json.writeArrayFieldStart("goroutines");
        long n = 0;
        for (Snapshot s : snapshots) {
            goroutine(json, s);
            if (++n % 256 == 0) {
                json.flush();
            }
        }
        json.writeEndArray();
        json.writeNumberField("count", n);
        json.writeEndObject();
        json.flush();
        return n;
    }

    private static void goroutine(JsonGenerator json, Snapshot s) throws IOException {
        json.writeStartObject();
        json.writeNumberField("id", s.id());
        json.writeStringField("name", s.name());
        json.writeStringField("state", s.state().goName());
        json.writeStringField("status", s.status());
        json.writeStringField("waitReason", s.waitReason() == null ? null : s.waitReason().goName());
        json.writeNumberField("waitNanos", s.waitNanos());
        json.writeStringField("wait", GoDuration.format(Duration.ofNanos(s.waitNanos())));
        json.writeNumberField("parentId", s.parentId());
        json.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> e : new TreeMap<>(s.labels()).entrySet()) {
            json.writeStringField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
        json.writeArrayFieldStart("frames");
        for (StackTraceElement f : s.stack()) {
            frame(json, f);
        }
        json.writeEndArray();
        List<StackTraceElement> site = s.creationSite();
        json.writeFieldName("createdBy");
        if (site.isEmpty()) {
            json.writeNull();
        } else {
            frame(json, site.get(0));
        }
        json.writeArrayFieldStart("creationSite");
        for (StackTraceElement f : site) {
            frame(json, f);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void frame(JsonGenerator json, StackTraceElement f) throws IOException {
        json.writeStartObject();
        json.writeStringField("function", f.getClassName() + "." + f.getMethodName());
        json.writeStringField("class", f.getClassName());
        json.writeStringField("method", f.getMethodName());
        json.writeStringField("file", f.getFileName());
        json.writeNumberField("line", Frames.line(f));
        json.writeEndObject();
    }
}
