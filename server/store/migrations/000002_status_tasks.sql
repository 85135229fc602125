-- Status updates: the latest lives on the workflow for lists and briefings; all of
-- them are on the timeline.
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS last_status_text    TEXT        NOT NULL DEFAULT '';
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS last_status_user_id VARCHAR(26) NOT NULL DEFAULT '';
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS last_status_at      BIGINT      NOT NULL DEFAULT 0;

-- Tasks: a workflow's checklist, numbered per workflow from 1.
CREATE TABLE IF NOT EXISTS devops_tasks (
    id           VARCHAR(26)  PRIMARY KEY,
    workflow_id  VARCHAR(26)  NOT NULL REFERENCES devops_workflows (id) ON DELETE CASCADE,
    number       INTEGER      NOT NULL,
    text         TEXT         NOT NULL,
    stage        VARCHAR(64)  NOT NULL DEFAULT '',
    discipline   VARCHAR(32)  NOT NULL DEFAULT '',
    assignee_id  VARCHAR(26)  NOT NULL DEFAULT '',
    due_at       BIGINT       NOT NULL DEFAULT 0,
    done         BOOLEAN      NOT NULL DEFAULT FALSE,
    done_by      VARCHAR(26)  NOT NULL DEFAULT '',
    done_at      BIGINT       NOT NULL DEFAULT 0,
    created_by   VARCHAR(26)  NOT NULL DEFAULT '',
    created_at   BIGINT       NOT NULL,
    UNIQUE (workflow_id, number)
);
