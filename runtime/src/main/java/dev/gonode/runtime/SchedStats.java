package dev.gonode.runtime;

import java.util.List;

/**
 * A snapshot of the scheduler, the JVM counterpart of Go's {@code GODEBUG=schedtrace} line.
 *
 * @param scheduler        {@code "gonode"} on gonode's own GMP scheduler, {@code "jdk-default"}
 *                         when the JDK refused it and goroutines run on the JDK's default scheduler
 * @param fallbackReason   why gonode fell back to the JDK's scheduler, or {@code null}
 * @param gomaxprocs       the number of Ps
 * @param idleProcs        Ps with no carrier
 * @param carriers         carrier threads (Go's Ms) alive, busy or idle
 * @param spinning         carriers looking for work
 * @param globalQueue      goroutines in the global run queue
 * @param localQueues      goroutines in each P's local run queue (including runnext)
 * @param goroutines       live goroutines
 * @param created          goroutines created since start
 * @param steals           successful steals from another P's queue
 * @param handoffs         Ps taken from a blocked carrier and handed to another (Go's syscall handoff)
 * @param hogs             times sysmon found a goroutine running on the CPU past the handoff threshold
 * @param parks            times a goroutine parked in a gonode primitive
 * @param carrierParks     times an idle carrier parked
 * @param weakContainer    whether goroutines live in gonode's weak thread container, so that parked
 *                         goroutines nothing references can be collected and reported as leaks
 */
public record SchedStats(
        String scheduler,
        String fallbackReason,
        int gomaxprocs,
        int idleProcs,
        int carriers,
        int spinning,
        long globalQueue,
        List<Integer> localQueues,
        long goroutines,
        long created,
        long steals,
        long handoffs,
        long hogs,
        long parks,
        long carrierParks,
        boolean weakContainer) {
}
