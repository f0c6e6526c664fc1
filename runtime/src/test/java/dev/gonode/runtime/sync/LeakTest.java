package dev.gonode.runtime.sync;

import static dev.gonode.runtime.sync.SyncTesting.awaitParked;
import static dev.gonode.runtime.sync.SyncTesting.awaitUntil;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.G;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sync primitives refer to a waiting goroutine only through themselves (no global tables), so
 * a goroutine blocked for ever on a primitive that nothing else can reach is garbage: its virtual
 * thread is collected, which is what lets the runtime report it as a leak.
 */
class LeakTest {

    @Test
    void goroutinesBlockedForeverOnUnreachablePrimitivesAreCollected() {
        Map<WaitReason, Runnable> blockForever = Map.of(
                WaitReason.SYNC_MUTEX_LOCK, () -> {
                    Mutex mu = new Mutex();
                    mu.lock();
                    mu.lock();
                },
                WaitReason.SYNC_RWMUTEX_RLOCK, () -> {
                    RWMutex rw = new RWMutex();
                    rw.lock();
                    rw.rLock();
                },
                WaitReason.SYNC_WAITGROUP_WAIT, () -> {
                    WaitGroup wg = new WaitGroup();
                    wg.add(1);
                    wg.waitAll();
                },
                WaitReason.SYNC_COND_WAIT, () -> {
                    Mutex mu = new Mutex();
                    mu.lock();
                    new Cond(mu).await();
                },
                WaitReason.SEMACQUIRE, () -> {
                    Semaphore sem = new Semaphore(1);
                    sem.acquire(1);
                    sem.acquire(1);
                });
        List<G> blocked = blockForever.entrySet().stream().map(e -> {
            G g = (G) Go.go(e.getValue());
            awaitParked(g, e.getKey());
            return g;
        }).toList();
        // The handles (G records) refer to their threads weakly; nothing else refers to them.
        awaitUntil("every blocked goroutine's thread is collected", () -> {
            System.gc();
            return blocked.stream().allMatch(g -> g.get() == null);
        });
    }
}
