package dev.gonode.runtime.internal.sched;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import jdk.internal.vm.Continuation;

/**
 * Walks the stack of a parked goroutine with a {@link StackWalker}, so that a caller (the dump)
 * can stop early and resolve only the frames it shows, instead of {@link Thread#getStackTrace()},
 * which resolves every frame of the stack into a {@link StackTraceElement}.
 *
 * <p>Implementation notes. For an unmounted virtual thread, JDK 25's {@code getStackTrace} sets the
 * {@code SUSPENDED} bit in the thread's state (so that no carrier mounts it meanwhile), walks its
 * continuation with a {@code StackWalker} that maps every frame to a {@code StackTraceElement}, and
 * restores the state; if the thread was unparked while suspended (the unpark set the permit but
 * could not move the state from {@code PARKED} to {@code UNPARKED}), it does that move itself and
 * submits the thread. Of a parked goroutine's 2–3 µs walk plus ~0.2 µs per frame, resolving the
 * frames (a VM call per frame for the method name, file and line) was most of a dump of 100,000
 * goroutines. This class follows the same protocol, for the {@code PARKED} and {@code TIMED_PARKED}
 * states only (where every gonode primitive parks), and hands the caller the frames unresolved;
 * in every other state, or when the JDK's internals are out of reach, it answers {@code null} and
 * the caller uses {@code getStackTrace}. {@link #method} gives the identity of a frame's method (the
 * VM's {@code ResolvedMethodName}, interned one per method), so that a caller can resolve each
 * distinct (method, bytecode index) once. Every internal, the state constants included, is looked
 * up once, behind a capability check, like {@link VirtualThreads}, and only on JDK 25, whose
 * protocol this is: on another release the dump uses {@code getStackTrace}.
 */
public final class ParkedStacks {

    /** The JDK release whose suspend protocol this class follows; on any other, {@code getStackTrace}. */
    private static final int JDK_FEATURE = 25;
    private static final Set<StackWalker.Option> OPTIONS = EnumSet.of(StackWalker.Option.SHOW_REFLECT_FRAMES);

    private static final int PARKED, TIMED_PARKED, UNPARKED, SUSPENDED; // VirtualThread's own constants
    private static final VarHandle STATE;
    private static final VarHandle PARK_PERMIT;
    private static final VarHandle CONT;
    private static final MethodHandle SUBMIT;
    private static final VarHandle FRAME_METHOD;
    private static final Class<?> RESOLVED_METHOD;

    static {
        VarHandle state = null, permit = null, cont = null;
        MethodHandle submit = null;
        int parked = -1, timedParked = -1, unparked = -1, suspended = 0;
        try {
            if (Runtime.version().feature() != JDK_FEATURE) {
                throw new IllegalStateException("JDK " + Runtime.version().feature());
            }
            Class<?> vthread = Class.forName("java.lang.VirtualThread");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(vthread, MethodHandles.lookup());
            parked = (int) l.findStaticVarHandle(vthread, "PARKED", int.class).get();
            timedParked = (int) l.findStaticVarHandle(vthread, "TIMED_PARKED", int.class).get();
            unparked = (int) l.findStaticVarHandle(vthread, "UNPARKED", int.class).get();
            suspended = (int) l.findStaticVarHandle(vthread, "SUSPENDED", int.class).get();
            state = l.findVarHandle(vthread, "state", int.class);
            permit = l.findVarHandle(vthread, "parkPermit", boolean.class);
            cont = l.findVarHandle(vthread, "cont", Continuation.class);
            submit = l.findVirtual(vthread, "submitRunContinuation", MethodType.methodType(void.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            state = null; // getStackTrace it is: a JVM without --add-opens/--add-exports, or another JDK release
        }
        VarHandle frameMethod;
        Class<?> resolvedMethod;
        try {
            resolvedMethod = Class.forName("java.lang.invoke.ResolvedMethodName");
            Class<?> frameInfo = Class.forName("java.lang.ClassFrameInfo");
            frameMethod = MethodHandles.privateLookupIn(frameInfo, MethodHandles.lookup())
                    .findVarHandle(frameInfo, "classOrMemberName", Object.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            frameMethod = null; // every frame is then resolved on its own
            resolvedMethod = null;
        }
        PARKED = parked;
        TIMED_PARKED = timedParked;
        UNPARKED = unparked;
        SUSPENDED = suspended;
        STATE = state;
        PARK_PERMIT = permit;
        CONT = cont;
        SUBMIT = submit;
        FRAME_METHOD = frameMethod;
        RESOLVED_METHOD = resolvedMethod;
    }

    private ParkedStacks() {
    }

    /**
     * Applies {@code walk} to the frames of {@code thread}, innermost first, while holding it
     * parked; {@code null} when {@code thread} is not a parked virtual thread (or the JDK's
     * internals are out of reach), in which case nothing was walked. {@code walk} must not block:
     * the thread cannot run until it returns.
     */
    public static <T> T walkIfParked(Thread thread, Function<? super Stream<StackWalker.StackFrame>, ? extends T> walk) {
        if (STATE == null || !thread.isVirtual()) {
            return null;
        }
        int parked = (int) STATE.getVolatile(thread);
        if ((parked != PARKED && parked != TIMED_PARKED) || !STATE.compareAndSet(thread, parked, parked | SUSPENDED)) {
            return null;
        }
        try {
            return ((Continuation) CONT.get(thread)).stackWalker(OPTIONS).walk(walk);
        } finally {
            STATE.setVolatile(thread, parked);
            if ((boolean) PARK_PERMIT.getVolatile(thread) && STATE.compareAndSet(thread, parked, UNPARKED)) {
                submit(thread); // unparked while we held it
            }
        }
    }

    private static void submit(Thread thread) {
        try {
            SUBMIT.invoke(thread);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not resubmit " + thread + " after taking its stack", e);
        }
    }

    /**
     * The identity of the method {@code frame} (of a {@link #walkIfParked} walk) is in: the same
     * object for every frame of that method, in this and later walks; {@code null} when unknown.
     */
    public static Object method(StackWalker.StackFrame frame) {
        if (FRAME_METHOD == null) {
            return null;
        }
        Object method = FRAME_METHOD.get(frame);
        return method != null && method.getClass() == RESOLVED_METHOD ? method : null; // interned per method by the VM
    }
}
