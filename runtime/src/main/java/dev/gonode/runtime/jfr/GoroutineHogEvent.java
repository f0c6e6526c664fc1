package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** Sysmon found a goroutine busy on the CPU past the handoff threshold (it cannot be preempted). */
@Name("gonode.GoroutineHog")
@Label("Goroutine CPU Hog")
@Category("gonode")
@Description("A goroutine kept its carrier busy on the CPU past the handoff threshold without yielding")
@StackTrace(false)
public final class GoroutineHogEvent extends jdk.jfr.Event {

    @Label("P")
    public int p;

    @Label("Goroutine Id")
    public long goroutineId;

    @Label("Running")
    @Timespan(Timespan.NANOSECONDS)
    public long running;
}
