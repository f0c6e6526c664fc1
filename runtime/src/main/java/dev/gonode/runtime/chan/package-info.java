/**
 * Go's channels and {@code select} for goroutines (and plain threads): {@link
 * dev.gonode.runtime.chan.Channel} (with its {@link dev.gonode.runtime.chan.SendChannel} and
 * {@link dev.gonode.runtime.chan.ReceiveChannel} halves), {@link dev.gonode.runtime.chan.Received}
 * for {@code v, ok := <-ch}, and {@link dev.gonode.runtime.chan.Select}.
 *
 * <p>The rules are Go's, from the language specification and {@code runtime/chan.go} /
 * {@code runtime/select.go}: unbuffered rendezvous, buffered FIFO, direct hand-off to a waiting
 * peer, first-come first-served waiters, close wakes everyone, send on a closed channel fails
 * loudly, a nil channel blocks forever, and {@code select} picks uniformly at random among ready
 * cases. A blocked goroutine parks on gonode's scheduler with Go's wait reason
 * ({@code chan send}, {@code chan receive}, {@code select}, ...), so goroutine dumps read like
 * Go's. Deliberate differences, all forced by Java: elements are never {@code null} ({@code null}
 * plays the zero value a closed channel yields), a timeout is a {@code Select} case rather than
 * a timer channel, and misuse throws {@link dev.gonode.runtime.chan.ChannelClosedException} (or
 * {@code IllegalStateException} for closing the nil channel) where Go panics.
 */
package dev.gonode.runtime.chan;
