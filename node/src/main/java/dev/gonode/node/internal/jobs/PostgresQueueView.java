package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.node.internal.store.postgres.JobState;
import dev.gonode.node.internal.store.postgres.QueueAdminQueries;
import dev.gonode.node.internal.store.postgres.StoredJob;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@link QueueView} on {@code jobs.store: postgres}: the fleet's {@code gonode_job} table, through
 * {@link QueueAdminQueries}. Every method blocks on the database.
 *
 * <p>Cancelling a running job: a job this node runs is cancelled here (its context is cancelled
 * and its end written with its lease, as when its caller goes away); the answer waits until that
 * write lands (at most {@link #CANCEL_WRITE_WAIT}). A job running on another node is cancelled
 * through {@link JobEngine#cancel(String)}: its row ends {@code cancelled} and its node is notified.
 */
final class PostgresQueueView implements QueueView {

    /** How long a cancel of a local running job waits for its end to be written. */
    static final Duration CANCEL_WRITE_WAIT = Duration.ofSeconds(5);

    private final JobEngine engine;
    private final QueueAdminQueries queries;
    private final ObjectMapper mapper;

    PostgresQueueView(JobEngine engine, QueueAdminQueries queries, ObjectMapper mapper) {
        this.engine = engine;
        this.queries = queries;
        this.mapper = mapper;
    }

    @Override
    public Page list(Filter filter, Cursor after, int limit) {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        filter.states().forEach(s -> states.add(JobState.fromDb(s)));
        UUID afterId = null;
        if (after != null) {
            afterId = uuid(after.id());
            if (afterId == null) {
                return new Page(List.of(), null); // no row has such an id: nothing sorts after it in the table
            }
        }
        List<StoredJob> rows = queries.list(states, filter.handler(), filter.since(), filter.until(),
                after == null ? null : after.createdAt(), afterId, limit + 1);
        List<JobSummary> jobs = rows.stream().limit(limit).map(this::summary).toList();
        Cursor next = null;
        if (rows.size() > limit) {
            JobSummary last = jobs.getLast();
            next = new Cursor(last.createdAt(), last.id());
        }
        return new Page(jobs, next);
    }

    @Override
    public Optional<JobDetail> get(String id) {
        UUID uuid = uuid(id);
        return uuid == null ? Optional.empty() : queries.get(uuid).map(this::detail);
    }

    @Override
    public List<Stat> stats() {
        return queries.counts().stream()
                .map(c -> new Stat(c.handler(), c.state().dbName(), c.count(), c.oldestCreatedAt()))
                .toList();
    }

    @Override
    public Action retry(String id) {
        UUID uuid = uuid(id);
        Optional<QueueAdminQueries.Change> change = uuid == null ? Optional.empty() : queries.retry(uuid);
        if (change.isEmpty()) {
            return new Action.NotFound();
        }
        QueueAdminQueries.Change c = change.get();
        if (c.after() == null) {
            String state = c.before().dbName();
            return new Action.Conflict(state, QueueView.RETRYABLE_FROM.contains(state)
                    ? "the job has used the most attempts a job may have; submit a new job"
                    : QueueView.whyNotRetry(state));
        }
        return new Action.Done(detail(c.after()));
    }

    @Override
    public Action cancel(String id) {
        UUID uuid = uuid(id);
        if (uuid == null) {
            return new Action.NotFound();
        }
        String error = mapper.createObjectNode().put("code", "cancelled")
                .put("message", "cancelled by an operator through the admin port").toString();
        Optional<QueueAdminQueries.Change> change = queries.cancelWaiting(uuid, error);
        if (change.isEmpty()) {
            return new Action.NotFound();
        }
        QueueAdminQueries.Change c = change.get();
        if (c.after() != null) {
            return new Action.Done(detail(c.after()));
        }
        if (c.before() != JobState.RUNNING) {
            return new Action.Conflict(c.before().dbName(), QueueView.whyNotCancel(c.before().dbName()));
        }
        JobRecord local = engine.liveJob(id);
        if (local == null) {
            // It runs on another node: the fleet-wide cancel ends the row and notifies that node, which
            // cancels the job's context.
            return switch (engine.cancel(id)) {
                case JobEngine.CancelResult.Cancelled cancelled ->
                        queries.get(uuid).map(row -> (Action) new Action.Done(detail(row))).orElseGet(Action.NotFound::new);
                case JobEngine.CancelResult.NotFound notFound -> new Action.NotFound();
                case JobEngine.CancelResult.AlreadyFinished finished -> new Action.Conflict(
                        finished.status().wireName(), QueueView.whyNotCancel(finished.status().wireName()));
            };
        }
        Channel<Object> written = Channel.make();
        local.onSettled(j -> written.close());
        engine.cancel(local);
        Select.select(Select.receiveOk(written), Select.timeout(CANCEL_WRITE_WAIT));
        return queries.get(uuid).map(row -> (Action) new Action.Done(detail(row))).orElseGet(Action.NotFound::new);
    }

    private static UUID uuid(String id) {
        if (id == null || id.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private JobSummary summary(StoredJob row) {
        return new JobSummary(row.id().toString(), row.handler(), row.state().dbName(), row.attempt(),
                row.maxAttempts(), row.createdAt(), row.scheduledAt(), row.attemptedAt(), row.finishedAt(),
                row.owner(), row.idempotencyKey(), errorCode(row.error()));
    }

    private String errorCode(String errorJson) {
        JsonNode code = errorJson == null ? null : json(errorJson).get("code");
        return code == null ? null : code.asText();
    }

    private JobDetail detail(StoredJob row) {
        return new JobDetail(summary(row), json(row.payload()), json(row.result()), json(row.error()),
                row.errors() == null ? mapper.createArrayNode() : json(row.errors()));
    }

    private JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            return mapper.getNodeFactory().textNode(text); // jsonb always prints JSON; never reached
        }
    }
}
