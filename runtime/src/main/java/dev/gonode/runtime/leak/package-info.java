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
 * and reports two kinds of leak: (a) proven leaks, as Go 1.26's goroutine leak profile: goroutines
 * the garbage collector found unreachable while parked (nothing can ever wake them), with the
 * creation site and the wait site recorded when they parked ({@code gonode.wait-sites}); (b)
 * creation sites whose live count rose at every one of the last checks (sustained growth). As
 * information, not as leaks, it also lists (c) goroutines waiting longer than a threshold, grouped
 * by creation site and wait site, each group with its baseline so that a steady idle pool is not
 * news.
 */
package dev.gonode.runtime.leak;
