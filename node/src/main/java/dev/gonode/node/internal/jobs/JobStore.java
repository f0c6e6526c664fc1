package dev.gonode.node.internal.jobs;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Every job the node knows, by id and by idempotency key, for {@code GET /v1/jobs/{id}} and for
 * repeated requests.
 *
 * <p>Implementation notes. Live jobs stay until they finish. Finished jobs join a FIFO in the order
 * they finished and are forgotten, oldest first, when there are more than {@code maxFinished} or
 * the oldest finished longer than {@code ttl} ago. Expiry is lazy: every insert and lookup first
 * drops what has expired from the head of the FIFO, so there is no sweeper thread and the cost is
 * amortised O(1). An idempotency key is scoped to its handler and lives as long as its job.
 */
public final class JobStore {

    private final ConcurrentHashMap<String, JobRecord> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, JobRecord> byKey = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();
    private final long ttlNanos;
    private final int maxFinished;
    private final LongSupplier clock;

    private record Finished(JobRecord job, long atNanos) {
    }

    public JobStore(Duration ttl, int maxFinished, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.maxFinished = maxFinished;
        this.clock = nanoClock;
    }

    /**
     * Adds {@code job}, unless its idempotency key already names a job of the same handler: then
     * nothing is added and that job is returned.
     */
    public JobRecord addOrGetExisting(JobRecord job) {
        expire();
        if (job.idempotencyKey() != null) {
            JobRecord existing = byKey.putIfAbsent(keyOf(job.handler(), job.idempotencyKey()), job);
            if (existing != null) {
                return existing;
            }
        }
        byId.put(job.id(), job);
        return job;
    }

    /** Forgets a job that was never accepted (its mailbox was full), with its idempotency key. */
    public void remove(JobRecord job) {
        byId.remove(job.id(), job);
        if (job.idempotencyKey() != null) {
            byKey.remove(keyOf(job.handler(), job.idempotencyKey()), job);
        }
    }

    /** The job with this id, or {@code null} if there is none or it was forgotten. */
    public JobRecord get(String id) {
        expire();
        return byId.get(id);
    }

    /** Records that {@code job} has its outcome, starting its time to live. */
    public void finished(JobRecord job) {
        finished.add(new Finished(job, clock.getAsLong()));
        finishedCount.incrementAndGet();
        expire();
    }

    /** How many jobs are known, live and finished. */
    public int size() {
        return byId.size();
    }

    private void expire() {
        long now = clock.getAsLong();
        for (;;) {
            Finished head = finished.peek();
            if (head == null || (finishedCount.get() <= maxFinished && now - head.atNanos() < ttlNanos)) {
                return;
            }
            if (finished.remove(head)) {
                finishedCount.decrementAndGet();
                remove(head.job());
            }
        }
    }

    private static String keyOf(String handler, String key) {
        return handler + '\n' + key;
    }
}
