package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One phase of the node's graceful drain (readiness off, refuse, wait for jobs, cancel stragglers, exit). */
@Name("gonode.Drain")
@Label("Drain Phase")
@Category("gonode")
@Description("A phase of the node's graceful drain on SIGTERM/SIGINT; the duration is the phase's")
@StackTrace(false)
public final class DrainEvent extends jdk.jfr.Event {

    @Label("Phase")
    public String phase;

    @Label("Jobs Queued")
    @Description("Jobs still queued when the phase ended")
    public long jobsQueued;

    @Label("Jobs Running")
    @Description("Jobs still running when the phase ended")
    public long jobsRunning;

    @Label("Jobs Cancelled")
    public long jobsCancelled;
}
