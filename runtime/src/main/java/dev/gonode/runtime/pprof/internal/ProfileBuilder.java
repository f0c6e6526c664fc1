package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.dump.internal.Proto;
import dev.gonode.runtime.dump.internal.PseudoPc;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * A pprof profile being built: samples (a stack, string labels, one value per sample type) summed
 * by (stack, labels), then written as a gzipped {@code profile.proto} that {@code go tool pprof}
 * and Grafana Pyroscope read.
 *
 * <p>Implementation notes. Samples are aggregated as they are added, so memory is one entry per
 * distinct (stack, labels), not one per event; at most {@code maxSamples} distinct entries are
 * kept, and what arrives after that is summed into one sample whose single frame says so (the
 * totals stay right, only the attribution of the excess is lost). Writing follows the goroutine
 * profile's encoder ({@code dump.internal.PprofDump}): the same {@link Proto} primitives, the
 * string table starting with "", each string, function and location written just before the
 * first sample that needs it, pseudo addresses from {@link PseudoPc} (whose table
 * {@code /debug/pprof/symbol} reads to name them) and no mapping, which pprof
 * accepts for a symbolized profile. {@code default_sample_type} picks what {@code go tool pprof}
 * shows first, as Go's heap profile does with {@code inuse_space}.
 */
public final class ProfileBuilder {

    // profile.proto field numbers
    private static final int PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_LOCATION = 4,
            PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6, PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS = 10,
            PROFILE_PERIOD_TYPE = 11, PROFILE_PERIOD = 12, PROFILE_DEFAULT_SAMPLE_TYPE = 14;
    private static final int VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2;
    private static final int SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3;
    private static final int LABEL_KEY = 1, LABEL_STR = 2;
    private static final int LOCATION_ID = 1, LOCATION_ADDRESS = 3, LOCATION_LINE = 4;
    private static final int LINE_FUNCTION_ID = 1, LINE_LINE = 2;
    private static final int FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4;

    /** A sample type or the period type: {@code cpu/nanoseconds}. */
    public record ValueType(String type, String unit) {
    }

    private record Key(List<Frame> stack, Map<String, String> labels) {
    }

    private final List<ValueType> sampleTypes;
    private final ValueType periodType;
    private final long period;
    private final String defaultSampleType;
    private final int maxSamples;
    private final Map<Key, long[]> samples = new LinkedHashMap<>();
    private Key overflow;
    private long timeNanos = System.currentTimeMillis() * 1_000_000L;
    private long durationNanos;

    /**
     * A profile with {@code sampleTypes} (each sample has one value per type, in this order), whose
     * period is {@code period} {@code periodType}s; {@code defaultSampleType} ({@code null}: the
     * last) is what pprof shows first.
     */
    public ProfileBuilder(List<ValueType> sampleTypes, ValueType periodType, long period, String defaultSampleType,
                          int maxSamples) {
        this.sampleTypes = List.copyOf(sampleTypes);
        this.periodType = periodType;
        this.period = period;
        this.defaultSampleType = defaultSampleType;
        this.maxSamples = maxSamples;
    }

    /** When collection began (wall clock, ms since the epoch) and how long it lasted. */
    public ProfileBuilder window(long startMillis, long durationNanos) {
        this.timeNanos = startMillis * 1_000_000L;
        this.durationNanos = durationNanos;
        return this;
    }

    /** Adds {@code values} to the sample of {@code stack} (leaf first) with {@code labels}. */
    public void add(List<Frame> stack, Map<String, String> labels, long... values) {
        if (values.length != sampleTypes.size()) {
            throw new IllegalArgumentException(values.length + " values for " + sampleTypes.size() + " sample types");
        }
        Key key = new Key(stack, labels);
        long[] sum = samples.get(key);
        if (sum == null) {
            if (samples.size() >= maxSamples) {
                if (overflow == null) {
                    overflow = new Key(List.of(new Frame("(gonode: more than " + maxSamples
                            + " distinct stacks; the rest are summed here)", "", 0)), Map.of());
                }
                key = overflow;
                sum = samples.get(key);
            }
            if (sum == null) {
                sum = new long[values.length];
                samples.put(key, sum);
            }
        }
        for (int i = 0; i < values.length; i++) {
            sum[i] += values[i];
        }
    }

