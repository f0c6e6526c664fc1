package dev.gonode.runtime.dump.internal;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.ParkedStacks;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Takes the visible stacks ({@link Frames#visible}) of the goroutines of one dump.
 *
 * <p>Implementation notes. {@code Thread.getStackTrace} of a parked virtual thread resolves every
 * frame (a VM call each for method name, file and line) and the dump then throws the parking
 * machinery on top and the launcher below away: for a goroutine parked in a channel under 8 frames
 * of its own, 19 frames resolved and 13 shown, about 6 µs in all, most of a dump's cost. For a
 * parked goroutine this reader walks the frames itself ({@link ParkedStacks#walkIfParked}), skips
 * the machinery on top by class name, stops at the launcher without fetching the frames below, and
 * resolves each distinct (method, bytecode index) once per dump: goroutines parked at the same
 * place share their frames, and a dump mostly sees a few places many times. The cache is per
 * dump (so that it keeps no classes reachable after the dump) and concurrent, since a dump may take
 * stacks on helper threads ({@link Selection}). Whatever the walk cannot settle (the goroutine is
 * running or runnable, the stack has no frame outside the machinery, the JDK's internals are out
 * of reach) falls back to {@code getStackTrace} and {@link Frames#visible}, which defines the
 * result; {@code StackReaderTest} checks that both ways agree.
 */
public final class StackReader {

    /** A frame's place: its method (compared by identity, see {@link ParkedStacks#method}) and bytecode index. */
    private static final class FrameKey {
        private final Object method;
        private final int bci;

        FrameKey(Object method, int bci) {
            this.method = method;
            this.bci = bci;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FrameKey k && k.method == method && k.bci == bci;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(method) * 31 + bci;
        }
    }

    private final ConcurrentHashMap<FrameKey, StackTraceElement> resolved = new ConcurrentHashMap<>();

    /**
     * The visible frames of {@code g}'s stack, innermost first; {@code null} when {@code g} has
     * finished (or its thread is gone) by the time its stack is taken.
     */
    public StackTraceElement[] visibleStack(Goroutine g) {
        if (g instanceof G record) {
            Thread thread = record.get();
            if (thread != null && record.isAlive()) {
                StackTraceElement[] walked = ParkedStacks.walkIfParked(thread, this::visible);
                if (walked != null) {
                    return walked;
                }
            }
        }
        StackTraceElement[] raw = g.stackTrace();
        return raw.length == 0 && !g.isAlive() ? null : Frames.visible(raw);
    }

    /** The frames Frames.visible keeps, or {@code null} where it would show the raw stack. */
    private StackTraceElement[] visible(Stream<StackWalker.StackFrame> frames) {
        List<StackTraceElement> shown = new ArrayList<>(32);
        boolean inMachinery = true;
        boolean atLauncher = false;
        for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
            StackWalker.StackFrame frame = it.next();
            String cls = frame.getClassName();
            if (inMachinery && Frames.isParkingMachinery(cls)) {
                continue;
            }
            inMachinery = false;
            if (cls.equals(Frames.LAUNCHER)) {
                atLauncher = true;
                break;
            }
            shown.add(resolve(frame));
        }
        if (!atLauncher) {
            while (!shown.isEmpty() && Frames.isLauncherMachinery(shown.getLast().getClassName())) {
                shown.removeLast();
            }
        }
        return shown.isEmpty() ? null : shown.toArray(new StackTraceElement[0]);
    }

    private StackTraceElement resolve(StackWalker.StackFrame frame) {
        Object method = ParkedStacks.method(frame);
        if (method == null) {
            return frame.toStackTraceElement();
        }
        FrameKey key = new FrameKey(method, frame.getByteCodeIndex());
        StackTraceElement element = resolved.get(key);
        if (element == null) {
            element = frame.toStackTraceElement();
            resolved.putIfAbsent(key, element);
        }
        return element;
    }
}
