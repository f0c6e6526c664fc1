package dev.gonode.node.internal.jobs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Every job the node knows, by id and by idempotency key, for {@code GET /v1/jobs/{id}} and for
 * repeated requests; bounded in count, age and bytes.
 *
 * <p>Implementation notes. Live jobs stay until they finish. Finished jobs join a FIFO in the order
 * they finished and are forgotten, oldest first, while there are more than {@code maxFinished},
 * while the oldest finished {@code ttl} ago or longer, or while the finished jobs hold more than
 * {@code maxBytes} ({@link JobRecord#retainedBytes}: the result's JSON plus a fixed part per
 * record). A single result larger than a sixteenth of {@code maxBytes} is not kept at all: its
 * caller was answered, and {@code GET} says the result was too large to keep. Expiry is lazy:
 * every insert, lookup and finish first drops what has expired from the head of the FIFO, so there
 * is no sweeper thread and the cost is amortised O(1). The FIFO and its totals sit behind one
 * short lock (an {@code ArrayDeque}: appending and taking the head are a few instructions); a
 * lock-free {@code ConcurrentLinkedQueue} was tried first and its {@code remove(head)}, needed so
 * that two expiring threads cannot drop a job that has not expired, took 7% of the node's CPU
 * under load, walking nodes that concurrent removals had unlinked only logically. The maps stay
 * concurrent, so lookups take no lock. An idempotency key is scoped to its handler and lives as
 * long as its job.
 */
public final class JobStore {

    /** A result over {@code maxBytes / LARGEST_RESULT_DIVISOR} is answered but not kept. */
    static final int LARGEST_RESULT_DIVISOR = 16;

    private final ConcurrentHashMap<String, JobRecord> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, JobRecord> byKey = new ConcurrentHashMap<>();
    private final ArrayDeque<Finished> finished = new ArrayDeque<>(); // guarded by itself
    private volatile long finishedBytes; // written under finished's lock
    private final long ttlNanos;
    private final int maxFinished;
    private final long maxBytes;
    private final LongSupplier clock;

    private record Finished(JobRecord job, long atNanos, long bytes) {
    }

    /**
     * @param ttl         how long a finished job is kept
     * @param maxFinished how many finished jobs are kept at most
     * @param maxBytes    how many bytes finished jobs may hold at most
     * @param nanoClock   {@link System#nanoTime()} or a test's clock
     */
    public JobStore(Duration ttl, int maxFinished, long maxBytes, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.maxFinished = maxFinished;
        this.maxBytes = maxBytes;
        this.clock = nanoClock;
    }

    /**
     * Adds {@code job}, unless its idempotency key already names a job of the same handler: then
     * nothing is added and that job is returned.
     */
    JobRecord addOrGetExisting(JobRecord job) {
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
    void remove(JobRecord job) {
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
    void finished(JobRecord job) {
        long bytes = job.retainedBytes();
        if (bytes > maxBytes / LARGEST_RESULT_DIVISOR) {
            job.forgetResult("the result (" + (bytes - JobRecord.RECORD_OVERHEAD_BYTES) + " bytes of JSON) is larger"
                    + " than a " + LARGEST_RESULT_DIVISOR + "th of jobs.results-max-bytes (" + maxBytes + "), so it was"
                    + " answered to the caller that waited but not kept");
            bytes = job.retainedBytes();
        }
        synchronized (finished) {
            finished.addLast(new Finished(job, clock.getAsLong(), bytes));
            finishedBytes += bytes;
        }
        expire();
    }

    /**
     * Takes a finished job out of the finished FIFO because it runs again ({@code retry}): it
     * stays known, as a live job, until it finishes again. Scans the FIFO (an operator's action,
     * not a hot path). Returns {@code false} if the job is no longer kept.
     */
    boolean reopen(JobRecord job) {
        synchronized (finished) {
            for (java.util.Iterator<Finished> it = finished.iterator(); it.hasNext(); ) {
                Finished f = it.next();
                if (f.job() == job) {
                    it.remove();
                    finishedBytes -= f.bytes();
                    return byId.get(job.id()) == job;
                }
            }
        }
        return false;
    }

    /** Every job known now, live and finished (a live view; for the admin port's listings). */
    public java.util.Collection<JobRecord> jobs() {
        expire();
        return java.util.Collections.unmodifiableCollection(byId.values());
    }

    /** How many jobs are known, live and finished. */
    public int size() {
        return byId.size();
    }

    /** Bytes the finished jobs hold now (see {@link JobRecord#retainedBytes}). */
    public long finishedBytes() {
        return finishedBytes;
    }

    private void expire() {
        long now = clock.getAsLong();
        for (;;) {
            Finished head;
            synchronized (finished) {
                head = finished.peekFirst();
                if (head == null || (finished.size() <= maxFinished && now - head.atNanos() < ttlNanos
                        && finishedBytes <= maxBytes)) {
                    return;
                }
                finished.pollFirst();
                finishedBytes -= head.bytes();
            }
            remove(head.job());
        }
    }

    private static String keyOf(String handler, String key) {
        return handler + '\n' + key;
    }
}
