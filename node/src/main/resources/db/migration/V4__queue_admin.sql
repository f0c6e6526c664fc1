-- The queue admin's listings (GET /admin/jobs): keyset pages newest first, by (created_at, id),
-- unfiltered or filtered by state or by handler. Each index returns rows already in page order, so
-- a page is a short index range scan however large the table (node/README-postgres.md).
-- The table is pruned (jobs.results-ttl), so building them at migration time is quick.
CREATE INDEX gonode_job_created_idx ON gonode_job (created_at, id);
CREATE INDEX gonode_job_state_created_idx ON gonode_job (state, created_at, id);
CREATE INDEX gonode_job_handler_created_idx ON gonode_job (handler, created_at, id);
