-- Reminders claimed but not yet known to be posted. A tick claims a due reminder in
-- the same transaction that moves the workflow's next reminder on (and records the
-- timeline event), posts it, then deletes the row. A node that dies in between leaves
-- the row; a later tick looks for the post (it carries the row's id) and posts it only
-- if it is not there: each reminder is posted once.
CREATE TABLE IF NOT EXISTS devops_reminders (
    id           VARCHAR(26)  PRIMARY KEY,
    workflow_id  VARCHAR(26)  NOT NULL REFERENCES devops_workflows (id) ON DELETE CASCADE,
    channel_id   VARCHAR(26)  NOT NULL,
    message      TEXT         NOT NULL,
    claimed_at   BIGINT       NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_reminders_claimed_idx ON devops_reminders (claimed_at);
