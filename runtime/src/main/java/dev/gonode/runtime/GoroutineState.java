package dev.gonode.runtime;

/** The scheduling state of a goroutine, named as in Go's goroutine dumps. */
public enum GoroutineState {
    /** Ready to run, waiting in a run queue for a P. */
    RUNNABLE("runnable"),
    /** Mounted on a carrier and executing (or blocked inside the JVM while holding its carrier). */
    RUNNING("running"),
    /** Parked: in a channel operation, a sync primitive, a sleep, or blocked in the JDK. */
    WAITING("waiting"),
    /** Finished. */
    DEAD("dead");

    private final String goName;

    GoroutineState(String goName) {
        this.goName = goName;
    }

    /** The state as Go prints it. */
    public String goName() {
        return goName;
    }
}
