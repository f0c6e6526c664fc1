-- Periodic jobs (periodic: in the node's configuration): the last tick each one ran, so that a new
-- leader knows what ran before it however long ago (the jobs themselves are pruned). The leader
-- writes it after enqueueing the tick; it never moves backwards.
CREATE TABLE gonode_periodic (
    name        text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    last_tick   timestamptz NOT NULL,
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
