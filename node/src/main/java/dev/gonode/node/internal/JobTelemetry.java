package dev.gonode.node.internal;

import dev.gonode.node.internal.jobs.JobEngine;
import dev.gonode.node.internal.jobs.JobEvents;
import dev.gonode.node.internal.jobs.JobRecord;
import dev.gonode.node.internal.jobs.JobStatus;
import dev.gonode.node.internal.jobs.Outcome;
import dev.gonode.runtime.jfr.JobEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job engine's events as Prometheus metrics and JFR {@code gonode.Job} events.
 *
 * <p>Metrics, all with a {@code handler} tag: {@code gonode_jobs_accepted_total},
 * {@code gonode_jobs_rejected_total{reason}} (draining, mailbox_full),
 * {@code gonode_jobs_completed_total{outcome}} (the final status: succeeded, failed, cancelled,
 * aborted; plus {@code code} for failures), the histograms {@code gonode_job_queue_wait_seconds}
 * and {@code gonode_job_run_seconds}, the gauges {@code gonode_handler_mailbox_jobs},
 * {@code gonode_handler_mailbox_capacity_jobs} and {@code gonode_handler_workers{state=busy|idle}},
 * and {@code gonode_handler_worker_restarts_total}; node-wide {@code gonode_jobs_in_flight},
 * {@code gonode_jobs_in_flight_payload_bytes} and {@code gonode_node_draining}.
 *
 * <p>A JFR event spans a job from acceptance to settlement, with the API's words for its outcome
 * ({@code succeeded}, {@code failed}, {@code cancelled}, {@code aborted}), the error code of a
 * failure, and the id of the goroutine that ran it; it exists only while a recording enables
 * {@code gonode.Job}, so with JFR off this costs one {@code isEnabled} check per job.
 */
public final class JobTelemetry implements JobEvents {

    private final MeterRegistry registry;
    private final Map<JobRecord, JobEvent> open = new ConcurrentHashMap<>();
    /** The meters every job of a handler touches, by handler: one map lookup per event, no key to build. */
    private final Map<String, HandlerMeters> byHandler = new ConcurrentHashMap<>();
    /** The rarer meters (refusals, failures by code, restarts) by name and tags: looked up once, then cached. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** A handler's meters for the accepted, succeeded path. */
    private record HandlerMeters(Counter accepted, Counter succeeded, Timer queueWait, Timer run) {
    }

