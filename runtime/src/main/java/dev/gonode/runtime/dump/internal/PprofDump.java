package dev.gonode.runtime.dump.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Go's goroutine profile as {@code /debug/pprof/goroutine} serves it without {@code debug}: a
 * gzipped {@code profile.proto} (github.com/google/pprof, {@code proto/profile.proto}) with sample
 * type and period type {@code goroutine/count}, period 1, one sample per goroutine with value 1,
 * its frames as locations, and its labels as string labels of the sample.
 *
 * <p>Implementation notes. The profile streams: protobuf lets a repeated field's elements appear
 * anywhere among the message's fields, in order, so each string-table entry, function and location
 * is written the first time a sample needs it, just before that sample, instead of in a table up
 * front. Memory is therefore the interning tables (distinct strings, functions and frames), not the
 * goroutines. The string table starts with the empty string, as the format requires. Go's writer
 * merges identical (stack, labels) samples into one with a count; pprof sums equal samples itself,
 * so writing one per goroutine gives the same reports without holding groups. Functions carry the
 * Java name ({@code pkg.Class.method}) and the package-relative source path
 * ({@code dev/gonode/runtime/chan/Channel.java}); locations carry a pseudo address
 * ({@link PseudoPc}) and no mapping, which pprof accepts for symbolized profiles. The gzip stream is
 * finished, not closed: the caller owns {@code out}.
 */
public final class PprofDump {

    // profile.proto field numbers
    private static final int PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_LOCATION = 4,
            PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6, PROFILE_TIME_NANOS = 9, PROFILE_PERIOD_TYPE = 11,
            PROFILE_PERIOD = 12;
    private static final int VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2;
    private static final int SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3;
    private static final int LABEL_KEY = 1, LABEL_STR = 2;
    private static final int LOCATION_ID = 1, LOCATION_ADDRESS = 3, LOCATION_LINE = 4;
    private static final int LINE_FUNCTION_ID = 1, LINE_LINE = 2;
    private static final int FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4;

    private final OutputStream out;
    private final Map<String, Long> strings = new HashMap<>();
    private final Map<String, Long> functions = new HashMap<>();
    private final Map<StackTraceElement, Long> locations = new HashMap<>();
    private final Proto message = new Proto();
    private final Proto inner = new Proto();
    private final Proto scratch = new Proto();
    private long[] locationIds = new long[64];

    private PprofDump(OutputStream out) {
        this.out = out;
    }

    /** Writes {@code snapshots} to {@code out} as a gzipped profile; returns how many goroutines it wrote. */
    public static long write(Iterable<Snapshot> snapshots, OutputStream out) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16);
        PprofDump p = new PprofDump(gzip);
        long n = p.writeProfile(snapshots);
        gzip.finish();
        gzip.flush();
        return n;
    }

    private long writeProfile(Iterable<Snapshot> snapshots) throws IOException {
        string("");
        valueType(PROFILE_SAMPLE_TYPE);
        long n = 0;
        for (Snapshot s : snapshots) {
            sample(s);
            n++;
        }
        valueType(PROFILE_PERIOD_TYPE);
        message.reset().varint(PROFILE_PERIOD, 1).varint(PROFILE_TIME_NANOS, System.currentTimeMillis() * 1_000_000L);
        message.writeTo(out);
        return n;
    }

    private void valueType(int field) throws IOException {
        long type = string("goroutine");
        long unit = string("count");
        message.reset().varint(VALUE_TYPE_TYPE, type).varint(VALUE_TYPE_UNIT, unit).writeAsField(field, out, scratch);
    }

    private void sample(Snapshot s) throws IOException {
        StackTraceElement[] stack = s.stack();
        if (locationIds.length < stack.length) {
            locationIds = new long[stack.length];
        }
        for (int i = 0; i < stack.length; i++) {
            locationIds[i] = location(stack[i]);
        }
        Map<String, String> labels = s.labels();
        String[] keys = labels.keySet().toArray(new String[0]);
        Arrays.sort(keys);
        long[] labelIds = new long[keys.length * 2];
        int k = 0;
        for (String key : keys) {
            labelIds[k++] = string(key);
            labelIds[k++] = string(labels.get(key));
        }
        message.reset().packed(SAMPLE_LOCATION_ID, locationIds, stack.length).packed(SAMPLE_VALUE, new long[] {1}, 1);
        for (int i = 0; i < labelIds.length; i += 2) {
            message.message(SAMPLE_LABEL, inner.reset().varint(LABEL_KEY, labelIds[i]).varint(LABEL_STR, labelIds[i + 1]));
        }
        message.writeAsField(PROFILE_SAMPLE, out, scratch);
    }

    private long location(StackTraceElement f) throws IOException {
        Long id = locations.get(f);
        if (id != null) {
            return id;
        }
        String name = f.getClassName() + "." + f.getMethodName();
        long function = function(name, f);
        long locationId = locations.size() + 1L;
        locations.put(f, locationId);
        message.reset().varint(LOCATION_ID, locationId)
                .varint(LOCATION_ADDRESS, PseudoPc.pc(name, Frames.line(f)))
                .message(LOCATION_LINE, inner.reset().varint(LINE_FUNCTION_ID, function).varint(LINE_LINE, Frames.line(f)))
                .writeAsField(PROFILE_LOCATION, out, scratch);
        return locationId;
    }

    private long function(String name, StackTraceElement f) throws IOException {
        String file = Frames.sourcePath(f);
        String key = name + '\0' + file;
        Long id = functions.get(key);
        if (id != null) {
            return id;
        }
        long nameId = string(name);
        long fileId = string(file);
        long functionId = functions.size() + 1L;
        functions.put(key, functionId);
        message.reset().varint(FUNCTION_ID, functionId).varint(FUNCTION_NAME, nameId)
                .varint(FUNCTION_SYSTEM_NAME, nameId).varint(FUNCTION_FILENAME, fileId)
                .writeAsField(PROFILE_FUNCTION, out, scratch);
        return functionId;
    }

    /** The index of {@code s} in the string table, writing it there first if it is new. */
    private long string(String s) throws IOException {
        Long id = strings.get(s);
        if (id != null) {
            return id;
        }
        long index = strings.size();
        strings.put(s, index);
        scratch.reset().string(PROFILE_STRING_TABLE, s).writeTo(out);
        return index;
    }
}
