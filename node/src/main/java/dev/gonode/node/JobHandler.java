package dev.gonode.node;

/**
 * A kind of job the node runs: {@code POST /v1/jobs/{name}} hands its JSON payload to
 * {@link #handle}. Implementations are found with {@link java.util.ServiceLoader} (list the class
 * in {@code META-INF/services/dev.gonode.node.JobHandler}) and run only when the node's
 * configuration lists their name under {@code handlers:}, with a concurrency, a mailbox capacity and
 * a default timeout.
 *
 * <p>Each configured handler is an actor: a mailbox channel of jobs and {@code concurrency} worker
 * goroutines taking jobs from it, so {@code handle} runs on a goroutine and may block freely
 * (channels, sync, I/O); {@code concurrency} calls may run at once. A handler must have a public
 * no-argument constructor and keep no per-job state in fields.
 *
 * <p>Contract:
 * <ul>
 *   <li>Return the result: anything Jackson writes as JSON (a {@code JsonNode}, a record, a map,
 *       a string, a number), or {@code null} for JSON {@code null}.</li>
 *   <li>Throw {@link PayloadException} when the payload is not what the handler takes: the caller
 *       gets 400 with its message, and the job is not retried. Any other exception fails the
 *       attempt with 500 {@code handler_failed}; its stack goes to the log, never to the caller.
 *       A failed attempt (or one whose deadline passed) runs again after a backoff, up to the
 *       handler's {@code max-attempts} ({@link Job#attempt()} says which attempt this is), so a
 *       handler's side effects should bear repeating, keyed by {@link Job#id()}.</li>
 *   <li>Honour {@link Job#context()}: when it is done (deadline passed, the job was cancelled, or
 *       the node drains and gives up on the job) stop and return or throw; the caller has already
 *       been answered.</li>
 * </ul>
 */
public interface JobHandler {

    /** The name in the configuration and in the URL: lower-case letters, digits and dashes. */
    String name();

    /** Runs one job and returns its result. */
    Object handle(Job job) throws Exception;
}
