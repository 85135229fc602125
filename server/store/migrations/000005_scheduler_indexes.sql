-- The scheduler's per-tick queries, each found through a small partial index rather
-- than a scan of every workflow:
-- reservations of starts that never finished (cleanStaleStarts),
CREATE INDEX IF NOT EXISTS devops_workflows_starting_idx
    ON devops_workflows (created_at) WHERE status = 'starting';
-- and recent active workflows whose starter may need adding back (rejoinStarters).
CREATE INDEX IF NOT EXISTS devops_workflows_active_created_idx
    ON devops_workflows (created_at) WHERE status = 'active';
