package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.WaitReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The protobuf profile decoded by hand, without Go's tools: the structure profile.proto requires
 * (string table starting with "", sample and period types goroutine/count, every id a sample or
 * location refers to defined), one sample of value 1 per goroutine, labels resolved through the
 * string table. {@link PprofTest} has go tool pprof read it too.
 */
class PprofEncodingTest {

    /** The varint and length-delimited fields of one message, by field number, in order. */
    private static Map<Integer, List<Object>> decode(ByteBuffer in) {
        Map<Integer, List<Object>> fields = new HashMap<>();
        while (in.hasRemaining()) {
            long key = varint(in);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            Object value = switch (wire) {
                case 0 -> varint(in);
                case 2 -> {
                    byte[] b = new byte[(int) varint(in)];
                    in.get(b);
                    yield b;
                }
                default -> throw new AssertionError("wire type " + wire + " is not used by profile.proto's fields here");
            };
            fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
    }

    private static Map<Integer, List<Object>> sub(Object bytes) {
        return decode(ByteBuffer.wrap((byte[]) bytes));
    }

    private static List<Long> packed(Object bytes) {
        List<Long> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap((byte[]) bytes);
        while (b.hasRemaining()) {
            out.add(varint(b));
        }
        return out;
    }

    @Test
    void theProfileIsAWellFormedGoroutineProfileWithOneSamplePerGoroutine() throws IOException {
        List<FakeGoroutine> gs = List.of(
                FakeGoroutine.parked(1, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of("job", "a", "handler", "echo")),
                FakeGoroutine.parked(2, WaitReason.CHAN_RECEIVE, Duration.ZERO, Map.of()),
                FakeGoroutine.parked(3, WaitReason.SELECT, Duration.ZERO, Map.of("job", "b")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(3, GoroutineDump.of(gs).writePprof(out));
        byte[] raw = new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())).readAllBytes();
        Map<Integer, List<Object>> profile = decode(ByteBuffer.wrap(raw));

        List<String> strings = profile.get(6).stream().map(b -> new String((byte[]) b, StandardCharsets.UTF_8)).toList();
        assertEquals("", strings.getFirst(), "the string table starts with the empty string");
        for (int field : new int[] {1, 11}) { // sample_type, period_type
            Map<Integer, List<Object>> type = sub(profile.get(field).getFirst());
            assertEquals("goroutine", strings.get((int) (long) (Long) type.get(1).getFirst()));
            assertEquals("count", strings.get((int) (long) (Long) type.get(2).getFirst()));
        }
        assertEquals(1L, profile.get(12).getFirst(), "period");

        Map<Long, Long> locationFunction = new HashMap<>();
        for (Object l : profile.get(4)) {
            Map<Integer, List<Object>> loc = sub(l);
            Map<Integer, List<Object>> line = sub(loc.get(4).getFirst());
            locationFunction.put((Long) loc.get(1).getFirst(), (Long) line.get(1).getFirst());
        }
        Map<Long, String> functionName = new HashMap<>();
        for (Object f : profile.get(5)) {
            Map<Integer, List<Object>> fn = sub(f);
            functionName.put((Long) fn.get(1).getFirst(), strings.get((int) (long) (Long) fn.get(2).getFirst()));
        }
        List<Map<String, String>> sampleLabels = new ArrayList<>();
        for (Object s : profile.get(2)) {
            Map<Integer, List<Object>> sample = sub(s);
            assertEquals(List.of(1L), packed(sample.get(2).getFirst()), "one goroutine per sample");
            List<String> frames = packed(sample.get(1).getFirst()).stream()
                    .map(id -> functionName.get(locationFunction.get(id))).toList();
            assertEquals(List.of("dev.gonode.runtime.chan.Channel.receive", "com.example.Echo.serve"), frames,
                    "every location and function a sample refers to is defined, innermost first");
            Map<String, String> labels = new HashMap<>();
            for (Object l : sample.getOrDefault(3, List.of())) {
                Map<Integer, List<Object>> label = sub(l);
                labels.put(strings.get((int) (long) (Long) label.get(1).getFirst()),
                        strings.get((int) (long) (Long) label.get(2).getFirst()));
            }
            sampleLabels.add(labels);
        }
        assertEquals(List.of(Map.of("job", "a", "handler", "echo"), Map.of(), Map.of("job", "b")), sampleLabels);
        assertEquals(2, locationFunction.size(), "equal frames share one location");
        assertTrue(strings.stream().distinct().count() == strings.size(), "each string once in the table");
    }
}
