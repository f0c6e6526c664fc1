package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.SettingDefinition;
import jdk.jfr.Timespan;

/**
 * A goroutine stayed parked in a gonode primitive at least {@code minimumWait} (default 20 ms;
 * {@link MinimumWaitSetting}). Committed when the goroutine wakes up; {@link #waited} is the wait.
 */
@Name("gonode.GoroutineBlocked")
@Label("Goroutine Blocked")
@Category("gonode")
@Description("A goroutine was parked in a gonode primitive (channel, select, sync, sleep) at least minimumWait (default 20 ms)")
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

    @Label("Waited")
    @Description("How long the goroutine was parked")
    @Timespan(Timespan.NANOSECONDS)
    public long waited;

    /** Filters by {@link MinimumWaitSetting}: JFR asks this before writing the event. */
    @SettingDefinition
    @Name("minimumWait")
    @Label("Minimum Wait")
    @Description("Record only waits at least this long")
    protected boolean minimumWait(MinimumWaitSetting setting) {
        return waited >= MinimumWaitSetting.nanos;
    }
}
