/** How {@link dev.gonode.runtime.pprof.Profiles} collects and encodes profiles; not an API. */
package dev.gonode.runtime.pprof.internal;
