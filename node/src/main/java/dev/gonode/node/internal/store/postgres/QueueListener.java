package dev.gonode.node.internal.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for the queue's notifications on one dedicated connection and passes them on: jobs of a
 * handler became available (wake its claimers), jobs settled (wake their waiters).
 *
 * <p>Notifications are hints. PostgreSQL delivers them at commit to sessions listening at that
 * moment; while this listener is disconnected they are lost. So after every (re)connection it
 * calls {@link Events#listening()}: claimers and waiters should look at the table then, and also
 * poll on an interval (the fallback) in case a hint is missed.
 *
 * <p>Implementation notes. One platform thread, {@code gonode-postgres-listener}, owns the
 * connection (pgjdbc's, not the pool's: a pooled connection would be handed to others between
 * waits, and {@code LISTEN} belongs to a session). It waits in
 * {@link PGConnection#getNotifications(int)} for up to {@link #WAIT_MILLIS}, so {@link #close()}
 * is noticed within that time. A silent network failure would leave the wait returning nothing
 * for ever, so after {@link #PING_INTERVAL_NANOS} without traffic it runs {@code SELECT 1}. On any
 * failure it reports {@link Events#lost}, closes the connection and reconnects with exponential
 * backoff (100 ms doubling to 5 s), waiting on {@link #closed} so that close interrupts the backoff.
 * Events run on the listener's thread: they must be quick (signal a channel), never block.
 */
public final class QueueListener implements AutoCloseable {

    /** What the listener reports. Called on the listener's thread; must not block. */
    public interface Events {
        /** Jobs of {@code handler} became due (enqueued or handed back). */
        void jobsAvailable(String handler);

        /** These jobs reached a final state or a retry. */
        void jobsSettled(List<UUID> ids);

        /**
         * These jobs were cancelled ({@code DELETE /v1/jobs/{id}}) while they ran: their owners
         * cancel them. The rows are {@code cancelled} already.
         */
        default void jobsCancelled(List<UUID> ids) {
        }

        /** The listener is (again) listening; anything may have happened before: look now. */
        void listening();

        /** The connection failed; reconnecting. Until {@link #listening()} notifications are missed. */
        void lost(StoreUnavailableException cause);
    }

    private static final Logger LOG = LoggerFactory.getLogger(QueueListener.class);
    private static final int WAIT_MILLIS = 250;
    private static final long PING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final PostgresSettings settings;
    private final Events events;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;

    private QueueListener(PostgresSettings settings, Events events) {
        this.settings = settings;
        this.events = events;
        this.thread = Thread.ofPlatform().name("gonode-postgres-listener").daemon().unstarted(this::run);
    }

    static QueueListener start(PostgresSettings settings, Events events) {
        QueueListener listener = new QueueListener(settings, events);
        listener.thread.start();
        return listener;
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        while (closed.getCount() > 0) {
            try (Connection c = open()) {
                backoff = MIN_BACKOFF_MILLIS;
                events.listening();
                listen(c);
            } catch (SQLException e) {
                if (closed.getCount() == 0) {
                    return;
                }
                events.lost(new StoreUnavailableException("the queue listener lost PostgreSQL at "
                        + settings.redactedUrl() + " (" + e.getMessage() + "); reconnecting", e));
                try {
                    if (closed.await(backoff, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    private Connection open() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", settings.user());
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        props.setProperty("connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "gonode-listener");
        Connection c = DriverManager.getConnection(settings.jdbcUrl(), props);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + PostgresJobQueue.CHANNEL_AVAILABLE);
            s.execute("LISTEN " + PostgresJobQueue.CHANNEL_SETTLED);
            s.execute("LISTEN " + PostgresJobQueue.CHANNEL_CANCELLED);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastTraffic = System.nanoTime();
        while (closed.getCount() > 0) {
            PGNotification[] batch = pg.getNotifications(WAIT_MILLIS);
            if (batch != null && batch.length > 0) {
                lastTraffic = System.nanoTime();
                dispatch(batch);
            } else if (System.nanoTime() - lastTraffic > PING_INTERVAL_NANOS) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
                lastTraffic = System.nanoTime();
            }
        }
    }

    private void dispatch(PGNotification[] batch) {
        List<UUID> settled = new ArrayList<>();
        List<UUID> cancelled = new ArrayList<>();
        for (PGNotification n : batch) {
            try {
                if (n.getName().equals(PostgresJobQueue.CHANNEL_AVAILABLE)) {
                    events.jobsAvailable(n.getParameter());
                } else if (n.getName().equals(PostgresJobQueue.CHANNEL_SETTLED)) {
                    for (String id : n.getParameter().split(",")) {
                        settled.add(UUID.fromString(id));
                    }
                } else if (n.getName().equals(PostgresJobQueue.CHANNEL_CANCELLED)) {
                    cancelled.add(UUID.fromString(n.getParameter()));
                }
            } catch (RuntimeException e) {
                // A malformed payload (anyone may NOTIFY) or a failing callback must not end listening.
                LOG.warn("ignored notification on {} ({}): {}", n.getName(), n.getParameter(), e.toString());
            }
        }
        if (!cancelled.isEmpty()) {
            try {
                events.jobsCancelled(cancelled);
            } catch (RuntimeException e) {
                LOG.warn("the jobsCancelled callback failed: {}", e.toString());
            }
        }
        if (!settled.isEmpty()) {
            try {
                events.jobsSettled(settled);
            } catch (RuntimeException e) {
                LOG.warn("the jobsSettled callback failed: {}", e.toString());
            }
        }
    }

    /** Stops listening and closes the connection; returns once the listener's thread has ended. */
    @Override
    public void close() {
        closed.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
