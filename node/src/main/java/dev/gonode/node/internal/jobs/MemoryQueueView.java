package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link QueueView} on {@code jobs.store: memory}: the jobs this node's {@link JobStore} holds (its
 * live jobs and the finished ones it still keeps, at most {@code jobs.results-max}).
 *
 * <p>Implementation notes. A page is cut from a snapshot: the store's jobs that pass the filter
 * and come after the cursor, the first {@code limit} of them in listing order (newest first, then
 * id descending), kept in a bounded max-heap as they are read, so a page costs one pass over the
 * store and O(limit) memory whatever the store holds. The cursor is the last job's (created,
 * id), the same keyset the table uses, so a job accepted between two pages never shifts one.
 */
final class MemoryQueueView implements QueueView {

    private final JobEngine engine;
    private final JobStore store;
    private final ObjectMapper mapper;

    MemoryQueueView(JobEngine engine, JobStore store, ObjectMapper mapper) {
        this.engine = engine;
        this.store = store;
        this.mapper = mapper;
    }

    @Override
    public Page list(Filter filter, Cursor after, int limit) {
        Comparator<JobSummary> order = QueueView::newestFirst;
        // A max-heap on listing order: its head is the last of the page kept so far.
        java.util.PriorityQueue<JobSummary> page = new java.util.PriorityQueue<>(limit + 1, order.reversed());
        for (JobRecord record : store.jobs()) {
            JobSummary job = summary(record);
            if (!filter.matches(job) || (after != null && !isAfter(job, after))) {
                continue;
            }
            page.add(job);
            if (page.size() > limit + 1) {
                page.poll();
            }
        }
        List<JobSummary> jobs = new ArrayList<>(page);
        jobs.sort(order);
        Cursor next = null;
        if (jobs.size() > limit) {
            jobs = jobs.subList(0, limit);
            JobSummary last = jobs.getLast();
            next = new Cursor(last.createdAt(), last.id());
        }
        return new Page(List.copyOf(jobs), next);
    }

    private static boolean isAfter(JobSummary job, Cursor cursor) {
        int byTime = job.createdAt().compareTo(cursor.createdAt());
        return byTime < 0 || (byTime == 0 && job.id().compareTo(cursor.id()) < 0);
    }

    @Override
    public Optional<JobDetail> get(String id) {
        JobRecord record = store.get(id);
        return record == null ? Optional.empty() : Optional.of(detail(record));
    }

    @Override
    public List<Stat> stats() {
        Map<String, Map<String, long[]>> counts = new TreeMap<>();
        Map<String, Map<String, Instant>> oldest = new TreeMap<>();
        for (JobRecord record : store.jobs()) {
            String state = state(record);
            counts.computeIfAbsent(record.handler(), h -> new TreeMap<>()).computeIfAbsent(state, s -> new long[1])[0]++;
            oldest.computeIfAbsent(record.handler(), h -> new TreeMap<>())
                    .merge(state, record.createdAt(), (a, b) -> a.isBefore(b) ? a : b);
        }
        List<Stat> stats = new ArrayList<>();
        counts.forEach((handler, byState) -> byState.forEach((state, n) ->
                stats.add(new Stat(handler, state, n[0], oldest.get(handler).get(state)))));
        return stats;
    }

    @Override
    public Action retry(String id) {
        JobRecord record = store.get(id);
        if (record == null) {
            return new Action.NotFound();
        }
        String state = state(record);
        if (!RETRYABLE_FROM.contains(state)) {
            return new Action.Conflict(state, QueueView.whyNotRetry(state));
        }
        return switch (engine.retry(id)) {
            case JobEngine.RetryResult.Retried retried -> new Action.Done(detail(retried.job()));
            case JobEngine.RetryResult.NotFound notFound -> new Action.NotFound();
            case JobEngine.RetryResult.NotRetryable not -> new Action.Conflict(state(record),
                    QueueView.whyNotRetry(state(record)));
            case JobEngine.RetryResult.Draining draining -> new Action.Conflict(state, "the node is draining and takes"
                    + " no jobs; retry the job on another node");
        };
    }

    @Override
    public Action cancel(String id) {
        JobRecord record = store.get(id);
        if (record == null) {
            return new Action.NotFound();
        }
        String state = state(record);
        if (record.status().isFinal()) {
            return new Action.Conflict(state, QueueView.whyNotCancel(state));
        }
        engine.cancel(record);
        if (!record.status().isFinal()) {
            return new Action.Conflict(state(record), "the job could not be cancelled; try again");
        }
        return new Action.Done(detail(record));
    }

    /** The table's word for a record's status: a queued job is {@code available}. */
    static String state(JobRecord record) {
        JobStatus status = record.status();
        return status == JobStatus.QUEUED ? "available" : status.wireName();
    }

    private static JobSummary summary(JobRecord record) {
        Outcome outcome = record.outcome();
        Instant created = record.createdAt();
        Instant attempted = record.queueWait() == null ? null : created.plus(record.queueWait());
        Instant finished = attempted != null && record.runTime() != null ? attempted.plus(record.runTime()) : null;
        boolean failed = outcome != null && !(outcome instanceof Outcome.Succeeded);
        Instant due = record.scheduledAt() != null ? record.scheduledAt() : created;
        return new JobSummary(record.id(), record.handler(), state(record), record.attempt(), record.maxAttempts(),
                created, due, attempted, finished, null, record.idempotencyKey(), failed ? outcome.code() : null);
    }

    private JobDetail detail(JobRecord record) {
        JobSummary job = summary(record);
        Outcome outcome = record.outcome();
        JsonNode result = null;
        JsonNode error = null;
        ArrayNode errors = mapper.createArrayNode();
        if (outcome instanceof Outcome.Succeeded s && s.resultJson() != null) {
            try {
                result = mapper.readTree(s.resultJson());
            } catch (IOException e) {
                result = null; // results are written by the node's own mapper: always JSON
            }
        } else if (outcome != null && !(outcome instanceof Outcome.Succeeded)) {
            ObjectNode e = mapper.createObjectNode().put("code", outcome.code()).put("message", outcome.message());
            if (outcome instanceof Outcome.HandlerFailed f) {
                e.put("errorId", f.errorId());
            }
            error = e;
        }
        for (AttemptError failed : record.errors()) { // every failed attempt's error, oldest first
            ObjectNode attempt = errors.addObject().put("attempt", failed.attempt());
            if (failed.at() != null) {
                attempt.put("at", failed.at().toString());
            }
            attempt.put("code", failed.code()).put("message", failed.message());
            if (failed.errorId() != null) {
                attempt.put("errorId", failed.errorId());
            }
        }
        return new JobDetail(job, record.payload(), result, error, errors);
    }
}
