package dev.gonode.runtime.internal.sched;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;

/**
 * The JDK internals gonode reaches into, each behind a capability check so that a JVM started
 * without {@code --add-opens java.base/java.lang=ALL-UNNAMED} falls back instead of failing.
 *
 * <p>Implementation notes. JDK 25 keeps the constructor {@code VirtualThreadBuilder(Executor)}
 * ("invoked by tests"): virtual threads built with it hand their single {@code runContinuation}
 * task to our executor on start, unpark, yield and timeout. {@code Thread.currentCarrierThread()}
 * tells an executor called from a mounted virtual thread which carrier it is on (the JDK pins the
 * continuation around {@code execute}, so the answer is stable). {@code VirtualThread.state} tells
 * runnable, running and parked apart for the goroutine dump.
 */
final class VirtualThreads {

    /** Why the custom scheduler is unavailable, or {@code null} when it is available. */
    static final String UNAVAILABLE_REASON;

    private static final Constructor<?> BUILDER_WITH_EXECUTOR;
    private static final MethodHandle CURRENT_CARRIER;
    private static final VarHandle STATE;

    // VirtualThread's state constants (JDK 25, java/lang/VirtualThread.java).
    private static final int NEW = 0, STARTED = 1, RUNNING = 2, PARKING = 3, PARKED = 4, PINNED = 5,
            TIMED_PARKING = 6, TIMED_PARKED = 7, TIMED_PINNED = 8, UNPARKED = 9, YIELDING = 10,
            YIELDED = 11, BLOCKING = 12, BLOCKED = 13, UNBLOCKED = 14, WAITING = 15, WAIT = 16,
            TIMED_WAITING = 17, TIMED_WAIT = 18, TERMINATED = 99, SUSPENDED = 1 << 8;

    static {
        Constructor<?> ctor = null;
        MethodHandle carrier = null;
        VarHandle state = null;
        String reason = null;
        try {
            Class<?> builderClass = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            ctor = builderClass.getDeclaredConstructor(Executor.class);
            ctor.setAccessible(true);
            MethodHandles.Lookup threadLookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            carrier = threadLookup.findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
            Class<?> vthreadClass = Class.forName("java.lang.VirtualThread");
            state = MethodHandles.privateLookupIn(vthreadClass, MethodHandles.lookup())
                    .findVarHandle(vthreadClass, "state", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = "the JDK refused access to its virtual-thread internals (" + e
                    + "); start the JVM with --add-opens java.base/java.lang=ALL-UNNAMED"
                    + " (bin/gonode and the executable jars do this)";
            ctor = null;
            carrier = null;
            state = null;
        }
        BUILDER_WITH_EXECUTOR = ctor;
        CURRENT_CARRIER = carrier;
        STATE = state;
        UNAVAILABLE_REASON = reason;
    }

    private VirtualThreads() {
    }

    /** A virtual-thread builder whose threads run on {@code scheduler}. */
    static Thread.Builder.OfVirtual builder(Executor scheduler) {
        if (BUILDER_WITH_EXECUTOR == null) {
            throw new IllegalStateException(UNAVAILABLE_REASON);
        }
        try {
            return (Thread.Builder.OfVirtual) BUILDER_WITH_EXECUTOR.newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build virtual threads on gonode's scheduler", e);
        }
    }

    /** The platform thread the current thread runs on: itself unless it is a mounted virtual thread. */
    static Thread currentCarrier() {
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Whether {@link #currentCarrier()} can be used. */
    static boolean carrierLookupAvailable() {
        return CURRENT_CARRIER != null;
    }

    /**
     * The goroutine whose continuation task {@code task} is (the JDK's {@code runContinuation}, a
     * method reference bound to its virtual thread), or {@code null}. For diagnostics, off the hot
     * path: the captured thread is read through a getter found once per lambda class.
     */
    static G goroutineOf(Runnable task) {
        if (task == null) {
            return null;
        }
        MethodHandle getter = CAPTURED_THREAD.get(task.getClass());
        if (getter == null) {
            return null;
        }
        try {
            Object captured = getter.invoke(task);
            return captured instanceof Thread t && t.getUncaughtExceptionHandler() instanceof G g ? g : null;
        } catch (Throwable e) {
            return null;
        }
    }

    private static final ClassValue<MethodHandle> CAPTURED_THREAD = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                for (java.lang.reflect.Field f : type.getDeclaredFields()) {
                    if (Thread.class.isAssignableFrom(f.getType())) {
                        return MethodHandles.privateLookupIn(type, MethodHandles.lookup()).unreflectGetter(f);
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
            return null;
        }
    };

    /** Maps a virtual thread's JDK state to Go's goroutine states. */
    static dev.gonode.runtime.GoroutineState stateOf(Thread thread) {
        if (STATE != null && thread.isVirtual()) {
            int s = ((int) STATE.getOpaque(thread)) & ~SUSPENDED;
            return switch (s) {
                case NEW, STARTED, UNPARKED, YIELDED, UNBLOCKED -> dev.gonode.runtime.GoroutineState.RUNNABLE;
                case RUNNING, PARKING, TIMED_PARKING, YIELDING, BLOCKING, WAITING, TIMED_WAITING ->
                        dev.gonode.runtime.GoroutineState.RUNNING;
                case PARKED, TIMED_PARKED, PINNED, TIMED_PINNED, BLOCKED, WAIT, TIMED_WAIT ->
                        dev.gonode.runtime.GoroutineState.WAITING;
                case TERMINATED -> dev.gonode.runtime.GoroutineState.DEAD;
                default -> dev.gonode.runtime.GoroutineState.RUNNING;
            };
        }
        return switch (thread.getState()) {
            case NEW, RUNNABLE -> dev.gonode.runtime.GoroutineState.RUNNING;
            case BLOCKED, WAITING, TIMED_WAITING -> dev.gonode.runtime.GoroutineState.WAITING;
            case TERMINATED -> dev.gonode.runtime.GoroutineState.DEAD;
        };
    }
}
