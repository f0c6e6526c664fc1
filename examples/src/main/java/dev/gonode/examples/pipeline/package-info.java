/**
 * Pipeline with cancellation: stages connected by channels, each a goroutine that receives from
 * upstream, works, and sends downstream, and that stops as soon as the pipeline's
 * {@link dev.gonode.runtime.context.Context} is done, even when nobody reads its output any more.
 *
 * <p>Mirrors the Go blog's "Go Concurrency Patterns: Pipelines and cancellation" ({@code gen},
 * {@code sq}), in its context form: every send is a {@code select} between the downstream channel
 * and {@code ctx.Done()}, and every stage closes its output when it returns, so the stage below
 * ends its range loop too. Without the {@code ctx.Done()} case, a consumer that stops early leaves
 * every stage blocked on a send for ever (a goroutine leak per stage). The article's first version
 * passes a {@code done} channel that the consumer closes; {@code ctx.done()} is that channel, with
 * deadlines and a cancellation tree on top.
 *
 * <p>Use it for streaming work where the consumer may stop early: the first match of a search,
 * a request that is cancelled or times out.
 */
package dev.gonode.examples.pipeline;
