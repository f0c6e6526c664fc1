-- gonode_enqueue_job notifies the claimers unless the session sets gonode.enqueue_notify to off.
--
-- Why: PostgreSQL serialises the commits of transactions that NOTIFY (they take one lock on the
-- notification queue and hold it through the commit's WAL flush), so one NOTIFY per enqueued job
-- limits enqueueing to one commit per flush: on a 2-core machine, 16 clients inserting a row with
-- a NOTIFY made ~300 transactions/s, without it ~2,600. The node's own sessions set the variable
-- off (a connection option) and send one NOTIFY per handler for many enqueued jobs from a single
-- transaction of their own. Other services' sessions do not set it, and are notified as before.
CREATE OR REPLACE FUNCTION gonode_enqueue_job(
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
            IF job.state = 'available' AND coalesce(current_setting('gonode.enqueue_notify', true), '') <> 'off' THEN
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
