package dev.gonode.node.internal.store.postgres;

import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.sync.WaitGroup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Sends {@code NOTIFY gonode_job_available} for the jobs a node enqueued, many jobs per
 * notification: the node's enqueues commit without notifying ({@code gonode.enqueue_notify} is
 * off in its sessions, see migration V3), and {@link #jobsAdded} marks their handler here.
 *
 * <p>Implementation notes. PostgreSQL serialises the commits of notifying transactions (a lock on
 * the notification queue, held through the WAL flush), so a NOTIFY inside every enqueue made
 * enqueues one flush each instead of sharing flushes (group commit). Here one goroutine takes the
 * handlers marked since its last round and notifies each once, all in one statement and one
 * commit; while that is in flight new marks gather, so the notifications grow sparser as the load
 * grows, as with the {@link BatchCompleter}. A mark set after the goroutine took the set is seen
 * on its next round (the wake channel holds one token). Notifications are hints: one that fails
 * is dropped, claimers poll.
 */
final class AvailableNotifier implements AutoCloseable {

    private static final String NOTIFY_SQL = "SELECT pg_notify('" + PostgresJobQueue.CHANNEL_AVAILABLE
            + "', h) FROM unnest(?::text[]) h";

    private final DataSource pool;
    private final Set<String> marked = ConcurrentHashMap.newKeySet();
    private final Channel<Object> wake = Channel.make(1);
    private final Channel<Object> stop = Channel.make();
    private final WaitGroup loop = new WaitGroup();

    AvailableNotifier(DataSource pool) {
        this.pool = pool;
        loop.go("gonode-postgres-notifier", this::run);
    }

    /** Jobs of {@code handler} became available (committed): notify the claimers soon. */
    void jobsAdded(String handler) {
        if (marked.add(handler)) {
            wake.trySend(Boolean.TRUE);
        }
    }

    private void run() {
        while (Select.select(Select.receiveOk(stop).map(r -> false), Select.receiveOk(wake).map(r -> true))) {
            notifyMarked();
        }
        notifyMarked();
    }

    private void notifyMarked() {
        List<String> handlers = List.copyOf(marked);
        if (handlers.isEmpty()) {
            return;
        }
        handlers.forEach(marked::remove);
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(NOTIFY_SQL)) {
            s.setArray(1, c.createArrayOf("text", handlers.toArray()));
            s.execute();
        } catch (SQLException | RuntimeException e) {
            // a hint lost: the claimers' polls find the jobs
        }
    }

    /** Sends what is marked, then stops. */
    @Override
    public void close() {
        synchronized (stop) {
            var r = stop.tryReceive();
            if (r == null) {
                stop.close();
            }
        }
        loop.waitAll();
    }
}
