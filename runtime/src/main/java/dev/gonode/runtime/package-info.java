/**
 * gonode's Go-style runtime for the JVM: goroutines ({@link dev.gonode.runtime.Go}) on an M:N
 * scheduler modelled on Go's GMP design, goroutine labels, scheduler statistics and Go's
 * vocabulary of goroutine states and wait reasons. Channels, select, sync, context and timers live
 * in the sub-packages; implementation details under {@code internal}.
 */
package dev.gonode.runtime;
