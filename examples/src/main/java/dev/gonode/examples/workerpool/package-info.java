/**
 * Worker pool: a fixed number of goroutines take jobs from one channel and put results on another,
 * so that however many jobs arrive, at most that many run at once.
 *
 * <p>Mirrors Go's classic pool ({@code func worker(jobs <-chan Job, results chan<- Result)} started
 * N times, the producer closing {@code jobs}, Go by Example's "Worker Pools"), with Go 1.25's
 * {@code wg.Go} and a goroutine that closes {@code results} once every worker has returned, so the
 * consumer can simply range over it.
 *
 * <p>Use it when work arrives as a stream and must be throttled (a goroutine per job would let a
 * burst of a million jobs hold a million connections). See {@link dev.gonode.examples.fanout} for
 * the variant where each worker has its own output channel.
 */
package dev.gonode.examples.workerpool;
