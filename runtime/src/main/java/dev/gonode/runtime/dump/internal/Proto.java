package dev.gonode.runtime.dump.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A protobuf message being encoded: the few wire-format primitives {@code profile.proto} needs
 * (varints, length-delimited strings and sub-messages, packed repeated varints).
 *
 * <p>Implementation notes. Protocol Buffers' wire format: each field is a key
 * {@code (field number << 3) | wire type} as a varint, then the value; wire type 0 is a varint
 * (7 bits per byte, least significant group first, high bit set on all but the last byte; negative
 * int64 values take ten bytes), wire type 2 a varint length followed by that many bytes. A packed
 * repeated field is one length-delimited field holding the concatenated varints. A message is
 * encoded into this growable buffer and then copied, with its length, into its parent or onto the
 * stream; the messages here are small (a sample, a location), so the buffer is reused and the
 * copying is cheap. The JDK has no protobuf encoder and the messages are few and fixed, so a
 * dependency on protobuf-java (2 MB, plus generated classes for {@code profile.proto}) would buy
 * nothing.
 */
public final class Proto {

    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private byte[] buf = new byte[256];
    private int len;

    public Proto reset() {
        len = 0;
        return this;
    }

    /** A varint field (int64, uint64): {@code field} = {@code value}. */
    public Proto varint(int field, long value) {
        key(field, VARINT);
        raw(value);
        return this;
    }

    /** A string field, UTF-8. */
    public Proto string(int field, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        key(field, LENGTH_DELIMITED);
        raw(b.length);
        put(b, 0, b.length);
        return this;
    }

    /** A sub-message field holding what {@code message} has encoded. */
    public Proto message(int field, Proto message) {
        key(field, LENGTH_DELIMITED);
        raw(message.len);
        put(message.buf, 0, message.len);
        return this;
    }

    /** A packed repeated varint field holding {@code values[0..n)}. */
    public Proto packed(int field, long[] values, int n) {
        int size = 0;
        for (int i = 0; i < n; i++) {
            size += size(values[i]);
        }
        key(field, LENGTH_DELIMITED);
        raw(size);
        for (int i = 0; i < n; i++) {
            raw(values[i]);
        }
        return this;
    }

    /** Writes what this message has encoded, as a field of an enclosing message, to {@code out}. */
    public void writeAsField(int field, OutputStream out, Proto scratch) throws IOException {
        scratch.reset().key(field, LENGTH_DELIMITED);
        scratch.raw(len);
        out.write(scratch.buf, 0, scratch.len);
        out.write(buf, 0, len);
    }

    /** Writes the raw encoded bytes (top-level fields) to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    private void key(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    private void raw(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    private static int size(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    private void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
