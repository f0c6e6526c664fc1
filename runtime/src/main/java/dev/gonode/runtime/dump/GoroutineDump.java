package dev.gonode.runtime.dump;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.dump.internal.Debug2Text;
import dev.gonode.runtime.dump.internal.Selection;
import dev.gonode.runtime.dump.internal.Snapshot;
import dev.gonode.runtime.internal.sched.GoRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A goroutine dump in Go's formats: what {@code /debug/pprof/goroutine?debug=2} prints for a Go
 * program, for gonode's goroutines.
 *
 * <pre>{@code
 * GoroutineDump.all().writeDebug2(System.out);                    // every goroutine, Go's debug=2
 * GoroutineDump.all()
 *         .filter(DumpFilter.all().waitReasons("chan receive").minWait("5m"))
 *         .style(TextStyle.GO_TOOLS)                              // for panicparse
 *         .writeDebug2(writer);
 * String block = GoroutineDump.format(goroutine);                 // one goroutine's block
 * }</pre>
 *
 * <p>A dump streams: it takes each goroutine's stack (10–25 µs for a parked one) just before
 * writing it, so its memory does not grow with the number of goroutines. It is not a
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

    /** This dump with {@code style} for its {@code debug=2} text (default {@link TextStyle#GONODE}). */
    public GoroutineDump style(TextStyle style) {
        return new GoroutineDump(source, filter, Objects.requireNonNull(style, "style"));
    }

    /**
     * Writes Go's {@code debug=2} text: one block per goroutine, lowest id first, separated by
     * blank lines. Returns how many goroutines it wrote.
     */
    public long writeDebug2(Appendable out) throws IOException {
        StringBuilder block = new StringBuilder(512);
        long n = 0;
        for (Snapshot s : Selection.of(source.get(), filter)) {
            block.setLength(0);
            if (n > 0) {
                block.append('\n');
            }
            Debug2Text.append(block, s, style);
            out.append(block);
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
