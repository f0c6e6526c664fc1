/**
 * The scheduler: Ps, carriers, sysmon, timers, the goroutine registry and the JDK internals they
 * rely on. Not an API: other gonode packages use {@link dev.gonode.runtime.internal.sched.Park},
 * {@link dev.gonode.runtime.internal.sched.Timers} and {@link dev.gonode.runtime.internal.sched.G}.
 */
package dev.gonode.runtime.internal.sched;
