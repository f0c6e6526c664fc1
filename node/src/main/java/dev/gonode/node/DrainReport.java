package dev.gonode.node;

import java.time.Duration;

/**
 * How a drain ended ({@link Node#drain()}): the accepted jobs that finished on their own, those
 * aborted at {@code drain.timeout} (their callers answered with a retriable error), and how long
 * the wait took.
 */
public record DrainReport(int finished, int aborted, Duration took) {
}
