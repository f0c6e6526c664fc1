package dev.gonode.node;

import java.time.Duration;

/**
 * How a drain ended ({@link Node#drain()}): the accepted jobs that finished on their own, those
 * still unfinished at {@code drain.timeout} (on {@code jobs.store: memory} aborted, on
 * {@code postgres} handed back to the queue; either way their callers get a retriable error), and
 * how long the wait took.
 */
public record DrainReport(int finished, int aborted, Duration took) {
}