    JobTelemetry(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges that read {@code engine}. */
    public void bindGauges(JobEngine engine) {
        Gauge.builder("gonode.jobs.in.flight", engine, JobEngine::inFlight)
                .description("Jobs accepted and not yet answered").register(registry);
        Gauge.builder("gonode.node.draining", engine, e -> e.draining() ? 1 : 0)
                .description("1 while the node drains (refusing new jobs), else 0").register(registry);
        Gauge.builder("gonode.jobs.in.flight.payload", engine, JobEngine::inFlightBytes).baseUnit("bytes")
                .description("Payload bytes of the jobs accepted and not yet answered (bounded by"
                        + " jobs.queued-max-bytes)").register(registry);
        for (String handler : engine.handlerNames()) {
            Gauge.builder("gonode.handler.mailbox", engine, e -> e.mailboxLength(handler)).baseUnit("jobs")
                    .description("Jobs waiting in the handler's mailbox").tag("handler", handler).register(registry);
            Gauge.builder("gonode.handler.mailbox.capacity", engine, e -> e.mailboxCapacity(handler)).baseUnit("jobs")
                    .description("Capacity of the handler's mailbox").tag("handler", handler).register(registry);
            for (boolean busy : new boolean[] {true, false}) {
                Gauge.builder("gonode.handler.workers", engine, e -> e.workers(handler, busy))
                        .description("Worker goroutines of the handler, running a job (busy) or waiting for one"
                                + " (idle); they start on demand up to its concurrency and end when idle")
                        .tag("handler", handler).tag("state", busy ? "busy" : "idle").register(registry);
            }
            restarts(handler);
            retries(handler);
        }
    }

    private HandlerMeters meters(String handler) {
        HandlerMeters meters = byHandler.get(handler);
        return meters != null ? meters : byHandler.computeIfAbsent(handler, h -> new HandlerMeters(
                Counter.builder("gonode.jobs.accepted").description("Jobs accepted into a handler's mailbox")
                        .tag("handler", h).register(registry),
                completed(h, JobStatus.SUCCEEDED.wireName(), "none"),
                timer("gonode.job.queue.wait", "Time jobs waited in the mailbox", h),
                timer("gonode.job.run", "Time handlers ran jobs", h)));
    }

    private Counter completed(String handler, String status, String code) {
        return counters.computeIfAbsent("completed\n" + handler + "\n" + status + "\n" + code,
                k -> Counter.builder("gonode.jobs.completed").description("Jobs answered, by final status")
                        .tag("handler", handler).tag("outcome", status).tag("code", code).register(registry));
    }

    private Timer timer(String name, String description, String handler) {
        return Timer.builder(name).description(description).tag("handler", handler).publishPercentileHistogram()
                .register(registry);
    }

    @Override
    public void accepted(JobRecord job) {
        meters(job.handler()).accepted().increment();
        JobEvent event = new JobEvent();
        if (event.isEnabled()) {
            event.begin();
            event.jobId = job.id();
            event.handler = job.handler();
            event.outcome = "queued";
            open.put(job, event);
            if (job.outcome() != null) {
                finish(job); // settled before we got here: settled() found nothing to end
            }
        }
    }

    @Override
    public void rejected(String handler, String reason) {
        counters.computeIfAbsent("rejected\n" + handler + "\n" + reason, k -> Counter.builder("gonode.jobs.rejected")
                .description("Jobs refused before they were accepted").tag("handler", handler).tag("reason", reason)
                .register(registry)).increment();
    }

    @Override
    public void settled(JobRecord job) {
        Outcome outcome = job.outcome();
        HandlerMeters meters = meters(job.handler());
        if (outcome instanceof Outcome.Succeeded) {
            meters.succeeded().increment();
        } else {
            completed(job.handler(), outcome.status().wireName(), outcome.code()).increment();
        }
        record(meters.queueWait(), job.queueWait());
        record(meters.run(), job.runTime());
        finish(job);
    }

    @Override
    public void retried(JobRecord job) {
        retries(job.handler()).increment();
        if (job.outcome() != null) {
            finish(job); // shared queue: this node's attempt is over (the job runs again anywhere)
        }
    }

    private Counter retries(String handler) {
        return counters.computeIfAbsent("retries\n" + handler, k -> Counter.builder("gonode.jobs.retries")
                .description("Failed attempts followed by another (a retry with backoff); a job whose attempts run out"
                        + " counts in gonode_jobs_completed_total{outcome=\"discarded\"}")
                .tag("handler", handler).register(registry));
    }

    @Override
    public void workerRestarted(String handler, String errorId) {
        restarts(handler).increment();
    }

    private Counter restarts(String handler) {
        return counters.computeIfAbsent("restarts\n" + handler, k -> Counter.builder("gonode.handler.worker.restarts")
                .description("Worker goroutines that died (a handler threw a VirtualMachineError) and were replaced")
                .tag("handler", handler).register(registry));
    }

    private void finish(JobRecord job) {
        JobEvent event = open.remove(job);
        if (event != null) {
            Outcome outcome = job.outcome();
            event.outcome = outcome.status().wireName();
            event.code = outcome instanceof Outcome.Succeeded ? "" : outcome.code();
            event.goroutineId = job.goroutineId();
            event.commit();
        }
    }

    private static void record(Timer timer, Duration d) {
        if (d != null) {
            timer.record(d);
        }
    }
}
