package dev.gonode.node.internal;

import dev.gonode.node.internal.jobs.JobEngine;
import dev.gonode.node.internal.jobs.QueueEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job store's metrics. On both stores: {@code gonode_store_info{store}} (always 1) and
 * {@code gonode_store_up} (1 while the last store operation succeeded; always 1 on memory). On
 * {@code jobs.store: postgres} also the fleet-wide {@code gonode_queue_jobs{handler,state}} and
 * {@code gonode_queue_oldest_available_age_seconds{handler}} (counted every few seconds, the same
 * on every pod: dashboards take the max), and this pod's {@code gonode_queue_claim_seconds{handler}},
 * {@code gonode_queue_lease_expiries_total{handler}}, {@code gonode_queue_released_total{handler}} and
 * {@code gonode_store_errors_total{operation}}.
 */
public final class StoreTelemetry implements QueueEvents {

    /** The queue states {@code gonode_queue_jobs} reports, as in the {@code gonode_job.state} column. */
    static final List<String> STATES = List.of("available", "running", "scheduled", "retryable", "completed",
            "discarded", "cancelled");

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public StoreTelemetry(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges that read {@code engine}, for the store named {@code store}. */
    public void bindGauges(JobEngine engine, String store) {
        Gauge.builder("gonode.store.info", () -> 1).description("Always 1; the store label says which job store runs")
                .tag("store", store).register(registry);
        Gauge.builder("gonode.store.up", engine, e -> e.storeUp() ? 1 : 0)
                .description("1 when the last job store operation succeeded, 0 while the store is unreachable")
                .register(registry);
        if (!engine.blocks()) {
            return;
        }
        for (String handler : engine.handlerNames()) {
            for (String state : STATES) {
                Gauge.builder("gonode.queue.jobs", engine, e -> depth(e, handler, state))
                        .description("Jobs in the shared queue by handler and state, fleet-wide (every pod reports"
                                + " the same value; use max)").tag("handler", handler).tag("state", state)
                        .register(registry);
            }
            Gauge.builder("gonode.queue.oldest.available.age", engine, e -> e.oldestAvailableAge(handler))
                    .baseUnit("seconds").description("How long the oldest available job has been due, fleet-wide")
                    .tag("handler", handler).register(registry);
            claimTimer(handler);
            counter("gonode.queue.lease.expiries", "Jobs this pod claimed whose earlier lease had expired"
                    + " (redeliveries)", "handler", handler);
            counter("gonode.queue.released", "Jobs this pod handed back to the queue at the drain timeout",
                    "handler", handler);
        }
        for (String operation : List.of("enqueue", "claim", "complete", "renew", "listen", "prune", "get", "release")) {
            storeErrors(operation);
        }
    }

    /** {@code completed} sums the states of a job that ended (succeeded, failed, aborted). */
    private static double depth(JobEngine engine, String handler, String state) {
        if (state.equals("completed")) {
            return engine.queueDepth(handler, "succeeded") + engine.queueDepth(handler, "failed")
                    + engine.queueDepth(handler, "aborted");
        }
        return engine.queueDepth(handler, state);
    }

    @Override
    public void claimed(String handler, Duration took, int redelivered) {
        claimTimer(handler).record(took);
        if (redelivered > 0) {
            counter("gonode.queue.lease.expiries", "Jobs this pod claimed whose earlier lease had expired"
                    + " (redeliveries)", "handler", handler).increment(redelivered);
        }
    }

    @Override
    public void released(String handler, int count) {
        counter("gonode.queue.released", "Jobs this pod handed back to the queue at the drain timeout",
                "handler", handler).increment(count);
    }

    @Override
    public void storeError(String operation) {
        storeErrors(operation).increment();
    }

    private Counter storeErrors(String operation) {
        return counter("gonode.store.errors", "Job store operations that failed", "operation", operation);
    }

    private Timer claimTimer(String handler) {
        return timers.computeIfAbsent(handler, h -> Timer.builder("gonode.queue.claim")
                .description("Latency of one claim query").tag("handler", h).publishPercentileHistogram()
                .register(registry));
    }

    private Counter counter(String name, String description, String tag, String value) {
        return counters.computeIfAbsent(name + "\n" + value, k -> Counter.builder(name).description(description)
                .tag(tag, value).register(registry));
    }
}
