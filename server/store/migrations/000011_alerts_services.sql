-- Alert intake (Alertmanager, Grafana), gate checks and the service catalog (issue 16).

-- One row per alert group (Alertmanager's groupKey) and team: the incident it opened
-- or attached to. The primary key is what makes concurrent deliveries of one group,
-- on one node or several, open one incident: a delivery claims the row (workflow_id
-- '' and its claim id) in a transaction, opens the incident outside it, then fills
-- workflow_id. A claim older than a few minutes belongs to a node that died and may be
-- taken over; a row whose incident is closed is claimed afresh by the group's next
-- firing. group_key '' is the team's "alert storm" incident.
CREATE TABLE IF NOT EXISTS devops_alert_groups (
    team_id      VARCHAR(26)  NOT NULL,
    group_key    VARCHAR(64)  NOT NULL,   -- sha256 of the sender's groupKey, hex; '' = the storm
    workflow_id  VARCHAR(26)  NOT NULL DEFAULT '',
    claim        VARCHAR(26)  NOT NULL DEFAULT '',
    claimed_at   BIGINT       NOT NULL,
    -- attached to the storm incident because the team was over its cap when it opened
    storm        BOOLEAN      NOT NULL DEFAULT FALSE,
    PRIMARY KEY (team_id, group_key)
);
CREATE INDEX IF NOT EXISTS devops_alert_groups_workflow_idx ON devops_alert_groups (workflow_id);

-- Incidents the intake opened, for the storm cap: the count over the last window is
-- read and the new row written under a per-team transaction lock.
CREATE TABLE IF NOT EXISTS devops_alert_opens (
    claim      VARCHAR(26) PRIMARY KEY,   -- the claim that opened it (released if the open fails)
    team_id    VARCHAR(26) NOT NULL,
    opened_at  BIGINT      NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_alert_opens_team_idx ON devops_alert_opens (team_id, opened_at);

-- Every alert state an incident has shown, so a notification posts only what is new
-- and a notification delivered twice (a retry, two nodes) posts it once.
CREATE TABLE IF NOT EXISTS devops_alerts_seen (
    workflow_id  VARCHAR(26)  NOT NULL REFERENCES devops_workflows (id) ON DELETE CASCADE,
    fingerprint  VARCHAR(64)  NOT NULL,
    starts_at    BIGINT       NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    seen_at      BIGINT       NOT NULL,
    PRIMARY KEY (workflow_id, fingerprint, starts_at, status)
);

-- The service catalog: per team, by name.
CREATE TABLE IF NOT EXISTS devops_services (
    id                VARCHAR(26)  PRIMARY KEY,
    team_id           VARCHAR(26)  NOT NULL,
    name              VARCHAR(64)  NOT NULL,
    owner_ids         TEXT         NOT NULL DEFAULT '',   -- user ids, comma-separated
    owner_discipline  VARCHAR(32)  NOT NULL DEFAULT '',
    rotation          VARCHAR(64)  NOT NULL DEFAULT '',
    repository        TEXT         NOT NULL DEFAULT '',
    tier              VARCHAR(16)  NOT NULL DEFAULT '',
    created_by        VARCHAR(26)  NOT NULL,
    created_at        BIGINT       NOT NULL,
    updated_at        BIGINT       NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS devops_services_team_name_idx ON devops_services (team_id, lower(name));
CREATE INDEX IF NOT EXISTS devops_services_name_idx ON devops_services (lower(name));
