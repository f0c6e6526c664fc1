package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an operator sees of, and does to, the job queue through the admin port: jobs listed with
 * filters and keyset pages, one job with its attempts, retry, cancel, and counts by handler and
 * state. One implementation per store: {@link MemoryQueueView} reads this node's {@link JobStore},
 * {@link PostgresQueueView} the fleet's {@code gonode_job} table. On the shared queue every method
 * blocks on the database: call it from a goroutine.
 *
 * <p>States are the {@code gonode_job.state} words on both stores ({@code available},
 * {@code scheduled}, {@code running}, {@code retryable}, {@code succeeded}, {@code failed},
 * {@code cancelled}, {@code aborted}, {@code discarded}); the memory store's queued jobs are
 * {@code available}.
 */
public interface QueueView {

    /** The view of a memory-store node's jobs ({@code engine} built on {@code store}). */
    static QueueView memory(JobEngine engine, JobStore store, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        return new MemoryQueueView(engine, store, mapper);
    }

    /** The view of the fleet's shared queue ({@code engine} runs on {@code queue}). */
    static QueueView postgres(JobEngine engine, dev.gonode.node.internal.store.postgres.PostgresJobQueue queue,
                              com.fasterxml.jackson.databind.ObjectMapper mapper) {
        return new PostgresQueueView(engine, new dev.gonode.node.internal.store.postgres.QueueAdminQueries(queue),
                mapper);
    }

    /** Every state a job can be in, as filters and answers spell them. */
    List<String> STATES = List.of("available", "scheduled", "running", "retryable", "succeeded", "failed",
            "cancelled", "aborted", "discarded");

    /** The states in which a job waits for a worker (the API's {@code queued}). */
    Set<String> WAITING = Set.of("available", "scheduled", "retryable");

    /** The states an operator may retry from. */
    Set<String> RETRYABLE_FROM = Set.of("failed", "discarded", "cancelled", "aborted");

    /**
     * Which jobs to list: {@code states} empty for all, {@code handler} {@code null} for all,
     * created at or after {@code since} and before {@code until} ({@code null}: unbounded).
     */
    record Filter(Set<String> states, String handler, Instant since, Instant until) {
        public Filter {
            states = Set.copyOf(states);
        }

        /** Whether {@code job} passes this filter. */
        boolean matches(JobSummary job) {
            return (states.isEmpty() || states.contains(job.state()))
                    && (handler == null || handler.equals(job.handler()))
                    && (since == null || !job.createdAt().isBefore(since))
                    && (until == null || job.createdAt().isBefore(until));
        }
    }

    /** Where a page ends, in listing order (newest first): the last job's creation time and id. */
    record Cursor(Instant createdAt, String id) {
    }

    /** One page: its jobs, newest first, and where the next page starts ({@code null}: none). */
    record Page(List<JobSummary> jobs, Cursor next) {
    }

    /**
     * A job as a listing shows it.
     *
     * @param state       the store's state word (see {@link #STATES})
     * @param attempt     attempts started so far
     * @param maxAttempts attempts allowed; 0 when the store does not say
     * @param owner       the node that claimed it last; {@code null} on the memory store or before a claim
     * @param errorCode   the last error's code, or {@code null}
     */
    record JobSummary(String id, String handler, String state, int attempt, int maxAttempts, Instant createdAt,
                      Instant scheduledAt, Instant attemptedAt, Instant finishedAt, String owner,
                      String idempotencyKey, String errorCode) {
    }

    /**
     * A job with everything the store keeps of it.
     *
     * @param payload the input, or {@code null} when the store no longer keeps it
     * @param result  a success's output, or {@code null}
     * @param error   the last error ({@code {code, message, ...}}), or {@code null}
     * @param errors  every failed attempt's error, oldest first (a JSON array)
     */
    record JobDetail(JobSummary job, JsonNode payload, JsonNode result, JsonNode error, JsonNode errors) {
    }

    /** How many jobs of {@code handler} are in {@code state}, and when the oldest of them was created. */
    record Stat(String handler, String state, long count, Instant oldestCreatedAt) {
    }

    /** What became of a retry or cancel. */
    sealed interface Action {
        /** Done: the job as it is now. */
        record Done(JobDetail job) implements Action {
        }

        /** No job has that id. */
        record NotFound() implements Action {
        }

        /** The job's state does not allow it; {@code why} says so for people. */
        record Conflict(String state, String why) implements Action {
        }
    }

    /** One page of jobs that pass {@code filter}, after {@code after} ({@code null}: the first page). */
    Page list(Filter filter, Cursor after, int limit);

    /** The job with this id, if the store has it. */
    Optional<JobDetail> get(String id);

    /** Job counts by handler and state, in handler then state order. */
    List<Stat> stats();

    /**
     * Runs a failed, discarded, cancelled or aborted job again: it waits for a worker once more,
     * keeping its id and its recorded errors, with one more attempt if it had used them all.
     */
    Action retry(String id);

    /** Cancels a job that waits or runs; a finished job is a {@link Action.Conflict}. */
    Action cancel(String id);

    /** Why a job in {@code state} cannot be retried, for a 409. */
    static String whyNotRetry(String state) {
        return switch (state) {
            case "running" -> "the job is running; cancel it first, or wait for it to end";
            case "succeeded" -> "the job succeeded; submit a new job to run it again";
            default -> "the job is " + state + ": it waits to run already";
        };
    }

    /** Why a job in {@code state} cannot be cancelled, for a 409. */
    static String whyNotCancel(String state) {
        return "the job has ended (" + state + "); only a job that waits or runs can be cancelled";
    }

    /** Listing order: newest first, then id descending. */
    static int newestFirst(JobSummary a, JobSummary b) {
        int byTime = b.createdAt().compareTo(a.createdAt());
        return byTime != 0 ? byTime : b.id().compareTo(a.id());
    }
}