    /** How many distinct samples the profile holds. */
    public int size() {
        return samples.size();
    }

    /** Writes the profile, gzipped, to {@code out} (finished, not closed). */
    public void write(OutputStream out) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16);
        new Writer(gzip).write();
        gzip.finish();
        gzip.flush();
    }

    private final class Writer {
        private final OutputStream out;
        private final Map<String, Long> strings = new HashMap<>();
        private final Map<Frame, Long> locations = new HashMap<>();
        private final Map<String, Long> functions = new HashMap<>();
        private final Proto message = new Proto();
        private final Proto inner = new Proto();
        private final Proto scratch = new Proto();

        Writer(OutputStream out) {
            this.out = out;
        }

        void write() throws IOException {
            string("");
            for (ValueType t : sampleTypes) {
                valueType(PROFILE_SAMPLE_TYPE, t);
            }
            for (Map.Entry<Key, long[]> e : samples.entrySet()) {
                sample(e.getKey(), e.getValue());
            }
            valueType(PROFILE_PERIOD_TYPE, periodType);
            message.reset().varint(PROFILE_PERIOD, period).varint(PROFILE_TIME_NANOS, timeNanos);
            if (durationNanos > 0) {
                message.varint(PROFILE_DURATION_NANOS, durationNanos);
            }
            if (defaultSampleType != null) {
                message.varint(PROFILE_DEFAULT_SAMPLE_TYPE, string(defaultSampleType));
            }
            message.writeTo(out);
        }

        private void valueType(int field, ValueType t) throws IOException {
            long type = string(t.type());
            long unit = string(t.unit());
            message.reset().varint(VALUE_TYPE_TYPE, type).varint(VALUE_TYPE_UNIT, unit).writeAsField(field, out, scratch);
        }

        private void sample(Key key, long[] values) throws IOException {
            long[] ids = new long[key.stack().size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = location(key.stack().get(i));
            }
            Map<String, String> labels = key.labels().size() > 1 ? new TreeMap<>(key.labels()) : key.labels();
            long[] labelIds = new long[labels.size() * 2];
            int k = 0;
            for (Map.Entry<String, String> e : labels.entrySet()) {
                labelIds[k++] = string(e.getKey());
                labelIds[k++] = string(e.getValue());
            }
            message.reset().packed(SAMPLE_LOCATION_ID, ids, ids.length).packed(SAMPLE_VALUE, values, values.length);
            for (int i = 0; i < labelIds.length; i += 2) {
                message.message(SAMPLE_LABEL, inner.reset().varint(LABEL_KEY, labelIds[i]).varint(LABEL_STR, labelIds[i + 1]));
            }
            message.writeAsField(PROFILE_SAMPLE, out, scratch);
        }

        private long location(Frame f) throws IOException {
            Long id = locations.get(f);
            if (id != null) {
                return id;
            }
            long function = function(f);
            long locationId = locations.size() + 1L;
            locations.put(f, locationId);
            long pc = PseudoPc.pc(f.function(), f.line());
            message.reset().varint(LOCATION_ID, locationId).varint(LOCATION_ADDRESS, pc)
                    .message(LOCATION_LINE, inner.reset().varint(LINE_FUNCTION_ID, function).varint(LINE_LINE, f.line()))
                    .writeAsField(PROFILE_LOCATION, out, scratch);
            return locationId;
        }

        private long function(Frame f) throws IOException {
            String key = f.function() + '\0' + f.file();
            Long id = functions.get(key);
            if (id != null) {
                return id;
            }
            long nameId = string(f.function());
            long fileId = string(f.file());
            long functionId = functions.size() + 1L;
            functions.put(key, functionId);
            message.reset().varint(FUNCTION_ID, functionId).varint(FUNCTION_NAME, nameId)
                    .varint(FUNCTION_SYSTEM_NAME, nameId).varint(FUNCTION_FILENAME, fileId)
                    .writeAsField(PROFILE_FUNCTION, out, scratch);
            return functionId;
        }

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
}
