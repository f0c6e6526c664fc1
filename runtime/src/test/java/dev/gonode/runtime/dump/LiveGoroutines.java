package dev.gonode.runtime.dump;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.Labels;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.sync.Mutex;
import dev.gonode.runtime.sync.WaitGroup;
import dev.gonode.testing.Await;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A set of parked goroutines for the dump tests, one per kind of wait, all labelled
 * {@code suite=<unique>} so a dump can be filtered down to them. {@link #close()} releases every
 * one and waits until they have finished.
 */
final class LiveGoroutines implements AutoCloseable {

    private static final AtomicLong SUITES = new AtomicLong();

    final String suite = "dump-" + SUITES.incrementAndGet() + "-" + ProcessHandle.current().pid();
    final Map<Goroutine, WaitReason> expected = new LinkedHashMap<>();
    final Channel<Integer> stop = Channel.make();
    private final Channel<Integer> sends = Channel.make();
    private final Channel<Integer> other = Channel.make();
    private final Mutex mutex = new Mutex();
    private final WaitGroup group = new WaitGroup();
    private final Channel<Goroutine> children = Channel.make(1);
    private final List<Goroutine> all = new ArrayList<>();

    /** The goroutine that the {@code spawner} goroutine started (its parent is not 0). */
    Goroutine child;
    /** The goroutine that started {@link #child}. */
    Goroutine spawner;
    /** A goroutine labelled handler=echo, job=echo-7 besides the suite label. */
    Goroutine labelled;
    /** The goroutine named worker-1. */
    Goroutine named;

    LiveGoroutines start() {
        mutex.lock();
        group.add(1);
        Labels.with(Map.of("suite", suite), () -> {
            for (int i = 0; i < 3; i++) {
                started(Go.go(this::receiveStop), WaitReason.CHAN_RECEIVE);
            }
            Labels.with(Map.of("handler", "echo", "job", "echo-7"),
                    () -> labelled = started(Go.go(this::receiveStop), WaitReason.CHAN_RECEIVE));
            named = started(Go.go("worker-1", this::receiveStop), WaitReason.CHAN_RECEIVE);
            started(Go.go(() -> sends.send(1)), WaitReason.CHAN_SEND);
            started(Go.go(() -> Select.select(Select.receive(stop), Select.receive(other))), WaitReason.SELECT);
            started(Go.go(() -> {
                mutex.lock();
                mutex.unlock();
            }), WaitReason.SYNC_MUTEX_LOCK);
            started(Go.go(group::waitAll), WaitReason.SYNC_WAITGROUP_WAIT);
            spawner = started(Go.go(() -> {
                children.send(Go.go(this::receiveStop));
                receiveStop();
            }), WaitReason.CHAN_RECEIVE);
        });
        child = children.receive();
        started(child, WaitReason.CHAN_RECEIVE);
        for (Map.Entry<Goroutine, WaitReason> e : expected.entrySet()) {
            Goroutine g = e.getKey();
            Await.until(g + " parks in [" + e.getValue() + "]",
                    () -> g.waitReason() == e.getValue() && g.state() == GoroutineState.WAITING);
        }
        return this;
    }

    /** A filter for exactly this set. */
    DumpFilter filter() {
        return DumpFilter.all().labels("suite=" + suite);
    }

    private void receiveStop() {
        stop.receiveOk();
    }

    private Goroutine started(Goroutine g, WaitReason reason) {
        expected.put(g, reason);
        all.add(g);
        return g;
    }

    @Override
    public void close() throws InterruptedException {
        stop.close();
        sends.receive();
        mutex.unlock();
        group.done();
        for (Goroutine g : all) {
            if (!g.join(java.time.Duration.ofSeconds(10))) {
                throw new AssertionError(g + " did not finish after release: " + GoroutineDump.format(g));
            }
        }
    }
}
