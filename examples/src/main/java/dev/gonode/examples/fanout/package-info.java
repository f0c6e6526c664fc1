/**
 * Fan-out / fan-in: several goroutines read from one channel (fan-out), each writes to a channel
 * of its own, and a merge multiplexes those channels back onto one (fan-in).
 *
 * <p>Mirrors the {@code merge} function of the Go blog's "Go Concurrency Patterns: Pipelines and
 * cancellation" and the seeds' pizza kitchen (one order taker, several cooks, one waiter): a
 * goroutine per input channel copies its values to the output, and one more closes the output
 * after a {@code WaitGroup} says every copier is done.
 *
 * <p>Use it to spread a slow stage over several goroutines while the rest of a pipeline keeps a
 * single input and output. Unlike {@link dev.gonode.examples.workerpool}, each worker's output
 * stays separate until the merge, so {@link dev.gonode.examples.fanout.FanOutFanIn#merge merge}
 * also works for channels that come from unrelated producers.
 */
package dev.gonode.examples.fanout;
