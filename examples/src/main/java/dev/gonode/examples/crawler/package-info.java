/**
 * Semaphore-limited crawler: a goroutine per discovered page, but at most N fetches in flight, so
 * the crawl is as concurrent as the site allows without opening a connection per link.
 *
 * <p>Mirrors the web crawler exercise of the Go tour (a shared "seen" set behind a mutex, a
 * {@code WaitGroup} for the crawl to finish) with the concurrency limiter of the seeds: Go's
 * buffered-channel semaphore ({@code sem <- struct{}{}} before the fetch, {@code <-sem} after),
 * here {@link dev.gonode.runtime.sync.Semaphore}, gonode's {@code x/sync/semaphore}. A
 * {@code Channel.make(n)} used the same way works too.
 *
 * <p>Use it for recursive or open-ended work (crawls, directory walks, dependency resolution)
 * whose size is unknown up front, where a fixed worker pool would need a queue that can grow.
 */
package dev.gonode.examples.crawler;
