package dev.gonode.node.internal.store.postgres;

import java.util.UUID;

/**
 * One claim of one job: the job's id and the fencing token that claim drew. Completing, renewing
 * or releasing a job takes its lease, and changes nothing once another claim has replaced it.
 */
public record Lease(UUID jobId, long token) {
}
