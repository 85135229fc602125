-- Disciplines mapped by a system admin (the DisciplineMapping setting), bound to the
-- person the name belonged to when the setting was saved: a rename moves nothing.
-- Kept in step with the setting on every node (SyncDisciplineBindings): a name
-- already bound keeps its user, a new name is bound, a removed name is unbound.
CREATE TABLE IF NOT EXISTS devops_discipline_bindings (
    username    VARCHAR(64) PRIMARY KEY,
    user_id     VARCHAR(26) NOT NULL,
    discipline  VARCHAR(32) NOT NULL,
    bound_at    BIGINT      NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_discipline_bindings_user_idx ON devops_discipline_bindings (user_id);

-- Disciplines granted by a system admin or a verified member of the discipline: one
-- per person, with who granted it and when.
CREATE TABLE IF NOT EXISTS devops_discipline_grants (
    user_id     VARCHAR(26) PRIMARY KEY,
    discipline  VARCHAR(32) NOT NULL,
    granted_by  VARCHAR(26) NOT NULL,
    granted_at  BIGINT      NOT NULL
);
CREATE INDEX IF NOT EXISTS devops_discipline_grants_discipline_idx ON devops_discipline_grants (discipline);

-- Each person's discipline in force and where it comes from, by precedence: mapped,
-- then granted, then declared. The one definition every query reads; a filter on
-- user_id reaches each table's index (PostgreSQL pushes it through DISTINCT ON and
-- UNION ALL).
CREATE OR REPLACE VIEW devops_user_disciplines AS
SELECT DISTINCT ON (s.user_id) s.user_id, s.discipline, s.source, s.granted_by, s.at
FROM (
    SELECT b.user_id, b.discipline, 'mapped' AS source, 1 AS rank, '' AS granted_by, b.bound_at AS at
        FROM devops_discipline_bindings b
    UNION ALL
    SELECT g.user_id, g.discipline, 'granted', 2, g.granted_by, g.granted_at FROM devops_discipline_grants g
    UNION ALL
    SELECT d.user_id, d.discipline, 'declared', 3, '', d.updated_at FROM devops_disciplines d
) s
ORDER BY s.user_id, s.rank, s.at DESC;

-- Where the signer's discipline came from; '' for sign-offs made before sources.
ALTER TABLE devops_signoffs ADD COLUMN IF NOT EXISTS source VARCHAR(16) NOT NULL DEFAULT '';
