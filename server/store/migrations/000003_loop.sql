-- Reminders, stats and archiving.
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS next_reminder_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS first_status_at  BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS archived_at      BIGINT NOT NULL DEFAULT 0;

-- The reminder tick's one query: active workflows whose reminder is due.
CREATE INDEX IF NOT EXISTS devops_workflows_reminder_idx
    ON devops_workflows (next_reminder_at) WHERE status = 'active' AND next_reminder_at > 0;
-- Closed workflows whose channel is not archived yet.
CREATE INDEX IF NOT EXISTS devops_workflows_archive_idx
    ON devops_workflows (closed_at) WHERE status = 'closed' AND archived_at = 0;
-- Stats over a team's recent workflows.
CREATE INDEX IF NOT EXISTS devops_workflows_team_created_idx ON devops_workflows (team_id, created_at);
-- A post joins a workflow's timeline once, however many people pin it.
CREATE UNIQUE INDEX IF NOT EXISTS devops_timeline_pinned_idx
    ON devops_timeline (workflow_id, post_id) WHERE type = 'pinned';
