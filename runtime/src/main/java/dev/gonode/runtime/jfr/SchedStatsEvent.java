package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** A periodic snapshot of the scheduler (Go's schedtrace line); per-P queues are {@link ProcQueueEvent}s. */
@Name("gonode.SchedStats")
@Label("Scheduler Statistics")
@Category("gonode")
@Description("Periodic snapshot of gonode's GMP scheduler")
@Period("1 s")
@StackTrace(false)
public final class SchedStatsEvent extends jdk.jfr.Event {

    @Label("GOMAXPROCS")
    public int gomaxprocs;

    @Label("Idle Ps")
    public int idleProcs;

    @Label("Carriers")
    public int carriers;

    @Label("Spinning Carriers")
    public int spinning;

    @Label("Global Run Queue")
    public long globalQueue;

    @Label("Local Run Queues")
    @Description("Goroutines queued in all Ps' local run queues together")
    public long localQueues;

    @Label("Goroutines")
    public long goroutines;

    @Label("Goroutines Created")
    public long created;

    @Label("Steals")
    public long steals;

    @Label("Handoffs")
    public long handoffs;

    @Label("CPU Hogs")
    public long hogs;

    @Label("Parks")
    public long parks;
}
