/**
 * Periodic jobs ({@code periodic:} in the configuration): their schedules, the one leader of the
 * fleet that enqueues each tick, and the record of the last tick that makes the missed-tick policy
 * work across leader changes.
 */
package dev.gonode.node.internal.periodic;
