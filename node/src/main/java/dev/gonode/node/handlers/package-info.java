/**
 * The node's built-in job handlers: {@code echo}, {@code sleep}, {@code sha256} and
 * {@code fanout}. They exercise the runtime the way real handlers do (blocking with cancellation,
 * CPU-bound work, structured fan-out) and double as examples of {@link dev.gonode.node.JobHandler}.
 */
package dev.gonode.node.handlers;
