package dev.gonode.runtime.chan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The state a blocked {@code select} shares between its waiters (Go's {@code g.selectDone} and
 * {@code g.param}).
 *
 * <p>{@link #state} goes from 0 to 1 exactly once: either a waker claims one of the select's
 * waiters (under that waiter's channel lock), or the select itself claims it when its timeout
 * passes. Whoever wins owns the outcome; every other waker skips the select's waiters.
 * {@link #fired} is published by the winning waker after it has written the waiter's fields.
 */
final class SelectWait {

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SelectWait.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** The waiter that fired, once its waker has written its fields; {@code null} until then. */
    volatile Waiter fired;

    /** Claims the select; {@code true} for exactly one caller. */
    boolean claim() {
        return (int) STATE.getAcquire(this) == 0 && STATE.compareAndSet(this, 0, 1);
    }
}
