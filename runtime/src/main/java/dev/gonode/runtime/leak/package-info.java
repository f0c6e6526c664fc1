/**
 * Goroutine leak detection, at test time and at run time.
 *
 * <p><b>Test time</b> (like uber-go/goleak): {@link dev.gonode.runtime.leak.GoroutineLeaks#verifyNone}
 * after a test, or {@link dev.gonode.runtime.leak.VerifyNoGoroutineLeaks} on a JUnit 5 test class
 * or method, fails when goroutines started during the test are still alive after a short grace
 * period, listing them in Go's {@code debug=2} dump format. A goroutine is a leak here when it has
 * not finished by then; ignore rules cover the ones that are meant to outlive the test.
 *
 * <p><b>Run time</b>: a {@link dev.gonode.runtime.leak.LeakDetector} checks a runtime periodically
 * and reports (a) goroutines waiting longer than a threshold, grouped by creation site and wait
 * site; (b) proven leaks, as Go 1.26's goroutine leak profile: goroutines the garbage collector
 * found unreachable while parked (nothing can ever wake them), with the creation site and the wait
 * site recorded when they parked ({@code gonode.wait-sites}); (c) creation sites whose live count
 * keeps rising across checks.
 */
package dev.gonode.runtime.leak;
