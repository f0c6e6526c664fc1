/**
 * Internal: what the runtime's other packages need from channels beyond their public API (the
 * {@code time} package's timer channels). Not API.
 */
package dev.gonode.runtime.chan.internal;
