/**
 * Errgroup fetch: fetch several resources at once, fail with the first error, and cancel the
 * fetches still running as soon as one fails.
 *
 * <p>Mirrors the seeds' {@code golang.org/x/sync/errgroup} example ({@code g, ctx :=
 * errgroup.WithContext(ctx)}, one {@code g.Go} per URL, {@code g.Wait()} for the first error),
 * with results written by index, as the errgroup package's own "parallel" example does, so they
 * come back in the order of the URLs.
 *
 * <p>Use it whenever several goroutines do parts of one task and the task is worth nothing once a
 * part has failed: the group's context tells the others to stop early.
 */
package dev.gonode.examples.errgroup;
