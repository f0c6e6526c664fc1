package dev.gonode.node.internal.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gonode.node.StartupException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The fleet's shared job queue on PostgreSQL: enqueue, claim, complete, renew, release, read,
 * prune and count, each one SQL statement in its own transaction.
 *
 * <p>Every method blocks on JDBC. Call them from goroutines (virtual threads on gonode's
 * scheduler, which unmount while the socket waits), never from a Vert.x event loop. Failures are
 * unchecked: {@link StoreUnavailableException} when the database cannot be reached (retriable;
 * the pool reconnects by itself), {@link StoreException} otherwise.
 *
 * <p>Implementation notes.
 *
 * <ul>
 *   <li><b>Enqueue</b> calls the SQL function {@code gonode_enqueue_job}, which other services
 *       also use: {@code INSERT ... ON CONFLICT (handler, idempotency_key) DO NOTHING}, then reads
 *       the existing row when the key was taken. The unique constraint, not a check-then-insert,
 *       makes one key one job across the fleet: the second of two concurrent inserts waits for the
 *       first to commit and then finds its row.</li>
 *   <li><b>Claim</b> is one {@code UPDATE ... WHERE id = ANY (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)}:
 *       first running jobs whose lease has expired (their owner died or stalled; at-least-once
 *       delivery, the claim counts as another attempt and records the lost lease in
 *       {@code errors}), then due jobs oldest first, through the partial indexes of V1. Rows
 *       another claimer has locked are skipped, never waited for, so concurrent claimers never
 *       share a job and never queue behind each other. Each claimed row draws a new fencing token
 *       from {@code gonode_lease_token_seq}. A job whose lease expired with no attempts left is not
 *       claimed: {@link #discardAbandoned()} ends it.</li>
 *   <li><b>Fencing.</b> {@link #complete}, {@link #renew} and {@link #release} only touch a row
 *       whose {@code lease_token} is still the caller's and whose state is still running. A
 *       paused or partitioned owner whose job was re-claimed changes nothing and learns so from
 *       the result. A lease that expired but was not re-claimed is still the owner's: its
 *       completion counts (no work is thrown away).</li>
 *   <li><b>Batches.</b> {@link #completeAll} settles many jobs in one statement ({@code unnest}
 *       over arrays), the idea of River's batch completer: a burn-down is bounded by round trips
 *       and commits, not by rows.</li>
 *   <li><b>Notifications</b> are hints, delivered at commit and lost while a listener is
 *       disconnected: {@code gonode_job_available} (payload: the handler) on enqueue and release,
 *       {@code gonode_job_settled} (payload: up to 200 comma-separated job ids) when jobs end.
 *       {@link QueueListener} receives them; claimers and waiters also poll. This queue's own
 *       enqueues leave {@code gonode_job_available} to an {@link AvailableNotifier}, which sends
 *       one per handler for many jobs (PostgreSQL serialises the commits of notifying
 *       transactions); other services' calls of {@code gonode_enqueue} notify in their own
 *       transaction.</li>
 *   <li><b>Clock.</b> Leases and due times use the database's {@code now()}, one clock for the
 *       whole fleet; pods' clocks never enter a comparison.</li>
 * </ul>
 */
public final class PostgresJobQueue implements AutoCloseable {

    /** The channel a claimer listens on: a job of the handler named in the payload became due. */
    public static final String CHANNEL_AVAILABLE = "gonode_job_available";
    /** The channel a waiter listens on: the jobs whose ids the payload lists (comma-separated) ended. */
    public static final String CHANNEL_SETTLED = "gonode_job_settled";
    /** The channel owners listen on: the running job whose id is the payload was cancelled; stop it. */
    public static final String CHANNEL_CANCELLED = "gonode_job_cancelled";

    private static final String MIGRATIONS = "classpath:db/migration";
    private static final String HISTORY_TABLE = "gonode_schema_history";
    /** The advisory lock that lets one pod at a time prune ('gonode' in ASCII, then 1). */
    static final long PRUNE_LOCK = 0x676F6E6F6465_01L;
    private static final int PRUNE_BATCH = 10_000;
    private static final int MAX_OWNER_LENGTH = 253;

    /** The columns every read returns, in the order {@link #readJob} expects them. */
    static final String JOB_COLUMNS = """
            j.id, j.handler, j.state, j.payload, j.result, j.error, j.errors, j.idempotency_key, j.attempt,
            j.max_attempts, (extract(epoch FROM j.timeout) * 1000)::bigint AS timeout_ms, j.created_at,
            j.scheduled_at, j.attempted_at, j.finished_at, j.owner, j.lease_token, j.lease_expires_at""";

    private static final String ENQUEUE_SQL = "SELECT e.inserted, " + JOB_COLUMNS + "\n" + """
             FROM gonode_enqueue_job(?, ?::jsonb, ?, ? * interval '1 millisecond', ?,
                                     now() + ? * interval '1 millisecond') e,
                  LATERAL (SELECT (e.job).*) j""";

    /** Notifies waiters of the ids in CTE {@code done}, 200 per notification (8000-byte payload limit). */
    private static final String NOTIFY_SETTLED_FROM_DONE = """
            SELECT c.ids, pg_notify('gonode_job_settled', c.ids) FROM (
                SELECT string_agg(d.id::text, ',') AS ids
                  FROM (SELECT id, (row_number() OVER () - 1) / 200 AS chunk FROM done) d
                 GROUP BY d.chunk) c""";

    /*
     * The UPDATE finds its rows by "id = ANY (ARRAY(...))", an index lookup per id: joining the CTE
     * instead let the planner, which cannot estimate the CTE's size, hash-join the whole table.
     * CTEs are read on demand, so "due" locks only as many rows as "expired" leaves room for. In
     * SET, j.state is the row's old state: 'running' means a re-claim after an expired lease.
     */
    private static final String CLAIM_SQL = """
            WITH expired AS (
                SELECT id FROM gonode_job
                 WHERE handler = ? AND state = 'running' AND lease_expires_at < now() AND attempt < max_attempts
                 ORDER BY lease_expires_at
                 LIMIT ?
                 FOR UPDATE SKIP LOCKED
            ), due AS (
                SELECT id FROM gonode_job
                 WHERE handler = ? AND state IN ('available', 'scheduled', 'retryable') AND scheduled_at <= now()
                 ORDER BY scheduled_at, id
                 LIMIT ?
                 FOR UPDATE SKIP LOCKED
            ), picked AS (
                (SELECT id FROM expired) UNION ALL (SELECT id FROM due) LIMIT ?
            )
            UPDATE gonode_job j
               SET state = 'running', attempt = j.attempt + 1, attempted_at = now(), owner = ?,
                   lease_token = nextval('gonode_lease_token_seq'), lease_expires_at = now() + ? * interval '1 millisecond',
                   errors = CASE WHEN j.state = 'running'
                                 THEN j.errors || jsonb_build_array(jsonb_build_object(
                                          'attempt', j.attempt, 'at', now(), 'code', 'lease_expired',
                                          'message', 'the lease of ' || j.owner || ' expired before the attempt ended'))
                                 ELSE j.errors END
             WHERE j.id = ANY (ARRAY(SELECT id FROM picked))
            RETURNING EXISTS (SELECT 1 FROM expired e WHERE e.id = j.id), """ + JOB_COLUMNS;

    /** Claims one job by id if it is still waiting (the accepting node runs a synchronous job itself). */
    private static final String CLAIM_BY_ID_SQL = """
            UPDATE gonode_job j
               SET state = 'running', attempt = j.attempt + 1, attempted_at = now(), owner = ?,
                   lease_token = nextval('gonode_lease_token_seq'), lease_expires_at = now() + ? * interval '1 millisecond'
             WHERE j.id = ? AND j.state IN ('available', 'scheduled', 'retryable') AND j.scheduled_at <= now()
            """ + "RETURNING " + JOB_COLUMNS;

    /** Ends a job that is still waiting for a claim with the given error (a waiter's deadline passed). */
    private static final String FAIL_WAITING_SQL = """
            WITH done AS (
                UPDATE gonode_job j
                   SET state = 'failed', error = ?::jsonb, errors = j.errors || jsonb_build_array(?::jsonb),
                       finished_at = now()
                 WHERE j.id = ? AND j.state IN ('available', 'scheduled', 'retryable')
                RETURNING j.id
            )
            """ + NOTIFY_SETTLED_FROM_DONE;

    private static final String COMPLETE_SQL = """
            WITH done AS (
                UPDATE gonode_job j
                   SET state = v.state,
                       result = v.result::jsonb,
                       error = v.error::jsonb,
                       errors = CASE WHEN v.error IS NULL THEN j.errors
                                     ELSE j.errors || jsonb_build_array(v.error::jsonb
                                              || jsonb_build_object('attempt', j.attempt, 'at', now())) END,
                       finished_at = CASE WHEN v.state = 'retryable' THEN NULL ELSE now() END,
                       scheduled_at = CASE WHEN v.state = 'retryable'
                                           THEN now() + v.retry_ms * interval '1 millisecond'
                                           ELSE j.scheduled_at END,
                       lease_expires_at = NULL
                  FROM unnest(?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                       AS v(id, token, state, result, error, retry_ms)
                 WHERE j.id = v.id AND j.lease_token = v.token AND j.state = 'running'
                RETURNING j.id
            )
            """ + NOTIFY_SETTLED_FROM_DONE;

    private static final String RENEW_SQL = """
            UPDATE gonode_job j
               SET lease_expires_at = now() + ? * interval '1 millisecond'
              FROM unnest(?::uuid[], ?::bigint[]) AS v(id, token)
             WHERE j.id = v.id AND j.lease_token = v.token AND j.state = 'running'
            RETURNING j.id""";

    private static final String RELEASE_SQL = """
            WITH released AS (
                UPDATE gonode_job j
                   SET state = 'available', attempt = j.attempt - 1, owner = NULL, lease_token = NULL,
                       lease_expires_at = NULL
                  FROM unnest(?::uuid[], ?::bigint[]) AS v(id, token)
                 WHERE j.id = v.id AND j.lease_token = v.token AND j.state = 'running'
                RETURNING j.id, j.handler
            )
            SELECT r.id, pg_notify('gonode_job_available', r.handler) FROM released r""";

    private static final String DISCARD_ABANDONED_SQL = """
            WITH done AS (
                UPDATE gonode_job j
                   SET state = 'discarded', finished_at = now(), lease_expires_at = NULL,
                       error = x.error, errors = j.errors || jsonb_build_array(x.error)
                  FROM (SELECT id, jsonb_build_object(
                                   'attempt', attempt, 'at', now(), 'code', 'lease_expired',
                                   'message', 'the lease of ' || owner || ' expired on the last of '
                                              || max_attempts || ' attempts') AS error
                          FROM gonode_job
                         WHERE state = 'running' AND lease_expires_at < now() AND attempt >= max_attempts
                         FOR UPDATE SKIP LOCKED) x
                 WHERE j.id = x.id
                RETURNING j.id
            )
            """ + NOTIFY_SETTLED_FROM_DONE;

    /** Locks one job's row and reads its state, for {@link #cancel}. */
    private static final String LOCK_STATE_SQL = "SELECT state FROM gonode_job WHERE id = ? FOR UPDATE";

    /**
     * Cancels a job that has not ended (its row is locked by {@link #LOCK_STATE_SQL} in the same
     * transaction); tells its waiters, and its owner if it runs.
     */
    private static final String CANCEL_SQL = """
            WITH done AS (
                UPDATE gonode_job j
                   SET state = 'cancelled', error = ?::jsonb, finished_at = now(), lease_expires_at = NULL
                 WHERE j.id = ? AND j.state IN ('available', 'scheduled', 'retryable', 'running')
                RETURNING j.id
            )
            SELECT pg_notify('gonode_job_settled', d.id::text),
                   CASE WHEN ? = 'running' THEN pg_notify('gonode_job_cancelled', d.id::text) END
              FROM done d""";

    /**
     * Makes a job that ended unsuccessfully due again at once (its row is locked by
     * {@link #LOCK_STATE_SQL} in the same transaction): attempts counted afresh, errors kept,
     * claimers notified.
     */
    private static final String RETRY_SQL = """
            WITH again AS (
                UPDATE gonode_job j
                   SET state = 'available', attempt = 0, scheduled_at = now(), attempted_at = NULL,
                       finished_at = NULL, result = NULL, error = NULL, owner = NULL, lease_token = NULL,
                       lease_expires_at = NULL
                 WHERE j.id = ? AND j.state IN ('failed', 'discarded', 'cancelled', 'aborted')
                RETURNING j.handler
            )
            SELECT pg_notify('gonode_job_available', a.handler) FROM again a""";

    /** What {@link #enqueue} did: the job's row, and whether this call created it. */
    public record Enqueued(StoredJob job, boolean inserted) {
    }

    /** What {@link #claim} returned: the jobs now running under this owner, and how many were re-claimed after a lost lease. */
    public record ClaimBatch(List<StoredJob> jobs, int redelivered) {
    }

    /** Jobs of one handler in one state. */
    public record Depth(String handler, JobState state, long count) {
    }

    /** What {@link #prune} did: {@code ran} is false when another pod held the prune lock. */
    public record PruneResult(boolean ran, long deleted) {
    }

    private final PostgresSettings settings;
    private final HikariDataSource pool;
    private final List<QueueListener> listeners = new ArrayList<>();
    /** Notifies claimers of this node's enqueues, many per notification (see migration V3). */
    private final AvailableNotifier notifier;

    private PostgresJobQueue(PostgresSettings settings, HikariDataSource pool) {
        this.settings = settings;
        this.pool = pool;
        this.notifier = new AvailableNotifier(pool);
    }

    /**
     * Opens the connection pool and brings the schema up to date. Flyway holds a PostgreSQL
     * advisory lock while it migrates, so nodes starting together migrate once and the others
     * wait, then find nothing to do.
     *
     * @throws StartupException naming the setting to fix: unreachable server, refused login,
     *                          missing database, a role that may not create the tables
     */
    public static PostgresJobQueue connect(PostgresSettings settings) throws StartupException {
        settings.validate();
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(settings));
        } catch (RuntimeException e) {
            throw StartupFailures.connectFailed(settings, e);
        }
        try {
            checkCanCreateSchema(pool, settings);
            migrate(pool);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw StartupFailures.migrationFailed(settings, e);
        } catch (StartupException e) {
            pool.close();
            throw e;
        }
        return new PostgresJobQueue(settings, pool);
    }

    /**
     * Before the first migration: a role that may not create tables fails here at once, where
     * Flyway would retry creating its history table for ten seconds first. Once the schema exists,
     * a role with only data rights is enough (an owner ran the migrations).
     */
    private static void checkCanCreateSchema(HikariDataSource pool, PostgresSettings settings)
            throws SQLException, StartupException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('" + HISTORY_TABLE + "') IS NOT NULL,"
                     + " has_schema_privilege(current_schema(), 'CREATE')")) {
            rs.next();
            if (!rs.getBoolean(1) && !rs.getBoolean(2)) {
                throw StartupFailures.migrationFailed(settings, new SQLException(
                        "permission denied to create tables in the current schema", "42501"));
            }
        }
    }

    /** Applies pending migrations to {@code dataSource}; what Flyway did. Visible for the concurrent-migration test. */
    static MigrateResult migrate(javax.sql.DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .table(HISTORY_TABLE)
                .baselineOnMigrate(false)
                // All pending migrations in one transaction: all or none land, and one node applies
                // them all (per-migration transactions let a node waiting on Flyway's lock take over
                // between two of them).
                .group(true)
                .load()
                .migrate();
    }

    private static HikariConfig poolConfig(PostgresSettings settings) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("gonode-postgres");
        c.setJdbcUrl(settings.jdbcUrl());
        c.setUsername(settings.user());
        c.setPassword(settings.password());
        c.setMaximumPoolSize(settings.poolSize());
        c.setMinimumIdle(Math.min(2, settings.poolSize()));
        c.setConnectionTimeout(settings.connectTimeout().toMillis());
        // Try once at start: a node that cannot reach its store stops with the reason (exit 2).
        c.setInitializationFailTimeout(1);
        c.addDataSourceProperty("connectTimeout", Math.max(1, settings.connectTimeout().toSeconds()));
        c.addDataSourceProperty("tcpKeepAlive", true);
        c.addDataSourceProperty("ApplicationName", "gonode");
        // gonode_enqueue_job leaves the NOTIFY to the AvailableNotifier (see migration V3).
        c.addDataSourceProperty("options", "-c gonode.enqueue_notify=off");
        return c;
    }

    /**
     * Adds a job, or finds the one its idempotency key already names.
     *
     * @param payload        the job's input, JSON text
     * @param idempotencyKey unique per handler across the fleet; {@code null} for none
     * @param timeout        how long one attempt may run; {@code null}: the handler's configured timeout
     * @param maxAttempts    attempts before the job is discarded (1 to 1000)
     * @param delay          how long from now until the job is due ({@link Duration#ZERO}: at once;
     *                       a later job waits in state {@code scheduled})
     */
    public Enqueued enqueue(String handler, String payload, String idempotencyKey, Duration timeout, int maxAttempts,
                            Duration delay) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(delay, "delay");
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(ENQUEUE_SQL)) {
            bindEnqueue(s, handler, payload, idempotencyKey, timeout, maxAttempts, delay);
            Enqueued enqueued;
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                enqueued = new Enqueued(readJob(rs, 2), rs.getBoolean(1));
            }
            notifyIfAvailable(enqueued);
            return enqueued;
        } catch (SQLException e) {
            throw failure("enqueueing a job for handler " + handler, e);
        }
    }

    /** After the commit that made it: tells claimers about a job this call inserted that waits for a claim. */
    private void notifyIfAvailable(Enqueued enqueued) {
        if (enqueued.inserted() && enqueued.job().state() == JobState.AVAILABLE) {
            notifier.jobsAdded(enqueued.job().handler());
        }
    }

    /**
     * Adds a job due at once and, if this call inserted it, claims it for {@code owner} in the same
     * transaction: the accepting node runs it. Other nodes are notified at commit, when the job is
     * already running, so none of them competes for it. A repeated idempotency key returns the
     * existing job unclaimed ({@code inserted == false}).
     */
    public Enqueued enqueueAndClaim(String handler, String payload, String idempotencyKey, Duration timeout,
                                    int maxAttempts, String owner, Duration lease) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(payload, "payload");
        checkOwner(owner);
        long leaseMillis = positiveMillis(lease, "lease");
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                Enqueued enqueued;
                try (PreparedStatement s = c.prepareStatement(ENQUEUE_SQL)) {
                    bindEnqueue(s, handler, payload, idempotencyKey, timeout, maxAttempts, Duration.ZERO);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        enqueued = new Enqueued(readJob(rs, 2), rs.getBoolean(1));
                    }
                }
                if (enqueued.inserted()) {
                    try (PreparedStatement s = c.prepareStatement(CLAIM_BY_ID_SQL)) {
                        s.setString(1, owner);
                        s.setLong(2, leaseMillis);
                        s.setObject(3, enqueued.job().id());
                        try (ResultSet rs = s.executeQuery()) {
                            if (rs.next()) {
                                enqueued = new Enqueued(readJob(rs, 1), true);
                            }
                        }
                    }
                }
                c.commit();
                notifyIfAvailable(enqueued); // nothing to say when this node claimed it
                return enqueued;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } // the pool restores auto-commit when the connection comes back to it
        } catch (SQLException e) {
            throw failure("enqueueing a job for handler " + handler, e);
        }
    }

    /**
     * Ends the job with {@code errorJson} as {@code failed} if it is still waiting for a claim;
     * returns whether it did (false: it runs, or has ended, or does not exist).
     */
    public boolean failIfWaiting(UUID id, String errorJson) {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(FAIL_WAITING_SQL)) {
            s.setString(1, errorJson);
            s.setString(2, errorJson);
            s.setObject(3, id);
            return !readIdChunks(s).isEmpty();
        } catch (SQLException e) {
            throw failure("ending waiting job " + id, e);
        }
    }

    /**
     * Cancels the job with this id if it has not ended: its row becomes {@code cancelled} with
     * {@code errorJson}, waiters are notified, and so is the owner of a running job (whose later
     * completion is then refused: the row is no longer running). Returns the state the job had:
     * empty if there is no such job; a final state means nothing changed.
     */
    public Optional<JobState> cancel(UUID id, String errorJson) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                JobState before;
                try (PreparedStatement s = c.prepareStatement(LOCK_STATE_SQL)) {
                    s.setObject(1, id);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return Optional.empty();
                        }
                        before = JobState.fromDb(rs.getString(1));
                    }
                }
                if (!before.isFinal()) {
                    try (PreparedStatement s = c.prepareStatement(CANCEL_SQL)) {
                        s.setString(1, errorJson);
                        s.setObject(2, id);
                        s.setString(3, before.dbName());
                        s.executeQuery().close();
                    }
                }
                c.commit();
                return Optional.of(before);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("cancelling job " + id, e);
        }
    }

    /**
     * Makes a job that ended unsuccessfully ({@code failed}, {@code discarded}, {@code cancelled},
     * {@code aborted}) due again now, with its attempts counted afresh and its errors kept.
     * Returns the state the job had: empty if there is no such job; any other state than those
     * four means nothing changed.
     */
    public Optional<JobState> retry(UUID id) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                JobState before;
                try (PreparedStatement s = c.prepareStatement(LOCK_STATE_SQL)) {
                    s.setObject(1, id);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return Optional.empty();
                        }
                        before = JobState.fromDb(rs.getString(1));
                    }
                }
                if (before.isFinal() && before != JobState.SUCCEEDED) {
                    try (PreparedStatement s = c.prepareStatement(RETRY_SQL)) {
                        s.setObject(1, id);
                        s.executeQuery().close();
                    }
                }
                c.commit();
                return Optional.of(before);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("retrying job " + id, e);
        }
    }

    /** The jobs with these ids that exist, in no particular order. */
    public List<StoredJob> getAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM gonode_job j WHERE j.id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("uuid", ids.toArray(new UUID[0])));
            List<StoredJob> jobs = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    jobs.add(readJob(rs, 1));
                }
            }
            return jobs;
        } catch (SQLException e) {
            throw failure("reading " + ids.size() + " job(s)", e);
        }
    }

    /**
     * For each handler with available jobs, how long the oldest has been due, in seconds (for
     * metrics; fleet-wide).
     */
    public Map<String, Double> oldestAvailableAge() {
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT handler, extract(epoch FROM now() - min(scheduled_at))::float8
                       FROM gonode_job WHERE state = 'available' GROUP BY handler""");
             ResultSet rs = s.executeQuery()) {
            Map<String, Double> ages = new HashMap<>();
            while (rs.next()) {
                ages.put(rs.getString(1), Math.max(0, rs.getDouble(2)));
            }
            return ages;
        } catch (SQLException e) {
            throw failure("reading the oldest available jobs", e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the server rolls back
        }
    }

    private static void bindEnqueue(PreparedStatement s, String handler, String payload, String idempotencyKey,
                                    Duration timeout, int maxAttempts, Duration delay) throws SQLException {
        s.setString(1, handler);
        s.setString(2, payload);
        s.setString(3, idempotencyKey);
        if (timeout == null) {
            s.setNull(4, Types.BIGINT);
        } else {
            s.setLong(4, timeout.toMillis());
        }
        s.setInt(5, maxAttempts);
        s.setLong(6, delay.toMillis());
    }

    /** {@link #enqueue(String, String, String, Duration, int, Duration)}, due at once. */
    public Enqueued enqueue(String handler, String payload, String idempotencyKey, Duration timeout, int maxAttempts) {
        return enqueue(handler, payload, idempotencyKey, timeout, maxAttempts, Duration.ZERO);
    }

    /**
     * Claims up to {@code max} jobs of {@code handler} for {@code owner}, each leased for
     * {@code lease}: first those whose lease expired (re-deliveries), then due ones, oldest first.
     * Each claim is an attempt ({@code attempt + 1}) with a new fencing token. Never blocks on
     * jobs other claimers hold; returns at once, possibly with none.
     */
    public ClaimBatch claim(String handler, int max, String owner, Duration lease) {
        if (max < 1) {
            throw new IllegalArgumentException("claim at least 1 job, not " + max);
        }
        checkOwner(owner);
        long leaseMillis = positiveMillis(lease, "lease");
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(CLAIM_SQL)) {
            s.setString(1, handler);
            s.setInt(2, max);
            s.setString(3, handler);
            s.setInt(4, max);
            s.setInt(5, max);
            s.setString(6, owner);
            s.setLong(7, leaseMillis);
            List<StoredJob> jobs = new ArrayList<>();
            int redelivered = 0;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(1)) {
                        redelivered++;
                    }
                    jobs.add(readJob(rs, 2));
                }
            }
            return new ClaimBatch(jobs, redelivered);
        } catch (SQLException e) {
            throw failure("claiming jobs of handler " + handler, e);
        }
    }

    /**
     * Records how one attempt ended, if {@code lease} is still the job's; returns whether it was
     * (false: another claim replaced it, or the job was already settled, and nothing changed).
     */
    public boolean complete(Lease lease, Outcome outcome) {
        return completeAll(List.of(new Completion(lease, outcome))).contains(lease.jobId());
    }

    /** One job's completion in a {@link #completeAll} batch. */
    public record Completion(Lease lease, Outcome outcome) {
    }

    /**
     * Records many attempts' ends in one statement; returns the ids whose lease still held (the
     * others changed nothing). Waiters are notified of every job that reached a final state.
     */
    public Set<UUID> completeAll(Collection<Completion> completions) {
        if (completions.isEmpty()) {
            return Set.of();
        }
        int n = completions.size();
        UUID[] ids = new UUID[n];
        Long[] tokens = new Long[n];
        String[] states = new String[n];
        String[] results = new String[n];
        String[] errors = new String[n];
        Long[] retryMillis = new Long[n];
        int i = 0;
        for (Completion done : completions) {
            ids[i] = done.lease().jobId();
            tokens[i] = done.lease().token();
            states[i] = done.outcome().state().dbName();
            results[i] = done.outcome().result();
            errors[i] = done.outcome().error();
            retryMillis[i] = done.outcome().retryIn() == null ? null : done.outcome().retryIn().toMillis();
            i++;
        }
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(COMPLETE_SQL)) {
            s.setArray(1, c.createArrayOf("uuid", ids));
            s.setArray(2, c.createArrayOf("int8", tokens));
            s.setArray(3, c.createArrayOf("text", states));
            s.setArray(4, c.createArrayOf("text", results));
            s.setArray(5, c.createArrayOf("text", errors));
            s.setArray(6, c.createArrayOf("int8", retryMillis));
            return readIdChunks(s);
        } catch (SQLException e) {
            throw failure("completing " + n + " job(s)", e);
        }
    }

    /**
     * Extends the leases that are still the caller's to {@code lease} from now; returns the ids
     * renewed. A job missing from the answer was re-claimed elsewhere or settled: stop running it.
     */
    public Set<UUID> renew(Collection<Lease> leases, Duration lease) {
        long leaseMillis = positiveMillis(lease, "lease");
        if (leases.isEmpty()) {
            return Set.of();
        }
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(RENEW_SQL)) {
            s.setLong(1, leaseMillis);
            setLeaseArrays(c, s, 2, leases);
            return readIds(s);
        } catch (SQLException e) {
            throw failure("renewing " + leases.size() + " lease(s)", e);
        }
    }

    /**
     * Hands running jobs back to the queue (a draining node that will not finish them): each one
     * whose lease is still the caller's becomes {@code available} at its old place in line, its
     * attempt given back (a hand-back is not the job's failure), and claimers are woken. Returns
     * the ids released.
     */
    public Set<UUID> release(Collection<Lease> leases) {
        if (leases.isEmpty()) {
            return Set.of();
        }
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(RELEASE_SQL)) {
            setLeaseArrays(c, s, 1, leases);
            return readIds(s);
        } catch (SQLException e) {
            throw failure("releasing " + leases.size() + " job(s)", e);
        }
    }

    /** The job with this id, if it exists (and has not been pruned). */
    public Optional<StoredJob> get(UUID id) {
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM gonode_job j WHERE j.id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(readJob(rs, 1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("reading job " + id, e);
        }
    }

    /**
     * Ends every running job whose lease expired on its last allowed attempt: it becomes
     * {@code discarded} with a {@code lease_expired} error, and its waiters are notified. Claims
     * leave such jobs alone; run this periodically (any pod may; concurrent runs skip each
     * other's rows). Returns how many it ended.
     */
    public int discardAbandoned() {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(DISCARD_ABANDONED_SQL)) {
            return readIdChunks(s).size();
        } catch (SQLException e) {
            throw failure("discarding abandoned jobs", e);
        }
    }

    /**
     * Deletes jobs that finished more than {@code olderThan} ago, in batches. One pod at a time:
     * the others find the advisory lock taken and return at once ({@code ran == false}).
     */
    public PruneResult prune(Duration olderThan) {
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("prune age must be >= 0, not " + olderThan);
        }
        try (Connection c = pool.getConnection()) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + PRUNE_LOCK + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return new PruneResult(false, 0);
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    DELETE FROM gonode_job WHERE id IN (
                        SELECT id FROM gonode_job
                         WHERE finished_at < now() - ? * interval '1 millisecond'
                         LIMIT ?)""")) {
                long deleted = 0;
                int batch;
                do {
                    s.setLong(1, olderThan.toMillis());
                    s.setInt(2, PRUNE_BATCH);
                    batch = s.executeUpdate();
                    deleted += batch;
                } while (batch == PRUNE_BATCH);
                return new PruneResult(true, deleted);
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + PRUNE_LOCK + ")");
                }
            }
        } catch (SQLException e) {
            throw failure("pruning finished jobs", e);
        }
    }

    /**
     * How many jobs each handler has in each state (for metrics). Scans the table: with pruning
     * it stays small; call it at scrape intervals, not per job.
     */
    public List<Depth> depth() {
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT handler, state, count(*) FROM gonode_job GROUP BY handler, state ORDER BY handler, state");
             ResultSet rs = s.executeQuery()) {
            List<Depth> depths = new ArrayList<>();
            while (rs.next()) {
                depths.add(new Depth(rs.getString(1), JobState.fromDb(rs.getString(2)), rs.getLong(3)));
            }
            return depths;
        } catch (SQLException e) {
            throw failure("counting jobs", e);
        }
    }

    /**
     * Starts a listener on its own connection that tells {@code events} about enqueued and settled
     * jobs, reconnecting by itself; closed with this queue.
     */
    public QueueListener listen(QueueListener.Events events) {
        QueueListener listener = QueueListener.start(settings, events);
        synchronized (listeners) {
            listeners.add(listener);
        }
        return listener;
    }

    /** Stops the listeners and closes the pool. */
    @Override
    public void close() {
        synchronized (listeners) {
            listeners.forEach(QueueListener::close);
            listeners.clear();
        }
        notifier.close();
        pool.close();
    }

    /** The pool, for the other statements of this package ({@link QueueAdminQueries}). */
    HikariDataSource pool() {
        return pool;
    }

    StoreException failure(String operation, SQLException e) {
        if (isUnavailable(e)) {
            return new StoreUnavailableException("PostgreSQL at " + settings.redactedUrl() + " is unavailable: "
                    + operation + " failed (" + e.getMessage() + ")", e);
        }
        return new StoreException(operation + " failed: " + e.getMessage()
                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]"), e);
    }

    /** Connection lost or refused (class 08), server shutting down or starting (57P0x), no connection slot. */
    static boolean isUnavailable(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void checkOwner(String owner) {
        if (owner == null || owner.isBlank() || owner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException("owner must be the pod's name, 1 to " + MAX_OWNER_LENGTH + " characters");
        }
    }

    private static long positiveMillis(Duration d, String what) {
        if (d == null || d.toMillis() < 1) {
            throw new IllegalArgumentException(what + " must be at least 1 ms, not " + d);
        }
        return d.toMillis();
    }

    private static void setLeaseArrays(Connection c, PreparedStatement s, int first, Collection<Lease> leases)
            throws SQLException {
        UUID[] ids = new UUID[leases.size()];
        Long[] tokens = new Long[leases.size()];
        int i = 0;
        for (Lease l : leases) {
            ids[i] = l.jobId();
            tokens[i] = l.token();
            i++;
        }
        Array idArray = c.createArrayOf("uuid", ids);
        s.setArray(first, idArray);
        s.setArray(first + 1, c.createArrayOf("int8", tokens));
    }

    private static Set<UUID> readIds(PreparedStatement s) throws SQLException {
        Set<UUID> ids = new HashSet<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    /** Reads the comma-separated id chunks of {@link #NOTIFY_SETTLED_FROM_DONE}. */
    private static Set<UUID> readIdChunks(PreparedStatement s) throws SQLException {
        Set<UUID> ids = new HashSet<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                for (String id : rs.getString(1).split(",")) {
                    ids.add(UUID.fromString(id));
                }
            }
        }
        return ids;
    }

    /** Reads a row laid out as {@link #JOB_COLUMNS}, starting at column {@code first}. */
    static StoredJob readJob(ResultSet rs, int first) throws SQLException {
        int i = first;
        UUID id = rs.getObject(i++, UUID.class);
        String handler = rs.getString(i++);
        JobState state = JobState.fromDb(rs.getString(i++));
        String payload = rs.getString(i++);
        String result = rs.getString(i++);
        String error = rs.getString(i++);
        String errors = rs.getString(i++);
        String key = rs.getString(i++);
        int attempt = rs.getInt(i++);
        int maxAttempts = rs.getInt(i++);
        long timeoutMillis = rs.getLong(i++);
        Duration timeout = rs.wasNull() ? null : Duration.ofMillis(timeoutMillis);
        Instant createdAt = instant(rs, i++);
        Instant scheduledAt = instant(rs, i++);
        Instant attemptedAt = instant(rs, i++);
        Instant finishedAt = instant(rs, i++);
        String owner = rs.getString(i++);
        long token = rs.getLong(i++);
        Long leaseToken = rs.wasNull() ? null : token;
        Instant leaseExpiresAt = instant(rs, i);
        return new StoredJob(id, handler, state, payload, result, error, errors, key, attempt, maxAttempts, timeout,
                createdAt, scheduledAt, attemptedAt, finishedAt, owner, leaseToken, leaseExpiresAt);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
