-- Every template a workflow started from, content-addressed: the version is a hash
-- of the template's JSON (app.versionOf), so the same template is recorded once,
-- by whichever node sees it first, and a row never changes. A workflow keeps
-- running on its own version, whatever the template overrides or the enabled types
-- say later.
CREATE TABLE IF NOT EXISTS devops_template_versions (
    version      VARCHAR(64) PRIMARY KEY,
    type         VARCHAR(64) NOT NULL,
    template     JSONB       NOT NULL,
    recorded_at  BIGINT      NOT NULL
);

-- The version a workflow started from; '' for workflows made before versions, which
-- the plugin pins to the template in force when it activates after this migration
-- (the current template lives in the plugin's settings, which SQL cannot read).
ALTER TABLE devops_workflows ADD COLUMN IF NOT EXISTS template_version VARCHAR(64) NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS devops_workflows_unversioned_idx ON devops_workflows (type) WHERE template_version = '';
