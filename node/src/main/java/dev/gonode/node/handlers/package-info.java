/**
 * The node's built-in job handlers: {@code echo}, {@code sleep}, {@code sha256}, {@code fanout}
 * and {@code flaky}. They exercise the runtime the way real handlers do (blocking with
 * cancellation, CPU-bound work, structured fan-out, failures that are retried) and double as
 * examples of {@link dev.gonode.node.JobHandler}.
 */
package dev.gonode.node.handlers;
