-- Workflows: one row per piece of DevOps work, each with its own channel.
CREATE TABLE IF NOT EXISTS devops_workflows (
    id                  VARCHAR(26)  PRIMARY KEY,
    team_id             VARCHAR(26)  NOT NULL,
    channel_id          VARCHAR(26)  NOT NULL UNIQUE,
    channel_name        VARCHAR(64)  NOT NULL,
    type                VARCHAR(64)  NOT NULL,
    seq                 INTEGER      NOT NULL,
    title               TEXT         NOT NULL,
    severity            VARCHAR(64)  NOT NULL DEFAULT '',
    stage               VARCHAR(64)  NOT NULL,
    status              VARCHAR(16)  NOT NULL DEFAULT 'active',
    private             BOOLEAN      NOT NULL DEFAULT FALSE,
    lead_id             VARCHAR(26)  NOT NULL,
    created_by          VARCHAR(26)  NOT NULL,
    created_at          BIGINT       NOT NULL,
    updated_at          BIGINT       NOT NULL,
    closed_at           BIGINT       NOT NULL DEFAULT 0,
    stage_entered_at    BIGINT       NOT NULL,
    summary             TEXT         NOT NULL DEFAULT '',
    UNIQUE (team_id, type, seq)
);

-- The list queries: a team's workflows by status (and type), newest first, keyset-paged on (created_at, id).
CREATE INDEX IF NOT EXISTS devops_workflows_team_status_idx
    ON devops_workflows (team_id, status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS devops_workflows_team_type_status_idx
    ON devops_workflows (team_id, type, status, created_at DESC, id DESC);

-- Sequence numbers per team and type, allocated atomically with an upsert.
CREATE TABLE IF NOT EXISTS devops_sequences (
    team_id   VARCHAR(26) NOT NULL,
    type      VARCHAR(64) NOT NULL,
    last_seq  INTEGER     NOT NULL,
    PRIMARY KEY (team_id, type)
);

-- Workflow roles other than the lead (the lead lives on the workflow row).
CREATE TABLE IF NOT EXISTS devops_roles (
    workflow_id  VARCHAR(26) NOT NULL REFERENCES devops_workflows (id) ON DELETE CASCADE,
    role         VARCHAR(64) NOT NULL,
    user_id      VARCHAR(26) NOT NULL,
    assigned_at  BIGINT      NOT NULL,
    PRIMARY KEY (workflow_id, role)
);
CREATE INDEX IF NOT EXISTS devops_roles_user_idx ON devops_roles (user_id);

-- Sign-offs: one per workflow, gated stage and discipline.
CREATE TABLE IF NOT EXISTS devops_signoffs (
    workflow_id  VARCHAR(26) NOT NULL REFERENCES devops_workflows (id) ON DELETE CASCADE,
    stage        VARCHAR(64) NOT NULL,
    discipline   VARCHAR(32) NOT NULL,
    user_id      VARCHAR(26) NOT NULL,
    note         TEXT        NOT NULL DEFAULT '',
    at           BIGINT      NOT NULL,
    PRIMARY KEY (workflow_id, stage, discipline)
);

-- Self-declared disciplines (the admin mapping lives in the plugin settings and wins).
CREATE TABLE IF NOT EXISTS devops_disciplines (
    user_id     VARCHAR(26) PRIMARY KEY,
    discipline  VARCHAR(32) NOT NULL,
    updated_at  BIGINT      NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_disciplines_discipline_idx ON devops_disciplines (discipline);

-- Timeline: every event of a workflow, oldest first by (at, id).
CREATE TABLE IF NOT EXISTS devops_timeline (
    id           VARCHAR(26) PRIMARY KEY,
    workflow_id  VARCHAR(26) NOT NULL REFERENCES devops_workflows (id) ON DELETE CASCADE,
    type         VARCHAR(32) NOT NULL,
    at           BIGINT      NOT NULL,
    actor_id     VARCHAR(26) NOT NULL DEFAULT '',
    summary      TEXT        NOT NULL DEFAULT '',
    post_id      VARCHAR(26) NOT NULL DEFAULT '',
    data         JSONB       NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS devops_timeline_workflow_idx ON devops_timeline (workflow_id, at, id);
