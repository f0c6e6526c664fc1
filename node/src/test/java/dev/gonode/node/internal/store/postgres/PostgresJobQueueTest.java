package dev.gonode.node.internal.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.internal.store.postgres.PostgresJobQueue.ClaimBatch;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue.Depth;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue.Enqueued;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue.PruneResult;
import dev.gonode.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@PostgresTest
class PostgresJobQueueTest {

    private static final Duration LONG_LEASE = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static TestDatabase db;
    private static PostgresJobQueue queue;

    @BeforeAll
    static void connect(TestDatabase database) throws Exception {
        db = database;
        queue = PostgresJobQueue.connect(database.settings().withPoolSize(8));
    }

    @AfterAll
    static void close() {
        queue.close();
    }

    @BeforeEach
    void emptyQueue() throws Exception {
        db.sql("TRUNCATE gonode_job");
    }

    private static Enqueued enqueue(String handler, String payload) {
        return queue.enqueue(handler, payload, null, TIMEOUT, 3);
    }

    private static StoredJob claimOne(String handler, String owner, Duration lease) {
        ClaimBatch batch = queue.claim(handler, 1, owner, lease);
        assertEquals(1, batch.jobs().size(), "one job to claim");
        return batch.jobs().getFirst();
    }

    /** Waits until the database's clock has passed the job's lease. */
    private static void awaitLeaseExpiry(UUID id) throws Exception {
        Await.until("the lease of " + id + " expired", () -> {
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT lease_expires_at < now() FROM gonode_job WHERE id = '" + id + "'")) {
                return rs.next() && rs.getBoolean(1);
            }
        });
    }

    @Test
    void enqueuedJobIsClaimedOnceAndSucceeds() {
        Enqueued e = enqueue("echo", "{\"a\": 1}");
        assertTrue(e.inserted());
        assertEquals(JobState.AVAILABLE, e.job().state());
        assertEquals(0, e.job().attempt());
        assertEquals("{\"a\": 1}", e.job().payload());
        assertEquals(TIMEOUT, e.job().timeout());

        ClaimBatch batch = queue.claim("echo", 10, "pod-a", LONG_LEASE);
        assertEquals(0, batch.redelivered());
        StoredJob running = batch.jobs().getFirst();
        assertEquals(List.of(e.job().id()), batch.jobs().stream().map(StoredJob::id).toList());
        assertEquals(JobState.RUNNING, running.state());
        assertEquals(1, running.attempt());
        assertEquals("pod-a", running.owner());
        assertNotNull(running.leaseExpiresAt());
        assertTrue(queue.claim("echo", 10, "pod-b", LONG_LEASE).jobs().isEmpty(), "a running job is not claimed again");

        assertTrue(queue.complete(running.lease(), Outcome.succeeded("{\"a\": 1}")));
        StoredJob done = queue.get(e.job().id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals("succeeded", done.state().apiStatus());
        assertEquals("{\"a\": 1}", done.result());
        assertNotNull(done.finishedAt());
        assertNull(done.leaseExpiresAt());
        assertFalse(queue.complete(running.lease(), Outcome.succeeded("{}")), "a settled job is settled once");
    }

    @Test
    void claimTakesOnlyItsHandlersDueJobsOldestFirstAndAtMostN() {
        List<UUID> echo = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            echo.add(enqueue("echo", "{\"n\": " + i + "}").job().id());
        }
        enqueue("sha256", "{}");
        ClaimBatch first = queue.claim("echo", 3, "pod-a", LONG_LEASE);
        assertEquals(echo.subList(0, 3), first.jobs().stream().map(StoredJob::id).toList());
        ClaimBatch rest = queue.claim("echo", 10, "pod-a", LONG_LEASE);
        assertEquals(echo.subList(3, 5), rest.jobs().stream().map(StoredJob::id).toList());
        assertEquals("sha256", claimOne("sha256", "pod-a", LONG_LEASE).handler());
    }

    @Test
    void repeatedIdempotencyKeyReturnsTheFirstJobUnchanged() {
        Enqueued first = queue.enqueue("echo", "{\"v\": 1}", "key-1", TIMEOUT, 3);
        Enqueued again = queue.enqueue("echo", "{\"v\": 2}", "key-1", null, 5);
        assertTrue(first.inserted());
        assertFalse(again.inserted());
        assertEquals(first.job().id(), again.job().id());
        assertEquals("{\"v\": 1}", again.job().payload());
        assertEquals(3, again.job().maxAttempts());
        Enqueued otherHandler = queue.enqueue("sha256", "{}", "key-1", TIMEOUT, 3);
        assertTrue(otherHandler.inserted(), "keys are unique per handler");
        assertNull(queue.enqueue("echo", "{}", null, null, 3).job().timeout(), "no timeout: the handler's");
    }

    @Test
    void concurrentEnqueuesWithOneKeyCreateExactlyOneJob() throws Exception {
        int threads = 8;
        int rounds = 20;
        CyclicBarrier start = new CyclicBarrier(threads);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<List<Enqueued>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<Enqueued> mine = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        start.await();
                        mine.add(queue.enqueue("echo", "{}", "order-" + r, TIMEOUT, 3));
                    }
                    return mine;
                }));
            }
            for (int r = 0; r < rounds; r++) {
                Set<UUID> ids = new java.util.HashSet<>();
                int inserted = 0;
                for (Future<List<Enqueued>> f : results) {
                    Enqueued e = f.get().get(r);
                    ids.add(e.job().id());
                    inserted += e.inserted() ? 1 : 0;
                }
                assertEquals(1, ids.size(), "round " + r + ": every caller got the same job");
                assertEquals(1, inserted, "round " + r + ": exactly one caller inserted it");
            }
        }
        assertEquals(rounds, count("SELECT count(*) FROM gonode_job"));
    }

    @Test
    void concurrentClaimersNeverHandOneJobToTwoOwners() throws Exception {
        int jobs = 2000;
        db.sql("SELECT gonode_enqueue('echo', jsonb_build_object('n', g)) FROM generate_series(1, " + jobs + ") g");
        int claimers = 6;
        Map<UUID, String> owners = new ConcurrentHashMap<>();
        List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier start = new CyclicBarrier(claimers);
        try (ExecutorService pool = Executors.newFixedThreadPool(claimers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < claimers; t++) {
                String owner = "pod-" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    while (true) {
                        List<StoredJob> batch = queue.claim("echo", 25, owner, LONG_LEASE).jobs();
                        if (batch.isEmpty()) {
                            return null;
                        }
                        for (StoredJob j : batch) {
                            String previous = owners.putIfAbsent(j.id(), owner);
                            if (previous != null) {
                                duplicates.add(j.id() + " to " + previous + " and " + owner);
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertEquals(List.of(), duplicates);
        assertEquals(jobs, owners.size());
        assertEquals(jobs, count("SELECT count(*) FROM gonode_job WHERE state = 'running' AND attempt = 1"));
        assertTrue(owners.values().stream().distinct().count() > 1, "the claimers shared the work");
    }

    @Test
    void jobWhoseLeaseExpiredIsClaimedAgainAsTheNextAttempt() throws Exception {
        UUID id = enqueue("echo", "{}").job().id();
        StoredJob first = claimOne("echo", "pod-a", Duration.ofMillis(1));
        awaitLeaseExpiry(id);

        ClaimBatch again = queue.claim("echo", 5, "pod-b", LONG_LEASE);
        assertEquals(1, again.redelivered());
        StoredJob second = again.jobs().getFirst();
        assertEquals(id, second.id());
        assertEquals(2, second.attempt());
        assertEquals("pod-b", second.owner());
        assertNotEquals(first.leaseToken(), second.leaseToken());
        assertTrue(second.errors().contains("\"code\": \"lease_expired\""), second.errors());
        assertTrue(second.errors().contains("\"attempt\": 1"), second.errors());
    }

    @Test
    void staleOwnerCannotCompleteRenewOrReleaseAJobAnotherOwnerReclaimed() throws Exception {
        UUID id = enqueue("echo", "{}").job().id();
        Lease stale = claimOne("echo", "pod-a", Duration.ofMillis(1)).lease();
        awaitLeaseExpiry(id);
        Lease current = claimOne("echo", "pod-b", LONG_LEASE).lease();

        assertFalse(queue.complete(stale, Outcome.succeeded("{\"by\": \"a\"}")), "the fencing token refuses pod-a");
        assertEquals(Set.of(), queue.renew(List.of(stale), LONG_LEASE));
        assertEquals(Set.of(), queue.release(List.of(stale)));
        StoredJob row = queue.get(id).orElseThrow();
        assertEquals(JobState.RUNNING, row.state());
        assertEquals("pod-b", row.owner());

        assertTrue(queue.complete(current, Outcome.succeeded("{\"by\": \"b\"}")));
        assertEquals("{\"by\": \"b\"}", queue.get(id).orElseThrow().result());
    }

    @Test
    void expiredLeaseNobodyReclaimedStillCompletesAndRenews() throws Exception {
        UUID id = enqueue("echo", "{}").job().id();
        Lease lease = claimOne("echo", "pod-a", Duration.ofMillis(1)).lease();
        awaitLeaseExpiry(id);
        assertEquals(Set.of(id), queue.renew(List.of(lease), LONG_LEASE));
        assertTrue(queue.claim("echo", 1, "pod-b", LONG_LEASE).jobs().isEmpty(), "renewed: not claimable");
        assertTrue(queue.complete(lease, Outcome.succeeded("{}")));
    }

    @Test
    void releaseHandsTheJobBackWithoutCountingTheAttempt() {
        UUID id = enqueue("echo", "{}").job().id();
        Lease lease = claimOne("echo", "pod-a", LONG_LEASE).lease();
        assertEquals(Set.of(id), queue.release(List.of(lease)));
        StoredJob back = queue.get(id).orElseThrow();
        assertEquals(JobState.AVAILABLE, back.state());
        assertEquals(0, back.attempt());
        assertNull(back.owner());
        assertFalse(queue.complete(lease, Outcome.succeeded("{}")), "the released lease is void");
        StoredJob again = claimOne("echo", "pod-b", LONG_LEASE);
        assertEquals(1, again.attempt());
        assertEquals("pod-b", again.owner());
    }

    @Test
    void retryOutcomeMakesTheJobDueLaterAndKeepsTheAttemptsError() {
        UUID id = enqueue("flaky", "{}").job().id();
        Lease lease = claimOne("flaky", "pod-a", LONG_LEASE).lease();
        assertTrue(queue.complete(lease, Outcome.retry("{\"code\": \"handler_failed\", \"message\": \"boom 1\"}",
                Duration.ofHours(1))));
        StoredJob waiting = queue.get(id).orElseThrow();
        assertEquals(JobState.RETRYABLE, waiting.state());
        assertEquals("retryable", waiting.state().apiStatus());
        assertNull(waiting.finishedAt());
        assertTrue(waiting.errors().contains("boom 1") && waiting.errors().contains("\"attempt\": 1"), waiting.errors());
        assertTrue(queue.claim("flaky", 1, "pod-a", LONG_LEASE).jobs().isEmpty(), "not due for an hour");
    }

    @Test
    void finalFailureKeepsItsErrorAsTheLastErrorAndInTheList() {
        UUID id = enqueue("echo", "{}").job().id();
        Lease lease = claimOne("echo", "pod-a", LONG_LEASE).lease();
        assertTrue(queue.complete(lease, Outcome.finished(JobState.FAILED,
                "{\"code\": \"handler_failed\", \"message\": \"final\"}")));
        StoredJob failed = queue.get(id).orElseThrow();
        assertEquals(JobState.FAILED, failed.state());
        assertNotNull(failed.finishedAt());
        assertEquals("{\"code\": \"handler_failed\", \"message\": \"final\"}", failed.error());
        assertTrue(failed.errors().contains("\"attempt\": 1") && failed.errors().contains("final"), failed.errors());
    }

    @Test
    void retryWithoutDelayIsClaimedAgainAsTheNextAttempt() {
        UUID id = enqueue("flaky", "{}").job().id();
        Lease lease = claimOne("flaky", "pod-a", LONG_LEASE).lease();
        assertTrue(queue.complete(lease, Outcome.retry("{\"code\": \"handler_failed\"}", Duration.ZERO)));
        StoredJob second = claimOne("flaky", "pod-b", LONG_LEASE);
        assertEquals(id, second.id());
        assertEquals(2, second.attempt());
    }

    @Test
    void scheduledJobWaitsUntilItIsDue() throws Exception {
        Enqueued later = queue.enqueue("echo", "{}", null, TIMEOUT, 3, Duration.ofHours(1));
        assertEquals(JobState.SCHEDULED, later.job().state());
        assertTrue(queue.claim("echo", 1, "pod-a", LONG_LEASE).jobs().isEmpty());
        db.sql("UPDATE gonode_job SET scheduled_at = now() - interval '1 second' WHERE id = '" + later.job().id() + "'");
        assertEquals(later.job().id(), claimOne("echo", "pod-a", LONG_LEASE).id());
    }

    @Test
    void jobWhoseLeaseExpiredOnItsLastAttemptIsDiscardedNotReclaimed() throws Exception {
        UUID id = queue.enqueue("echo", "{}", null, TIMEOUT, 1).job().id();
        claimOne("echo", "pod-a", Duration.ofMillis(1));
        awaitLeaseExpiry(id);
        assertTrue(queue.claim("echo", 1, "pod-b", LONG_LEASE).jobs().isEmpty(), "no attempts left");
        assertEquals(1, queue.discardAbandoned());
        StoredJob dead = queue.get(id).orElseThrow();
        assertEquals(JobState.DISCARDED, dead.state());
        assertTrue(dead.error().contains("lease_expired"), dead.error());
        assertEquals(0, queue.discardAbandoned());
    }

    @Test
    void pruneDeletesOnlyJobsFinishedLongerAgoThanTheAge() {
        UUID finished = enqueue("echo", "{}").job().id();
        assertTrue(queue.complete(claimOne("echo", "pod-a", LONG_LEASE).lease(), Outcome.succeeded("{}")));
        UUID running = enqueue("echo", "{}").job().id();
        claimOne("echo", "pod-a", LONG_LEASE);
        UUID waiting = enqueue("echo", "{}").job().id();

        assertEquals(new PruneResult(true, 0), queue.prune(Duration.ofHours(1)));
        assertEquals(new PruneResult(true, 1), queue.prune(Duration.ZERO));
        assertTrue(queue.get(finished).isEmpty());
        assertTrue(queue.get(running).isPresent());
        assertTrue(queue.get(waiting).isPresent());
    }

    @Test
    void pruneStepsAsideWhileAnotherPodPrunes() throws Exception {
        enqueue("echo", "{}");
        try (Connection other = db.connect(); Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + PostgresJobQueue.PRUNE_LOCK + ")");
            assertEquals(new PruneResult(false, 0), queue.prune(Duration.ZERO));
            s.execute("SELECT pg_advisory_unlock(" + PostgresJobQueue.PRUNE_LOCK + ")");
        }
        assertTrue(queue.prune(Duration.ZERO).ran());
    }

    @Test
    void depthCountsJobsByHandlerAndState() {
        enqueue("echo", "{}");
        enqueue("echo", "{}");
        enqueue("sha256", "{}");
        claimOne("echo", "pod-a", LONG_LEASE);
        assertEquals(List.of(new Depth("echo", JobState.AVAILABLE, 1), new Depth("echo", JobState.RUNNING, 1),
                new Depth("sha256", JobState.AVAILABLE, 1)), queue.depth());
    }

    @Test
    void invalidJsonPayloadIsRefusedAsAStoreErrorNotAnOutage() {
        StoreException e = assertThrows(StoreException.class, () -> enqueue("echo", "{not json"));
        assertFalse(e instanceof StoreUnavailableException);
        assertTrue(e.getMessage().contains("enqueueing a job for handler echo"), e.getMessage());
        assertTrue(e.getMessage().contains("json"), e.getMessage());
    }

    @Test
    void sqlEnqueueInsideAnApplicationTransactionExistsOnlyIfItCommits() throws Exception {
        try (Connection app = db.connect()) {
            app.setAutoCommit(false);
            try (Statement s = app.createStatement()) {
                s.execute("SELECT gonode_enqueue('echo', '{\"order\": 7}', 'order-7')");
            }
            app.rollback();
            assertEquals(0, count("SELECT count(*) FROM gonode_job"));
            UUID id;
            try (Statement s = app.createStatement();
                 ResultSet rs = s.executeQuery("SELECT gonode_enqueue('echo', '{\"order\": 7}', 'order-7')")) {
                rs.next();
                id = rs.getObject(1, UUID.class);
            }
            app.commit();
            StoredJob job = claimOne("echo", "pod-a", LONG_LEASE);
            assertEquals(id, job.id());
            assertEquals(3, job.maxAttempts());
            assertNull(job.timeout());
            try (Statement s = app.createStatement();
                 ResultSet rs = s.executeQuery("SELECT gonode_enqueue(handler => 'echo', payload => '{}',"
                         + " idempotency_key => 'order-7')")) {
                rs.next();
                assertEquals(id, rs.getObject(1, UUID.class), "the key returns the first job");
            }
            app.commit();
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void cancelEndsAWaitingOrRunningJobAndFencesItsOwnerButLeavesAFinishedOne() {
        UUID waiting = enqueue("echo", "{\"c\":1}").job().id();
        assertEquals(Optional.of(JobState.AVAILABLE), queue.cancel(waiting, "{\"code\":\"cancelled\",\"message\":\"m\"}"));
        assertEquals(JobState.CANCELLED, queue.get(waiting).orElseThrow().state());
        assertNotNull(queue.get(waiting).orElseThrow().finishedAt());

        UUID running = enqueue("echo", "{\"c\":2}").job().id();
        Lease lease = claimOne("echo", "pod-a", LONG_LEASE).lease();
        assertEquals(running, lease.jobId());
        assertEquals(Optional.of(JobState.RUNNING), queue.cancel(running, "{\"code\":\"cancelled\",\"message\":\"m\"}"));
        assertFalse(queue.complete(lease, Outcome.succeeded("1")), "the owner's completion changes nothing");
        assertEquals(JobState.CANCELLED, queue.get(running).orElseThrow().state());

        assertEquals(Optional.of(JobState.CANCELLED), queue.cancel(running, "{}"), "already final: unchanged");
        assertEquals(Optional.empty(), queue.cancel(UUID.randomUUID(), "{}"));
    }

    @Test
    void retryMakesAnEndedJobDueAgainWithFreshAttemptsAndItsErrorsKept() {
        UUID id = enqueue("echo", "{\"r\":1}").job().id();
        Lease lease = claimOne("echo", "pod-a", LONG_LEASE).lease();
        assertTrue(queue.complete(lease, Outcome.finished(JobState.DISCARDED, "{\"code\":\"handler_failed\",\"message\":\"x\"}")));
        assertEquals(Optional.of(JobState.DISCARDED), queue.retry(id));
        StoredJob again = queue.get(id).orElseThrow();
        assertEquals(JobState.AVAILABLE, again.state());
        assertEquals(0, again.attempt());
        assertNull(again.finishedAt());
        assertTrue(again.errors().contains("handler_failed"), again.errors());
        StoredJob claimed = claimOne("echo", "pod-b", LONG_LEASE);
        assertEquals(id, claimed.id());
        assertEquals(Optional.of(JobState.RUNNING), queue.retry(id), "a running job is not retried");
        assertTrue(queue.complete(claimed.lease(), Outcome.succeeded("2")));
        assertEquals(Optional.of(JobState.SUCCEEDED), queue.retry(id), "a succeeded job is not retried");
        assertEquals(JobState.SUCCEEDED, queue.get(id).orElseThrow().state());
        assertEquals(Optional.empty(), queue.retry(UUID.randomUUID()));
    }
}
