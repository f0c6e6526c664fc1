-- Enqueue from SQL, so any service can add a job inside its own transaction (the job exists when,
-- and only if, that transaction commits). The node enqueues through the same function, so both
-- paths share one idempotency rule. Example in node/README-postgres.md.

-- The full form, which the node calls with every argument: the job's row and whether this call inserted it (false: the idempotency key
-- matched an existing job of the handler, which is returned unchanged).
CREATE FUNCTION gonode_enqueue_job(
    p_handler         text,
    p_payload         jsonb,
    p_idempotency_key text,
    p_timeout         interval,
    p_max_attempts    integer,
    p_scheduled_at    timestamptz,
    OUT job           gonode_job,
    OUT inserted      boolean)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    LOOP
        -- The unique constraint decides between concurrent inserts with one key; the loser
        -- waits for the winner's transaction and then takes the DO NOTHING branch.
        INSERT INTO gonode_job AS j (handler, payload, idempotency_key, timeout, max_attempts, state, scheduled_at)
        VALUES (p_handler, p_payload, p_idempotency_key, p_timeout, p_max_attempts,
                CASE WHEN p_scheduled_at > now() THEN 'scheduled' ELSE 'available' END,
                coalesce(p_scheduled_at, now()))
        ON CONFLICT (handler, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING j.* INTO job;
        IF FOUND THEN
            inserted := true;
            IF job.state = 'available' THEN
                -- A hint to the claimers of this handler, delivered at commit. Not durable:
                -- claimers also poll.
                PERFORM pg_notify('gonode_job_available', p_handler);
            END IF;
            RETURN;
        END IF;
        -- A statement in a volatile function sees rows committed since the INSERT began.
        SELECT j.* INTO job FROM gonode_job j
         WHERE j.handler = p_handler AND j.idempotency_key = p_idempotency_key;
        IF FOUND THEN
            inserted := false;
            RETURN;
        END IF;
        -- The conflicting job was pruned in between: insert again.
    END LOOP;
END
$$;

-- The short form for other services, with the defaults (NULL timeout: the handler's configured
-- one; 3 attempts; due now): returns the job's id (the existing job's id for a repeated
-- idempotency key).
CREATE FUNCTION gonode_enqueue(
    handler         text,
    payload         jsonb,
    idempotency_key text        DEFAULT NULL,
    timeout         interval    DEFAULT NULL,
    max_attempts    integer     DEFAULT 3,
    scheduled_at    timestamptz DEFAULT NULL)
RETURNS uuid
LANGUAGE sql VOLATILE AS $$
    SELECT (e.job).id FROM gonode_enqueue_job($1, $2, $3, $4, $5, $6) e
$$;
