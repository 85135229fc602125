-- Custom fields (issue 17): a workflow's values by key, as the service stores them
-- (a select's option, a number in its shortest form, a user's id). One JSONB column
-- rather than a table of rows: a workflow is read with its fields in the same row,
-- and the list's field.<key>=value filter is a containment test the GIN index answers.
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS fields JSONB NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS devops_workflows_fields_idx ON devops_workflows USING gin (fields jsonb_path_ops);
-- The close-times chart: a team's workflows closed in the last weeks, with what the
-- chart reads of each (an index-only scan: a busy team's thousands of closed
-- workflows are not fetched row by row from the table).
CREATE INDEX IF NOT EXISTS devops_workflows_team_closed_idx
    ON devops_workflows (team_id, closed_at) INCLUDE (type, created_at, channel_id, private) WHERE status = 'closed';
