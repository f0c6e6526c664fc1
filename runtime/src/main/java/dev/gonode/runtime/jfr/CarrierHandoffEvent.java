package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** Sysmon took a P from a carrier blocked under one goroutine (Go's syscall handoff). */
@Name("gonode.CarrierHandoff")
@Label("Carrier Handoff")
@Category("gonode")
@Description("A P was taken from a carrier blocked under one goroutine (native code, file I/O, pinned wait) and handed to another carrier")
@StackTrace(false)
public final class CarrierHandoffEvent extends jdk.jfr.Event {

    @Label("P")
    public int p;

    @Label("Goroutine Id")
    @Description("The goroutine the carrier was blocked under, 0 if unknown")
    public long goroutineId;

    @Label("Held")
    @Description("How long the carrier had been under that goroutine")
    @Timespan(Timespan.NANOSECONDS)
    public long held;
}
