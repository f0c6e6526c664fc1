package dev.gonode.node.internal.periodic;

import dev.gonode.node.internal.store.postgres.PeriodicLeadership;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Who enqueues periodic ticks, and what ran last: the fleet's leader on postgres, the node itself on memory. */
public interface Coordination extends AutoCloseable {

    /** Takes or confirms leadership; whether this node leads now. May block on the database. */
    boolean refresh();

    /** The last tick {@code name} ran, or {@code null} if it never ran. */
    Instant lastTick(String name);

    /** Records that {@code name}'s tick {@code tick} ran. */
    void recordTick(String name, Instant tick);

    /** Gives up leadership. */
    @Override
    void close();

    /** A node on the memory store: always its own leader; the ledger lives as long as the node. */
    static Coordination alone() {
        Map<String, Instant> ledger = new ConcurrentHashMap<>();
        return new Coordination() {
            @Override
            public boolean refresh() {
                return true;
            }

            @Override
            public Instant lastTick(String name) {
                return ledger.get(name);
            }

            @Override
            public void recordTick(String name, Instant tick) {
                ledger.merge(name, tick, (a, b) -> a.isAfter(b) ? a : b);
            }

            @Override
            public void close() {
            }
        };
    }

    /** A node of a fleet on PostgreSQL: {@code leadership}'s advisory lock and ledger table. */
    static Coordination fleet(PeriodicLeadership leadership) {
        return new Coordination() {
            @Override
            public boolean refresh() {
                return leadership.refresh();
            }

            @Override
            public Instant lastTick(String name) {
                return leadership.lastTick(name);
            }

            @Override
            public void recordTick(String name, Instant tick) {
                leadership.recordTick(name, tick);
            }

            @Override
            public void close() {
                leadership.close();
            }
        };
    }
}
