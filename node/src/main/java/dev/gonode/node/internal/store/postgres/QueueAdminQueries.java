package dev.gonode.node.internal.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The queue admin's statements on {@code gonode_job}: keyset pages of jobs with filters, counts by
 * handler and state, and an operator's retry and cancel. Each is one transaction on the queue's
 * pool; every method blocks on JDBC (call it from a goroutine) and throws {@link StoreException}
 * ({@link StoreUnavailableException} when the database cannot be reached).
 *
 * <p>Implementation notes.
 * <ul>
 *   <li><b>Pages</b> are keyset pages in (created_at, id) descending order: a page ends at its
 *       last row, and the next one starts strictly after it with the row comparison
 *       {@code (created_at, id) < (?, ?)}, so pages never skip or repeat a row however many jobs
 *       arrive between them and each page costs an index range scan, not an OFFSET. V4 adds the
 *       indexes this needs: (created_at, id) for the unfiltered list, (state, created_at, id)
 *       and (handler, created_at, id) for the filters. A single state is compared with {@code =}
 *       so that the state index returns rows already in order; several states use
 *       {@code = ANY(?)} (a bitmap scan of the state index and a sort of the matching rows).</li>
 *   <li><b>Retry and cancel</b> lock the row ({@code FOR UPDATE}), decide from its state, and
 *       update it in the same transaction, so they cannot race a claim or a completion: a claim
 *       skips the locked row, a completion waits for it and is then refused by its fencing
 *       (retry clears the lease; cancel only touches a job that no node holds).</li>
 * </ul>
 */
public final class QueueAdminQueries {

    /** What a retry or cancel found and did: the state before, and the row after ({@code null}: unchanged). */
    public record Change(JobState before, StoredJob after, String owner) {
    }

    /** Jobs of one handler in one state, and the oldest one's creation time. */
    public record Count(String handler, JobState state, long count, Instant oldestCreatedAt) {
    }

    /** The most attempts a job may have (the table's check on {@code max_attempts}). */
    static final int MAX_ATTEMPTS = 1000;

    private final PostgresJobQueue queue;

    public QueueAdminQueries(PostgresJobQueue queue) {
        this.queue = queue;
    }

