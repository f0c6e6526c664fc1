package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The run-time leak detector found a leak (one event per finding). */
@Name("gonode.LeakFound")
@Label("Goroutine Leak Found")
@Category("gonode")
@Description("The leak detector found long-waiting goroutines, goroutines collected while parked, or a growing creation site")
@StackTrace(false)
public final class LeakFoundEvent extends jdk.jfr.Event {

    @Label("Kind")
    @Description("long-wait, proven or growth")
    public String kind;

    @Label("Goroutines")
    @Description("How many goroutines the finding covers")
    public long goroutines;

    @Label("Creation Site")
    public String creationSite;

    @Label("Wait Site")
    public String waitSite;

    @Label("Wait Reason")
    public String waitReason;

    @Label("Summary")
    public String summary;
}
