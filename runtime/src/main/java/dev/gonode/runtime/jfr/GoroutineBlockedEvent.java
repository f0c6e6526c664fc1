package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A goroutine stayed parked in a gonode primitive longer than the threshold (default 20 ms). The
 * event's duration is the wait; it is committed when the goroutine wakes up.
 */
@Name("gonode.GoroutineBlocked")
@Label("Goroutine Blocked")
@Category("gonode")
@Description("A goroutine was parked in a gonode primitive (channel, select, sync, sleep) longer than the threshold")
@Threshold("20 ms")
@StackTrace(false)
public final class GoroutineBlockedEvent extends jdk.jfr.Event {

    @Label("Goroutine Id")
    public long goroutineId;

    @Label("Goroutine Name")
    public String goroutineName;

    @Label("Wait Reason")
    @Description("Go's wait reason, e.g. chan receive")
    public String reason;

    @Label("Channel")
    @Description("The channel waited on, when the wait was a channel operation")
    public String channel;

    @Label("Blocker Class")
    public Class<?> blockerClass;
}
