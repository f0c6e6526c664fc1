package dev.gonode.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.runtime.context.Context;

/** One job as its {@link JobHandler} sees it. */
public interface Job {

    /** The job's id, as in {@code GET /v1/jobs/{id}}. */
    String id();

    /** The name of the handler it was sent to. */
    String handler();

    /** The request body: the JSON the caller posted. */
    JsonNode payload();

    /**
     * The job's context: its deadline ({@code ?timeout=} or the handler's default) and its
     * cancellation (the caller went away, or the node is draining and has given up on the job).
     * Pass it to everything the handler waits on.
     */
    Context context();

    /**
     * Which attempt this is, from 1. A job whose attempt fails with a handler error or its
     * deadline runs again, up to its handler's {@code max-attempts}, after a backoff; a lost
     * lease on the shared job store also counts as an attempt. A handler that must not repeat a
     * side effect can use it with {@link #id()} (the same on every attempt).
     */
    int attempt();
}
