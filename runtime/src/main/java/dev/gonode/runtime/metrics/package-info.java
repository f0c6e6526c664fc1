/**
 * Runtime metrics for Micrometer: {@link dev.gonode.runtime.metrics.GonodeMetrics} binds the
 * scheduler's and the leak detector's numbers to a {@code MeterRegistry}, named for Prometheus
 * with a {@code gonode_} prefix and base units, after Go's {@code go_sched_*} metrics.
 */
package dev.gonode.runtime.metrics;