    /**
     * Up to {@code limit} jobs, newest first, that are in one of {@code states} (all when empty),
     * of {@code handler} (all when {@code null}), created in [{@code since}, {@code until}) (open
     * where {@code null}), and after the keyset position ({@code afterCreated}, {@code afterId})
     * when given.
     */
    public List<StoredJob> list(Set<JobState> states, String handler, Instant since, Instant until,
                                Instant afterCreated, UUID afterId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT ").append(PostgresJobQueue.JOB_COLUMNS)
                .append(" FROM gonode_job j WHERE true");
        List<Object> args = new ArrayList<>();
        if (states.size() == 1) {
            sql.append(" AND j.state = ?");
            args.add(states.iterator().next().dbName());
        } else if (!states.isEmpty()) {
            sql.append(" AND j.state = ANY (?)");
            args.add(states.stream().map(JobState::dbName).toArray(String[]::new));
        }
        if (handler != null) {
            sql.append(" AND j.handler = ?");
            args.add(handler);
        }
        if (since != null) {
            sql.append(" AND j.created_at >= ?");
            args.add(time(since));
        }
        if (until != null) {
            sql.append(" AND j.created_at < ?");
            args.add(time(until));
        }
        if (afterCreated != null) {
            sql.append(" AND (j.created_at, j.id) < (?, ?)");
            args.add(time(afterCreated));
            args.add(afterId);
        }
        sql.append(" ORDER BY j.created_at DESC, j.id DESC LIMIT ?");
        args.add(limit);
        try (Connection c = queue.pool().getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                Object arg = args.get(i);
                if (arg instanceof String[] array) {
                    s.setArray(i + 1, c.createArrayOf("text", array));
                } else {
                    s.setObject(i + 1, arg);
                }
            }
            List<StoredJob> jobs = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    jobs.add(PostgresJobQueue.readJob(rs, 1));
                }
            }
            return jobs;
        } catch (SQLException e) {
            throw queue.failure("listing jobs", e);
        }
    }

    /** The plan PostgreSQL chooses for {@link #list} with these filters (tests check that it uses an index). */
    String explainList(Set<JobState> states, String handler, boolean paged) throws SQLException {
        StringBuilder sql = new StringBuilder("EXPLAIN SELECT j.id FROM gonode_job j WHERE true");
        if (states.size() == 1) {
            sql.append(" AND j.state = '").append(states.iterator().next().dbName()).append('\'');
        }
        if (handler != null) {
            sql.append(" AND j.handler = '").append(handler.replace("'", "''")).append('\'');
        }
        if (paged) {
            sql.append(" AND (j.created_at, j.id) < (now(), gen_random_uuid())");
        }
        sql.append(" ORDER BY j.created_at DESC, j.id DESC LIMIT 50");
        try (Connection c = queue.pool().getConnection(); PreparedStatement s = c.prepareStatement(sql.toString());
             ResultSet rs = s.executeQuery()) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
            return plan.toString();
        }
    }

    /** The job with this id, if it exists. */
    public Optional<StoredJob> get(UUID id) {
        return queue.get(id);
    }

    /** How many jobs each handler has in each state, and the oldest's creation, by handler then state. */
    public List<Count> counts() {
        try (Connection c = queue.pool().getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT handler, state, count(*), min(created_at) FROM gonode_job
                      GROUP BY handler, state ORDER BY handler, state""");
             ResultSet rs = s.executeQuery()) {
            List<Count> counts = new ArrayList<>();
            while (rs.next()) {
                counts.add(new Count(rs.getString(1), JobState.fromDb(rs.getString(2)), rs.getLong(3),
                        rs.getObject(4, OffsetDateTime.class).toInstant()));
            }
            return counts;
        } catch (SQLException e) {
            throw queue.failure("counting jobs", e);
        }
    }

    /**
     * Makes a failed, discarded, cancelled or aborted job available again, keeping its id, attempts
     * and errors; a job that used all its attempts gets one more. Claimers are notified. Empty when
     * no job has this id; {@code after == null} when its state does not allow a retry.
     */
    public Optional<Change> retry(UUID id) {
        return inTransaction(id, "retrying job " + id, (c, before, attempt, owner) -> {
            if (!Set.of(JobState.FAILED, JobState.DISCARDED, JobState.CANCELLED, JobState.ABORTED).contains(before)
                    || attempt >= MAX_ATTEMPTS) {
                return new Change(before, null, owner);
            }
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE gonode_job j
                       SET state = 'available', scheduled_at = now(), finished_at = NULL, result = NULL, error = NULL,
                           owner = NULL, lease_token = NULL, lease_expires_at = NULL,
                           max_attempts = GREATEST(j.max_attempts, j.attempt + 1)
                     WHERE j.id = ?
                    RETURNING pg_notify('gonode_job_available', j.handler) IS NULL, """ + PostgresJobQueue.JOB_COLUMNS)) {
                s.setObject(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new Change(before, PostgresJobQueue.readJob(rs, 2), owner);
                }
            }
        });
    }

    /**
     * Cancels a job that waits for a claim (available, scheduled or retryable): it ends
     * {@code cancelled} with {@code errorJson} as its error, and waiting callers are notified.
     * Empty when no job has this id; {@code after == null} when it runs or has ended.
     */
    public Optional<Change> cancelWaiting(UUID id, String errorJson) {
        return inTransaction(id, "cancelling job " + id, (c, before, attempt, owner) -> {
            if (before.isFinal() || before == JobState.RUNNING) {
                return new Change(before, null, owner);
            }
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE gonode_job j
                       SET state = 'cancelled', finished_at = now(), error = ?::jsonb,
                           errors = j.errors || jsonb_build_array(?::jsonb || jsonb_build_object('attempt', j.attempt, 'at', now()))
                     WHERE j.id = ?
                    RETURNING pg_notify('gonode_job_settled', j.id::text) IS NULL, """ + PostgresJobQueue.JOB_COLUMNS)) {
                s.setString(1, errorJson);
                s.setString(2, errorJson);
                s.setObject(3, id);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new Change(before, PostgresJobQueue.readJob(rs, 2), owner);
                }
            }
        });
    }

    /** What a locked row allows; runs inside the row's transaction. */
    @FunctionalInterface
    private interface Decision {
        Change apply(Connection c, JobState before, int attempt, String owner) throws SQLException;
    }

    private Optional<Change> inTransaction(UUID id, String operation, Decision decision) {
        try (Connection c = queue.pool().getConnection()) {
            c.setAutoCommit(false);
            try {
                Change change;
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT state, attempt, owner FROM gonode_job WHERE id = ? FOR UPDATE")) {
                    s.setObject(1, id);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return Optional.empty();
                        }
                        change = decision.apply(c, JobState.fromDb(rs.getString(1)), rs.getInt(2), rs.getString(3));
                    }
                }
                c.commit();
                return Optional.of(change);
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; the pool discards it and the server rolls back
                }
                throw e;
            }
        } catch (SQLException e) {
            throw queue.failure(operation, e);
        }
    }

    private static OffsetDateTime time(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
