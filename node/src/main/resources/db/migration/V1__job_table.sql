-- gonode's durable job queue: one row per job. node/README-postgres.md explains every column, the
-- states and how they map to the job API's words.
--
-- Times are the database's clock (now()), never a pod's: leases compare against one clock.

-- Fencing tokens: every claim takes the next value, so a token names one claim of one job.
CREATE SEQUENCE gonode_lease_token_seq AS bigint;

CREATE TABLE gonode_job (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    handler          text        NOT NULL CHECK (length(handler) BETWEEN 1 AND 128),
    state            text        NOT NULL CHECK (state IN ('available', 'scheduled', 'running', 'retryable',
                                                           'succeeded', 'failed', 'cancelled', 'aborted',
                                                           'discarded')),
    payload          jsonb       NOT NULL,
    result           jsonb,
    -- the last attempt's error; errors keeps every attempt's, oldest first
    error            jsonb,
    errors           jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
    idempotency_key  text        CHECK (length(idempotency_key) BETWEEN 1 AND 256),
    -- attempts started so far (a claim is an attempt; a drain's release gives it back)
    attempt          integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts     integer     NOT NULL CHECK (max_attempts BETWEEN 1 AND 1000),
    -- how long one attempt may run; NULL: the handler's configured timeout
    timeout          interval    CHECK (timeout > interval '0'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- when the job becomes due (now for an ordinary job; later for a scheduled one or a retry)
    scheduled_at     timestamptz NOT NULL DEFAULT now(),
    attempted_at     timestamptz,
    finished_at      timestamptz,
    -- the pod that claimed it last, its fencing token and the lease's end
    owner            text,
    lease_token      bigint,
    lease_expires_at timestamptz,
    CONSTRAINT gonode_job_running_has_lease
        CHECK (state <> 'running' OR (owner IS NOT NULL AND lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT gonode_job_finished_iff_final
        CHECK ((state IN ('succeeded', 'failed', 'cancelled', 'aborted', 'discarded')) = (finished_at IS NOT NULL)),
    CONSTRAINT gonode_job_attempts_within_max CHECK (attempt <= max_attempts)
);

-- Idempotency-Key is unique per handler across the fleet. Partial: jobs without a key (most) cost
-- this index nothing, on insert and on every state change.
CREATE UNIQUE INDEX gonode_job_idempotency ON gonode_job (handler, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- The claim query: due jobs of one handler, oldest first. Partial, so finished rows cost it nothing.
CREATE INDEX gonode_job_claim_idx ON gonode_job (handler, scheduled_at, id)
    WHERE state IN ('available', 'scheduled', 'retryable');

-- Re-claiming running jobs whose owner stopped renewing the lease.
CREATE INDEX gonode_job_lease_idx ON gonode_job (handler, lease_expires_at)
    WHERE state = 'running';

-- Retention: prune finished rows by age.
CREATE INDEX gonode_job_finished_idx ON gonode_job (finished_at)
    WHERE finished_at IS NOT NULL;
