/** The implementations behind {@link dev.gonode.runtime.context.Context}; not public API. */
package dev.gonode.runtime.context.internal;
