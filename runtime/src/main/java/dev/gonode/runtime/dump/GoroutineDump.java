package dev.gonode.runtime.dump;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.dump.internal.Debug1Text;
import dev.gonode.runtime.dump.internal.Debug2Text;
import dev.gonode.runtime.dump.internal.JsonDump;
import dev.gonode.runtime.dump.internal.PprofDump;
import dev.gonode.runtime.dump.internal.PseudoPc;
import dev.gonode.runtime.dump.internal.Selection;
import dev.gonode.runtime.dump.internal.Snapshot;
import dev.gonode.runtime.internal.sched.GoRuntime;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A goroutine dump in Go's formats: what {@code /debug/pprof/goroutine} serves for a Go program,
 * for gonode's goroutines.
 *
 * <pre>{@code
 * GoroutineDump.all().writeDebug2(System.out);                    // every goroutine, Go's debug=2
 * GoroutineDump.all()
 *         .filter(DumpFilter.all().waitReasons("chan receive").minWait("5m"))
 *         .style(TextStyle.GO_TOOLS)                              // for panicparse
 *         .writeDebug2(writer);
 * GoroutineDump.all().write(DumpFormat.ofDebug(debug), response); // an HTTP handler: 0, 1 or 2
 * GoroutineDump.all().writeJson(out);                             // JSON, exact wait durations
 * String block = GoroutineDump.format(goroutine);                 // one goroutine's block
 * }</pre>
 *
 * <p>Formats: {@link #writeDebug2} (Go's {@code debug=2}, a block per goroutine),
 * {@link #writeDebug1} (Go's {@code debug=1}, goroutines counted by identical stack),
 * {@link #writeJson} and {@link #writePprof} (gzipped {@code profile.proto} for
 * {@code go tool pprof}). All list goroutines lowest id first.
 *
 * <p>A dump streams: it takes each goroutine's stack (a few µs for a parked one) shortly before
 * writing it, so its memory does not grow with the number of goroutines (except {@code debug=1},
 * which must group, and holds one entry per distinct stack and labels). On a machine with at least
 * 4 processors, stacks are taken a few hundred goroutines ahead on helper threads (half the
 * processors, at most 4), which retire when the dump ends. It is not a
 * stop-the-world snapshot: goroutines keep running while it is taken. Dumps are sensitive
 * (stacks show code paths, labels show job ids): serve them on the admin listener only.
 * Instances are immutable and may be reused; each write takes a fresh dump.
 */
public final class GoroutineDump {

    private final Supplier<Stream<? extends Goroutine>> source;
    private final DumpFilter filter;
    private final TextStyle style;

    private GoroutineDump(Supplier<Stream<? extends Goroutine>> source, DumpFilter filter, TextStyle style) {
        this.source = source;
        this.filter = filter;
        this.style = style;
    }

    /** Every live goroutine of the current runtime (the process-wide one on a plain thread). */
    public static GoroutineDump all() {
        GoRuntime runtime = GoRuntime.current();
        return new GoroutineDump(() -> runtime.registry().goroutines(), DumpFilter.all(), TextStyle.GONODE);
    }

    /** The given goroutines (those still alive when the dump is written), for example a leak report's. */
    public static GoroutineDump of(Collection<? extends Goroutine> goroutines) {
        List<? extends Goroutine> copy = List.copyOf(goroutines);
        return new GoroutineDump(copy::stream, DumpFilter.all(), TextStyle.GONODE);
    }

    /** This dump restricted to the goroutines {@code filter} selects. */
    public GoroutineDump filter(DumpFilter filter) {
        return new GoroutineDump(source, Objects.requireNonNull(filter, "filter"), style);
    }

    /** This dump with {@code style} for its {@code debug=2} and {@code debug=1} text (default {@link TextStyle#GONODE}). */
    public GoroutineDump style(TextStyle style) {
        return new GoroutineDump(source, filter, Objects.requireNonNull(style, "style"));
    }

    /**
     * Writes Go's {@code debug=2} text: one block per goroutine, lowest id first, separated by
     * blank lines. Returns how many goroutines it wrote.
     */
    public long writeDebug2(Appendable out) throws IOException {
        StringBuilder block = new StringBuilder(512);
        char[] chars = new char[0];
        long n = 0;
        for (Snapshot s : Selection.of(source.get(), filter)) {
            block.setLength(0);
            if (n > 0) {
                block.append('\n');
            }
            Debug2Text.append(block, s, style);
            if (out instanceof Writer writer) { // Writer.append would copy the block into a String first
                if (chars.length < block.length()) {
                    chars = new char[Math.max(block.length(), 2 * chars.length)];
                }
                block.getChars(0, block.length(), chars, 0);
                writer.write(chars, 0, block.length());
            } else {
                out.append(block);
            }
            n++;
        }
        return n;
    }

    /** {@link #writeDebug2(Appendable)} into a string (for small dumps: tests, log lines). */
    public String debug2() {
        StringBuilder sb = new StringBuilder();
        try {
            writeDebug2(sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return sb.toString();
    }

    /**
     * Writes Go's {@code debug=1} text: {@code goroutine profile: total N}, then the goroutines
     * grouped by identical stack and labels, most frequent first. Grouping holds one entry per
     * distinct (stack, labels), so this format's memory grows with the variety of stacks, not with
     * the number of goroutines. Returns how many goroutines it counted.
     */
    public long writeDebug1(Appendable out) throws IOException {
        return Debug1Text.write(Selection.of(source.get(), filter), style, out);
    }

    /**
     * Writes every goroutine as UTF-8 JSON ({@code {"time":..., "goroutines":[...], "count":N}}),
     * streamed; each goroutine has {@code id}, {@code name}, {@code state}, {@code status} (what the
     * text header shows), {@code waitReason}, {@code waitNanos} (exact) and {@code wait} (Go
     * notation), {@code parentId}, {@code labels}, {@code frames}, {@code createdBy} and
     * {@code creationSite}, frames as {@code {function, class, method, file, line}}. Does not close
     * {@code out}. Returns how many goroutines it wrote.
     */
    public long writeJson(OutputStream out) throws IOException {
        return JsonDump.write(Selection.of(source.get(), filter), out);
    }

    /**
     * Writes a gzipped pprof goroutine profile ({@code profile.proto}, as Go's
     * {@code /debug/pprof/goroutine} without {@code debug}), labels as sample labels, for
     * {@code go tool pprof}. Streamed; does not close {@code out}. Returns how many goroutines it wrote.
     */
    public long writePprof(OutputStream out) throws IOException {
        return PprofDump.write(Selection.of(source.get(), filter), out);
    }

    /**
     * Writes this dump in {@code format} to {@code out} (text as UTF-8), flushing but not closing
     * it; for an HTTP handler: {@code dump.write(DumpFormat.ofDebug(debug), response)} with
     * {@link DumpFormat#contentType()}. Returns how many goroutines it wrote.
     */
    public long write(DumpFormat format, OutputStream out) throws IOException {
        return switch (format) {
            case JSON -> writeJson(out);
            case PPROF -> writePprof(out);
            case DEBUG1, DEBUG2 -> {
                Writer text = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
                long n = format == DumpFormat.DEBUG1 ? writeDebug1(text) : writeDebug2(text);
                text.flush();
                yield n;
            }
        };
    }

    /**
     * The function at {@code address}, one of the addresses this process's {@code debug=1} and
     * pprof dumps show, or {@code null} when no dump has shown it: what Go's
     * {@code /debug/pprof/symbol} answers, so that {@code go tool pprof} can name the frames of a
     * {@code debug=1} profile. Java frames have no machine addresses; dumps give each function a
     * stable pseudo address range, and this is its reverse.
     */
    public static String symbol(long address) {
        return PseudoPc.function(address);
    }

    /**
     * One goroutine's {@code debug=2} block (ending with a newline), its stack taken now; for a
     * goroutine that has finished, the block shows its record without frames.
     */
    public static String format(Goroutine g) {
        return format(g, g.stackTrace(), TextStyle.GONODE);
    }

    /**
     * One goroutine's {@code debug=2} block with a stack the caller has, such as the wait site a
     * leak report kept after the goroutine's own stack was collected.
     */
    public static String format(Goroutine g, StackTraceElement[] stack, TextStyle style) {
        StringBuilder sb = new StringBuilder(512);
        Debug2Text.append(sb, Snapshot.of(g, stack), style);
        return sb.toString();
    }
}
