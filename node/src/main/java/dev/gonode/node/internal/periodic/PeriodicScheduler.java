package dev.gonode.node.internal.periodic;

import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.sync.WaitGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enqueues the periodic jobs of {@code periodic:} on their schedules, once across the fleet.
 *
 * <p>Implementation notes. One goroutine per node. Each round it refreshes its
 * {@link Coordination} (on postgres: takes, or confirms it holds, the leader's advisory lock); a
 * node that does not lead does nothing else. The leader, for each entry, finds the latest tick due
 * now ({@link Schedule#latestAtOrBefore}) and the last tick the ledger says ran:
 * <ul>
 *   <li>no ledger entry (a schedule the fleet has never run): the due tick is recorded and not
 *       run, so a new schedule starts at its next tick;</li>
 *   <li>the due tick is newer than the ledger's: it is enqueued with the idempotency key
 *       {@code periodic:<name>:<tick in epoch seconds>}, then recorded. The ticks in between were
 *       missed (the fleet had no leader, or could not enqueue): they are counted in
 *       {@code gonode_periodic_missed_ticks_total} and skipped — at most one catch-up, however
 *       long the outage;</li>
 *   <li>otherwise the tick ran already.</li>
 * </ul>
 * The key is what makes a tick run once: two nodes that both believe they lead for a moment (the
 * old leader has not yet noticed its session ended) enqueue the same key, and the queue keeps one
 * job (the unique index on postgres, the idempotency map on memory). Enqueue comes before the
 * ledger write, so a leader that dies between them leaves a tick its successor enqueues again,
 * harmlessly. A tick that cannot be enqueued (store unavailable, mailbox full) is not recorded:
 * the next round tries the latest tick again. The goroutine sleeps until the next tick of any
 * entry, and at most {@link #REFRESH} so that leadership is taken over, or noticed lost, within
 * about that long. Ticks are timed on this node's clock; they are named by the schedule, so nodes
 * with slightly different clocks still name a tick alike.
 */
public final class PeriodicScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicScheduler.class);

    /** How often leadership is taken or confirmed. */
    public static final Duration REFRESH = Duration.ofSeconds(1);

    /** What became of one tick's enqueue. */
    public enum Enqueued { NEW, DUPLICATE, REFUSED }

    /** Enqueues one tick's job: {@code entry}'s handler and payload with idempotency key {@code key}. */
    @FunctionalInterface
    public interface Enqueuer {
        Enqueued enqueue(NodeConfig.Periodic entry, String key);
    }

    private record Entry(NodeConfig.Periodic config, Schedule schedule) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Coordination coordination;
    private final Enqueuer enqueuer;
    private final Supplier<Instant> clock;
    private final MeterRegistry registry;
    private final Channel<Object> stop = Channel.make();
    private final WaitGroup loop = new WaitGroup();
    private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
    private volatile boolean leading;
    private boolean stopped; // guarded by this

    public PeriodicScheduler(List<NodeConfig.Periodic> periodic, Coordination coordination, Enqueuer enqueuer,
                             Supplier<Instant> clock, MeterRegistry registry) {
        periodic.forEach(p -> entries.add(new Entry(p, Schedule.of(p))));
        this.coordination = coordination;
        this.enqueuer = enqueuer;
        this.clock = clock;
        this.registry = registry;
        for (Entry e : entries) { // at 0 from the start, so that rate() and increase() see the first tick
            for (String result : List.of("enqueued", "duplicate", "failed")) {
                ticks(e, result);
            }
            missed(e);
        }
        Gauge.builder("gonode.periodic.leader", this, s -> s.leading ? 1 : 0)
                .description("1 while this node enqueues the fleet's periodic jobs (the leader)").register(registry);
    }

    /** Starts the goroutine (nothing when no periodic job is configured). */
    public void start() {
        if (entries.isEmpty()) {
            return;
        }
        loop.go("periodic scheduler", this::run);
    }

    /** Whether this node led at its last round. */
    public boolean leading() {
        return leading;
    }

    /** What {@code GET /admin/periodic} shows: leadership, and each entry's schedule, last and next tick. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("leader", leading);
        List<Map<String, Object>> list = new ArrayList<>();
        Instant now = clock.get();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.config().name());
            m.put("handler", e.config().handler());
            m.put("schedule", e.schedule().describe());
            Instant last = lastSeen.get(e.config().name());
            if (last != null) {
                m.put("lastTick", last.toString());
            }
            m.put("nextTick", e.schedule().nextAfter(now).toString());
            list.add(m);
        }
        status.put("entries", list);
        return status;
    }

    private void run() {
        while (true) {
            boolean lead;
            try {
                lead = coordination.refresh();
            } catch (RuntimeException e) {
                LOG.warn("periodic jobs: cannot take or confirm leadership: {}", e.toString());
                lead = false;
            }
            leading = lead;
            if (lead) {
                for (Entry e : entries) {
                    try {
                        tick(e, clock.get());
                    } catch (RuntimeException ex) {
                        ticks(e, "failed").increment();
                        LOG.warn("periodic job {}: this round failed ({}); the next round tries again",
                                e.config().name(), ex.toString());
                    }
                }
            }
            Instant now = clock.get();
            Duration wait = REFRESH;
            for (Entry e : entries) {
                Duration untilNext = Duration.between(now, e.schedule().nextAfter(now));
                if (untilNext.compareTo(wait) < 0) {
                    wait = untilNext;
                }
            }
            boolean stopping = Select.select(Select.receiveOk(stop).map(r -> true),
                    Select.timeout(wait.isNegative() ? Duration.ZERO : wait).map(v -> false));
            if (stopping) {
                return;
            }
        }
    }

    private void tick(Entry e, Instant now) {
        String name = e.config().name();
        Instant due = e.schedule().latestAtOrBefore(now);
        Instant last = coordination.lastTick(name);
        if (last == null) {
            coordination.recordTick(name, due);
            lastSeen.put(name, due);
            LOG.info("periodic job {} ({}): first seen by the fleet; its first tick is {}", name,
                    e.schedule().describe(), e.schedule().nextAfter(due));
            return;
        }
        lastSeen.put(name, last);
        if (!due.isAfter(last)) {
            return;
        }
        String key = "periodic:" + name + ":" + due.getEpochSecond();
        Enqueued result = enqueuer.enqueue(e.config(), key);
        if (result == Enqueued.REFUSED) {
            ticks(e, "failed").increment();
            return;
        }
        coordination.recordTick(name, due);
        lastSeen.put(name, due);
        ticks(e, result == Enqueued.NEW ? "enqueued" : "duplicate").increment();
        long missed = e.schedule().ticksBetween(last, due);
        if (missed > 0) {
            missed(e).increment(missed);
            LOG.warn("periodic job {}: {} tick(s) between {} and {} were missed and are skipped; ran {} as the one"
                    + " catch-up", name, missed, last, due, due);
        }
    }

    private Counter ticks(Entry e, String result) {
        return Counter.builder("gonode.periodic.ticks").description("Periodic ticks this node handled as the leader,"
                + " by result").tag("name", e.config().name()).tag("result", result).register(registry);
    }

    private Counter missed(Entry e) {
        return Counter.builder("gonode.periodic.missed.ticks").description("Periodic ticks skipped: due while no node"
                + " could enqueue them, older than the one catch-up").tag("name", e.config().name()).register(registry);
    }

    /** Stops enqueueing and gives up leadership (the drain's first step). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        stop.close();
        loop.waitAll();
        leading = false;
        coordination.close();
    }
}
