-- CI/CD webhooks. Every accepted signature is kept until its timestamp could no
-- longer pass the freshness check, so a replay is refused on whichever node it
-- reaches; expired rows are pruned as new ones arrive.
CREATE TABLE IF NOT EXISTS devops_webhook_signatures (
    signature    VARCHAR(64) PRIMARY KEY,   -- HMAC-SHA256, lower-case hex
    expires_at   BIGINT      NOT NULL,
    received_at  BIGINT      NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_webhook_signatures_expires_idx ON devops_webhook_signatures (expires_at);

-- An event without a workflow_id is matched by title among every team's active
-- workflows of a few types (release, change; incident for the duplicate guard).
CREATE INDEX IF NOT EXISTS devops_workflows_active_type_idx
    ON devops_workflows (type, created_at DESC, id DESC) WHERE status = 'active';
