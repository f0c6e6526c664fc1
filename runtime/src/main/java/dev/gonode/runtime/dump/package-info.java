/**
 * Goroutine dumps in Go's formats: {@link dev.gonode.runtime.dump.GoroutineDump} writes the live
 * goroutines (or a chosen few) as Go's {@code debug=2} and {@code debug=1} text, as JSON, and as a
 * gzipped pprof goroutine profile, selected by a {@link dev.gonode.runtime.dump.DumpFilter}, streamed
 * with memory that does not grow with the number of goroutines. Implementation in {@code internal}.
 */
package dev.gonode.runtime.dump;
