package dev.gonode.node.internal.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * LISTEN/NOTIFY wake-ups, and the database going away and coming back under a live queue: the
 * calls report the store unavailable while it is down, and the same pool and listener work again
 * once it is back.
 */
@PostgresTest
class OutageAndNotificationTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    /** Records every event the listener reports, in order. */
    private static final class Recorder implements QueueListener.Events {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void jobsAvailable(String handler) {
            events.add("available " + handler);
        }

        @Override
        public void jobsSettled(List<UUID> ids) {
            ids.forEach(id -> events.add("settled " + id));
        }

        @Override
        public void listening() {
            events.add("listening");
        }

        @Override
        public void lost(StoreUnavailableException cause) {
            events.add("lost");
        }

        /** Waits for the next event; fails after 30 s. */
        String next() throws InterruptedException {
            String e = events.poll(30, TimeUnit.SECONDS);
            assertNotNull(e, "no event within 30 s");
            return e;
        }

        /** Skips events until {@code expected} arrives. */
        void awaitEvent(String expected) throws InterruptedException {
            while (!next().equals(expected)) {
                // keep reading
            }
        }
    }

    @Test
    void listenerWakesClaimersOnEnqueueAndReleaseAndWaitersOnCompletion(TestDatabase db) throws Exception {
        try (PostgresJobQueue queue = PostgresJobQueue.connect(db.settings())) {
            Recorder recorder = new Recorder();
            queue.listen(recorder);
            assertEquals("listening", recorder.next());

            queue.enqueue("echo", "{}", null, null, 3);
            assertEquals("available echo", recorder.next());
            Lease lease = queue.claim("echo", 1, "pod-a", LEASE).jobs().getFirst().lease();
            queue.release(List.of(lease));
            assertEquals("available echo", recorder.next());
            lease = queue.claim("echo", 1, "pod-a", LEASE).jobs().getFirst().lease();
            queue.complete(lease, Outcome.succeeded("{}"));
            assertEquals("settled " + lease.jobId(), recorder.next());

            // A scheduled job is not announced (it is not due); the SQL function announces at commit.
            queue.enqueue("echo", "{}", null, null, 3, Duration.ofHours(1));
            db.sql("SELECT gonode_enqueue('sha256', '{}')");
            assertEquals("available sha256", recorder.next());
        }
    }

    @Test
    void storeOutageIsReportedAsUnavailableAndTheSameQueueRecoversWhenTheServerReturns(TestDatabase db)
            throws Exception {
        TestPostgres server = db.server();
        try (PostgresJobQueue queue = PostgresJobQueue.connect(db.settings().withConnectTimeout(Duration.ofSeconds(1)))) {
            Recorder recorder = new Recorder();
            queue.listen(recorder);
            assertEquals("listening", recorder.next());
            UUID before = queue.enqueue("echo", "{}", "before-outage", null, 3).job().id();

            server.stop();
            try {
                StoreUnavailableException down = assertThrows(StoreUnavailableException.class,
                        () -> queue.enqueue("echo", "{}", "during-outage", null, 3));
                assertTrue(down.getMessage().contains("is unavailable: enqueueing a job for handler echo failed"),
                        down.getMessage());
                assertTrue(down.getMessage().contains(server.host() + ":" + server.port()), down.getMessage());
                assertThrows(StoreUnavailableException.class, () -> queue.get(before));
                assertThrows(StoreUnavailableException.class, () -> queue.claim("echo", 1, "pod-a", LEASE));
                recorder.awaitEvent("lost");
            } finally {
                server.start();
            }

            recorder.awaitEvent("listening");
            Await.until("the pool reconnected", () -> {
                try {
                    return queue.get(before).isPresent();
                } catch (StoreUnavailableException stillDown) {
                    return false;
                }
            });
            assertEquals(before, queue.claim("echo", 1, "pod-a", LEASE).jobs().getFirst().id());
            queue.enqueue("echo", "{}", "after-outage", null, 3);
            recorder.awaitEvent("available echo");
        }
    }
}
