-- A personal inbox (issue 17): tasks with several assignees, due reminders, a daily
-- digest.

-- A task's assignees, in the order they were given. assignee_id stays, always the
-- first of them ('' when none), so readers of the single field keep working.
ALTER TABLE devops_tasks ADD COLUMN IF NOT EXISTS assignee_ids VARCHAR(26)[] NOT NULL DEFAULT '{}';
UPDATE devops_tasks SET assignee_ids = ARRAY[assignee_id] WHERE assignee_id <> '' AND assignee_ids = '{}';
-- "Tasks assigned to me" (the inbox, the digest): open tasks by assignee. Without
-- GIN's pending list (fastupdate), which a search reads through row by row: a task
-- is written a few times, read in every inbox.
CREATE INDEX IF NOT EXISTS devops_tasks_open_assignees_idx ON devops_tasks USING GIN (assignee_ids) WITH (fastupdate = off) WHERE NOT done;

-- When the task's due reminder was claimed (0: not yet). A change of the due time
-- sets it back to 0. Tasks already overdue when this migration runs count as
-- reminded: an upgrade does not send a burst of reminders for old due dates.
ALTER TABLE devops_tasks ADD COLUMN IF NOT EXISTS due_reminded_at BIGINT NOT NULL DEFAULT 0;
UPDATE devops_tasks SET due_reminded_at = (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
    WHERE due_at > 0 AND NOT done AND due_at <= (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT;
-- The scheduler's tick: open tasks whose due time passed and are not reminded yet.
CREATE INDEX IF NOT EXISTS devops_tasks_due_idx ON devops_tasks (due_at) WHERE NOT done AND due_at > 0 AND due_reminded_at = 0;

-- "Workflows I lead whose status update is due": active workflows by lead.
CREATE INDEX IF NOT EXISTS devops_workflows_active_lead_idx ON devops_workflows (lead_id, team_id) WHERE status = 'active';

-- Direct messages claimed by a tick and not yet known to be sent (due reminders, the
-- digest), as reminders are (migration 6): the row is written in the transaction
-- that claims the message, deleted once it is sent; a node that dies in between
-- leaves it, and a later tick sends it unless the message (it carries the row's id
-- as a post property) is already in the person's direct channel.
CREATE TABLE IF NOT EXISTS devops_pending_dms (
    id          VARCHAR(26)  PRIMARY KEY,
    user_id     VARCHAR(26)  NOT NULL,
    message     TEXT         NOT NULL,
    -- a due reminder's task, for its Done button ('' and 0 for a digest)
    workflow_id VARCHAR(26)  NOT NULL DEFAULT '',
    task_number INTEGER      NOT NULL DEFAULT 0,
    claimed_at  BIGINT       NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_pending_dms_claimed_idx ON devops_pending_dms (claimed_at);

-- One digest per person per local day (their Mattermost time zone's date), whatever
-- the nodes: the claim is this row's insert. sent is false when nothing waited.
CREATE TABLE IF NOT EXISTS devops_digests (
    user_id     VARCHAR(26)  NOT NULL,
    local_date  VARCHAR(10)  NOT NULL,
    sent        BOOLEAN      NOT NULL,
    claimed_at  BIGINT       NOT NULL,
    PRIMARY KEY (user_id, local_date)
);
CREATE INDEX IF NOT EXISTS devops_digests_claimed_idx ON devops_digests (claimed_at);

-- `/devops digest on|off`: a row only for people who chose; no row is on.
CREATE TABLE IF NOT EXISTS devops_digest_prefs (
    user_id     VARCHAR(26)  PRIMARY KEY,
    enabled     BOOLEAN      NOT NULL,
    updated_at  BIGINT       NOT NULL
);
