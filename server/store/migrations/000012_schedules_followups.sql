-- Schedules: a workflow of a type started on a cadence. next_at is the next
-- occurrence's time; a scheduler tick claims it by moving next_at on with a
-- conditional update (WHERE next_at = the value it read), in the transaction that
-- records the occurrence below, so one tick on one node wins each occurrence.
CREATE TABLE IF NOT EXISTS devops_schedules (
    id            VARCHAR(26)  PRIMARY KEY,
    team_id       VARCHAR(26)  NOT NULL,
    type          VARCHAR(64)  NOT NULL,
    -- the title pattern: {n}, {date}, {version}
    title         TEXT         NOT NULL,
    -- 1d, 1w, 2w, 4w or monthly:<day>
    every         VARCHAR(16)  NOT NULL,
    -- the first occurrence (ms), the anchor every later one is counted from
    start_at      BIGINT       NOT NULL,
    timezone      VARCHAR(64)  NOT NULL,
    owner_id      VARCHAR(26)  NOT NULL,
    severity      VARCHAR(64)  NOT NULL DEFAULT '',
    -- what {version} increments: patch or minor
    version_bump  VARCHAR(8)   NOT NULL DEFAULT 'minor',
    -- copy the previous occurrence's open tasks into the next
    carry_over    BOOLEAN      NOT NULL DEFAULT FALSE,
    paused        BOOLEAN      NOT NULL DEFAULT FALSE,
    next_at       BIGINT       NOT NULL,
    -- which period of the cadence next_at is (0 = start_at)
    next_index    INTEGER      NOT NULL DEFAULT 0,
    -- occurrences claimed so far: the last one's {n}
    started       INTEGER      NOT NULL DEFAULT 0,
    created_by    VARCHAR(26)  NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_schedules_due_idx ON devops_schedules (next_at) WHERE NOT paused;
CREATE INDEX IF NOT EXISTS devops_schedules_team_idx ON devops_schedules (team_id, created_at);

-- Occurrences a tick claimed. The workflow's id is chosen when the occurrence is
-- claimed, so a start retried after a crash can only make that one workflow (its
-- primary key); started_at stays 0 until the start is known to be done, and a later
-- tick finishes a claim left behind by a node that died (like devops_reminders).
CREATE TABLE IF NOT EXISTS devops_schedule_occurrences (
    schedule_id   VARCHAR(26)  NOT NULL REFERENCES devops_schedules (id) ON DELETE CASCADE,
    n             INTEGER      NOT NULL,
    workflow_id   VARCHAR(26)  NOT NULL UNIQUE,
    title         TEXT         NOT NULL,
    due_at        BIGINT       NOT NULL,
    claimed_at    BIGINT       NOT NULL,
    started_at    BIGINT       NOT NULL DEFAULT 0,
    -- why it could not start (a refusal: the owner may no longer start the type)
    error         TEXT         NOT NULL DEFAULT '',
    PRIMARY KEY (schedule_id, n)
);
CREATE INDEX IF NOT EXISTS devops_schedule_occurrences_pending_idx
    ON devops_schedule_occurrences (claimed_at) WHERE started_at = 0 AND error = '';

-- Follow-ups: tasks that outlive their workflow's close.
ALTER TABLE devops_tasks ADD COLUMN IF NOT EXISTS followup BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX IF NOT EXISTS devops_tasks_open_followups_idx ON devops_tasks (workflow_id) WHERE followup AND NOT done;
