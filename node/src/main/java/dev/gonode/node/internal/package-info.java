/**
 * The node's implementation: configuration loading, the admin router and its handlers, and the
 * signal handling behind a clean stop. Not an API; {@code dev.gonode.node.Node} wires these.
 */
package dev.gonode.node.internal;
