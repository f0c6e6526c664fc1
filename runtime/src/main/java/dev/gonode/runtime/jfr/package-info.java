/**
 * JDK Flight Recorder events of the gonode runtime and node, all in the category {@code gonode}:
 * goroutines blocked at least {@code minimumWait} (default 20 ms), carrier handoffs and CPU hogs, leaks found, periodic
 * scheduler statistics (with one event per P for its run queue), and the node's job and drain
 * events. {@link dev.gonode.runtime.jfr.GonodeJfr#install} hooks a runtime up;
 * {@code gonode.jfc} (next to these classes, {@link dev.gonode.runtime.jfr.GonodeJfr#configuration()})
 * enables them with their defaults (minimum wait, periods):
 *
 * <pre>{@code
 * java -XX:StartFlightRecording:settings=default,/path/to/gonode.jfc ...
 * }</pre>
 *
 * <p>Disabled events cost a few nanoseconds: every hook checks {@code isEnabled()} or
 * {@code shouldCommit()} before filling in fields. Events carry ids, names, wait reasons and
 * labels-free descriptions, never job payloads.
 */
package dev.gonode.runtime.jfr;
