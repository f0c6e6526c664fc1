/**
 * Goroutine leaks and their fixes: the four leaks of the seeds' "Goroutine Leak" section, each
 * leaky version next to its fix.
 *
 * <p>A goroutine leaks when it waits for something that will never happen; it then holds its
 * stack and everything the stack refers to until the process ends. Every fix gives the goroutine
 * a way out: a {@link dev.gonode.runtime.context.Context} whose {@code done()} channel is a case
 * of every blocking {@code select}, a channel that is closed, or a buffer that lets a send
 * complete without a receiver.
 *
 * <ul>
 *   <li>{@link dev.gonode.examples.leaks.HandlerIgnoresContext}: background work started by a
 *       request handler that ignores the request's context.</li>
 *   <li>{@link dev.gonode.examples.leaks.SelectWithoutExit}: a {@code select} loop with no case
 *       that ends it.</li>
 *   <li>{@link dev.gonode.examples.leaks.ReceiveForever}: a worker blocked on a channel that
 *       nobody sends on any more.</li>
 *   <li>{@link dev.gonode.examples.leaks.WaitingForEachOther}: a caller and its helper each
 *       waiting for the other to send first.</li>
 * </ul>
 *
 * <p>gonode finds such leaks for you: {@link dev.gonode.runtime.leak.GoroutineLeaks#verifyNone}
 * (or {@link dev.gonode.runtime.leak.VerifyNoGoroutineLeaks} on a test class) fails a test that
 * leaves goroutines behind, as uber-go/goleak does, and the run-time
 * {@link dev.gonode.runtime.leak.LeakDetector} reports goroutines the garbage collector found
 * blocked for good. The tests of this package use the first to show that every fix leaks nothing
 * and that every leaky version does leak.
 */
package dev.gonode.examples.leaks;
