/**
 * Go's {@code time} for goroutines: sleep, timers, tickers and {@code after}, driven by the
 * scheduler's per-P timers.
 */
package dev.gonode.runtime.time;
