/**
 * Implementation of {@code dev.gonode.runtime.sync}: ports of Go's runtime semaphore
 * ({@link dev.gonode.runtime.sync.internal.Sema}) and notify list
 * ({@link dev.gonode.runtime.sync.internal.NotifyList}), which park through the scheduler so that
 * goroutine dumps show Go's wait reasons, and the cancellation hook a {@code Context} will use.
 * Not an API: anything here may change.
 */
package dev.gonode.runtime.sync.internal;
