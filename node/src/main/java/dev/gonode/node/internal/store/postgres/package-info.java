/**
 * The durable job queue on PostgreSQL ({@code jobs.store: postgres}): one {@code gonode_job} table
 * that every node of a fleet shares, migrated by Flyway at start-up, claimed with
 * {@code FOR UPDATE SKIP LOCKED}, leased with fencing tokens, and woken by {@code LISTEN/NOTIFY}.
 *
 * <p>{@link dev.gonode.node.internal.store.postgres.PostgresJobQueue} is the entry point. Every
 * call blocks on JDBC: call it from goroutines (virtual threads on gonode's scheduler), never from
 * a Vert.x event loop. {@code node/README-postgres.md} documents the schema, the states and the
 * SQL enqueue function for other services.
 */
package dev.gonode.node.internal.store.postgres;
