-- On call: rotations, overrides, pages and who each page reached.
--
-- A rotation's members are user ids in order; the first is on call from created_at
-- until the first handover, then the next. Names are unique per team (as typed, but
-- compared lowercase).
CREATE TABLE IF NOT EXISTS devops_rotations (
    id                  VARCHAR(26)  PRIMARY KEY,
    team_id             VARCHAR(26)  NOT NULL,
    name                VARCHAR(64)  NOT NULL,
    discipline          VARCHAR(64)  NOT NULL DEFAULT '',
    members             TEXT[]       NOT NULL,
    shift_ms            BIGINT       NOT NULL,
    handoff_minute      INTEGER      NOT NULL,
    timezone            VARCHAR(64)  NOT NULL,
    escalate_after_ms   BIGINT       NOT NULL,
    follow_the_sun      BOOLEAN      NOT NULL DEFAULT FALSE,
    escalate_to         TEXT[]       NOT NULL DEFAULT '{}',
    created_by          VARCHAR(26)  NOT NULL,
    created_at          BIGINT       NOT NULL,
    updated_at          BIGINT       NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS devops_rotations_team_name_idx ON devops_rotations (team_id, lower(name));

-- Someone taking a shift or part of one, and who arranged it.
CREATE TABLE IF NOT EXISTS devops_overrides (
    id           VARCHAR(26)  PRIMARY KEY,
    rotation_id  VARCHAR(26)  NOT NULL REFERENCES devops_rotations (id) ON DELETE CASCADE,
    user_id      VARCHAR(26)  NOT NULL,
    starts_at    BIGINT       NOT NULL,
    ends_at      BIGINT       NOT NULL,
    created_by   VARCHAR(26)  NOT NULL,
    created_at   BIGINT       NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_overrides_rotation_idx ON devops_overrides (rotation_id, ends_at);

-- A page and its escalation plan: plan is the list of steps (each a list of user ids)
-- fixed when the page is made; step is the last step notified. A tick claims the next
-- step with a conditional update on step (see ClaimPageStep), in the transaction that
-- records whom it notifies, so each step happens once across nodes.
CREATE TABLE IF NOT EXISTS devops_pages (
    id                 VARCHAR(26)  PRIMARY KEY,
    team_id            VARCHAR(26)  NOT NULL,
    rotation_id        VARCHAR(26)  NOT NULL DEFAULT '',
    target             VARCHAR(100) NOT NULL,
    message            TEXT         NOT NULL,
    workflow_id        VARCHAR(26)  NOT NULL DEFAULT '',
    created_by         VARCHAR(26)  NOT NULL,
    created_at         BIGINT       NOT NULL,
    status             VARCHAR(16)  NOT NULL DEFAULT 'open',
    acknowledged_by    VARCHAR(26)  NOT NULL DEFAULT '',
    acknowledged_at    BIGINT       NOT NULL DEFAULT 0,
    plan               JSONB        NOT NULL,
    step               INTEGER      NOT NULL DEFAULT 0,
    escalate_after_ms  BIGINT       NOT NULL,
    next_step_at       BIGINT       NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS devops_pages_due_idx ON devops_pages (next_step_at) WHERE status = 'open' AND next_step_at > 0;
CREATE INDEX IF NOT EXISTS devops_pages_workflow_idx ON devops_pages (workflow_id, created_at) WHERE workflow_id <> '';

-- Whom each step of a page notified. A row is written with its step's claim and
-- marked delivered once the direct message exists; a tick redelivers rows a crashed
-- node left undelivered, unless their post (it carries the page id and step) is
-- already there: each step reaches each person once.
CREATE TABLE IF NOT EXISTS devops_page_notifications (
    page_id    VARCHAR(26)  NOT NULL REFERENCES devops_pages (id) ON DELETE CASCADE,
    step       INTEGER      NOT NULL,
    user_id    VARCHAR(26)  NOT NULL,
    at         BIGINT       NOT NULL,
    post_id    VARCHAR(26)  NOT NULL DEFAULT '',
    delivered  BOOLEAN      NOT NULL DEFAULT FALSE,
    PRIMARY KEY (page_id, step, user_id)
);
CREATE INDEX IF NOT EXISTS devops_page_notifications_pending_idx ON devops_page_notifications (at) WHERE NOT delivered;
CREATE INDEX IF NOT EXISTS devops_page_notifications_user_idx ON devops_page_notifications (user_id, at);
