/**
 * Go's {@code context} package: deadlines, cancellation and request-scoped values for goroutines.
 * See {@link dev.gonode.runtime.context.Context}.
 */
package dev.gonode.runtime.context;
