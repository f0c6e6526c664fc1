package dev.gonode.node.internal.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's periodic-job leader, elected through PostgreSQL, and the ledger of the last tick
 * each periodic job ran.
 *
 * <p>Implementation notes. Leadership is a session-level advisory lock
 * ({@code pg_try_advisory_lock}, key {@link #LEADER_LOCK}) held on a connection of its own,
 * outside the pool (a pooled connection goes back to the pool, and its session with it). The
 * server keeps the lock exactly as long as the session: when the leader's process dies or its
 * connection breaks, PostgreSQL ends the session and frees the lock, and the next
 * {@link #refresh()} of another node takes it. No clock, lease or vote is involved. Each refresh
 * of the leader runs one query on its connection; a failure means the session may be gone, so the
 * node stops leading at once (closing the connection frees the lock if the server still holds it).
 * Between the old leader's session ending and it noticing there can be two leaders for up to one
 * refresh interval: the ticks' idempotency keys make that harmless. A node that cannot take the
 * lock keeps its connection and tries again each refresh ({@code pg_try_advisory_lock} never
 * waits).
 *
 * <p>The ledger ({@code gonode_periodic}, V5) keeps each job's last tick, so that a new leader
 * knows which tick ran last however long ago (finished jobs, and their keys, are pruned).
 */
public final class PeriodicLeadership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicLeadership.class);

    /** The advisory lock the leader holds ('gonode' in ASCII, then 2; the prune lock is 1). */
    public static final long LEADER_LOCK = 0x676F6E6F6465_02L;

    private final PostgresSettings settings;
    private final PostgresJobQueue queue;
    private final String owner;
    private Connection connection; // confined to the caller of refresh and close
    private volatile boolean leading;

    public PeriodicLeadership(PostgresSettings settings, PostgresJobQueue queue, String owner) {
        this.settings = settings;
        this.queue = queue;
        this.owner = owner;
    }

    /** Whether this node held the lock at its last {@link #refresh()}. */
    public boolean leading() {
        return leading;
    }

    /** Takes the lock if it is free, or checks that this node's session still holds it; whether it leads now. */
    public synchronized boolean refresh() {
        try {
            if (connection == null) {
                connection = open();
            }
            if (leading) {
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                }
                return true;
            }
            try (PreparedStatement s = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                s.setLong(1, LEADER_LOCK);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    leading = rs.getBoolean(1);
                }
            }
            if (leading) {
                LOG.info("periodic jobs: node {} is the fleet's leader now (it holds PostgreSQL advisory lock {})",
                        owner, LEADER_LOCK);
            }
            return leading;
        } catch (SQLException e) {
            if (leading) {
                LOG.warn("periodic jobs: node {} lost its leader session ({}); another node takes over", owner,
                        e.getMessage());
            }
            closeConnection();
            return false;
        }
    }

    /** The last tick {@code name} ran, or {@code null} if the fleet never ran it. */
    public Instant lastTick(String name) {
        try (Connection c = queue.pool().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT last_tick FROM gonode_periodic WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getObject(1, OffsetDateTime.class).toInstant() : null;
            }
        } catch (SQLException e) {
            throw queue.failure("reading the last tick of periodic job " + name, e);
        }
    }

    /** Records that {@code name}'s tick {@code tick} ran (or was passed over); never moves backwards. */
    public void recordTick(String name, Instant tick) {
        try (Connection c = queue.pool().getConnection();
             PreparedStatement s = c.prepareStatement("""
                     INSERT INTO gonode_periodic AS p (name, last_tick, recorded_by) VALUES (?, ?, ?)
                     ON CONFLICT (name) DO UPDATE
                        SET last_tick = GREATEST(p.last_tick, excluded.last_tick), recorded_by = excluded.recorded_by,
                            recorded_at = now()""")) {
            s.setString(1, name);
            s.setObject(2, OffsetDateTime.ofInstant(tick, java.time.ZoneOffset.UTC));
            s.setString(3, owner);
            s.executeUpdate();
        } catch (SQLException e) {
            throw queue.failure("recording a tick of periodic job " + name, e);
        }
    }

    /** Gives up leadership (the session ends, and the lock with it). */
    @Override
    public synchronized void close() {
        if (leading) {
            LOG.info("periodic jobs: node {} stops leading", owner);
        }
        closeConnection();
    }

    private void closeConnection() {
        leading = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the session is gone already
            }
            connection = null;
        }
    }

    private Connection open() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", settings.user());
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        props.setProperty("connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
        props.setProperty("socketTimeout", Long.toString(Math.max(5, 2 * settings.connectTimeout().toSeconds())));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "gonode-leader");
        return DriverManager.getConnection(settings.jdbcUrl(), props);
    }
}
