/**
 * How goroutine dumps are taken and written: selection and snapshots, frame trimming and naming,
 * and one writer per format. Not an API.
 */
package dev.gonode.runtime.dump.internal;
