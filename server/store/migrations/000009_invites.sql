-- People a start invites who are still to be added to the workflow's channel. The
-- start records them in the transaction that activates the workflow, answers, then
-- adds them and deletes their rows; a node that dies in between leaves the rows, and
-- a later drain (the scheduler's tick, or the plugin's activation) adds whoever
-- Mattermost's membership history says never joined: each person is added once.
CREATE TABLE IF NOT EXISTS devops_invites (
    workflow_id  VARCHAR(26)  NOT NULL REFERENCES devops_workflows (id) ON DELETE CASCADE,
    user_id      VARCHAR(26)  NOT NULL,
    -- on whose behalf Mattermost adds them ("added to the channel by …"): the starter
    added_by     VARCHAR(26)  NOT NULL,
    -- the order the start stated: verified disciplines first, then by username
    position     INTEGER      NOT NULL,
    -- when a drain last took the row; a row claimed long ago belongs to a dead node
    claimed_at   BIGINT       NOT NULL,
    PRIMARY KEY (workflow_id, user_id)
);
CREATE INDEX IF NOT EXISTS devops_invites_claimed_idx ON devops_invites (claimed_at);
