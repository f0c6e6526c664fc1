package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** A periodic reading of one P's local run queue length (including {@code runnext}). */
@Name("gonode.ProcQueue")
@Label("P Run Queue")
@Category("gonode")
@Period("1 s")
@StackTrace(false)
public final class ProcQueueEvent extends jdk.jfr.Event {

    @Label("P")
    public int p;

    @Label("Queued Goroutines")
    public int length;
}
