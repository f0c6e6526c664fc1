/**
 * Go's {@code runtime/pprof} profiles of a JVM running gonode, as gzipped {@code profile.proto} that
 * {@code go tool pprof}, Grafana Pyroscope and Parca read: CPU (JFR execution samples), allocations
 * and live heap (JFR allocation samples, the class histogram), and the block and mutex profiles
 * (gonode's own park events, with Go's rate settings). The goroutine profile is
 * {@link dev.gonode.runtime.dump.GoroutineDump}'s. Entry point: {@link dev.gonode.runtime.pprof.Profiles}.
 */
package dev.gonode.runtime.pprof;
