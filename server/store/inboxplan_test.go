package store

import (
	"context"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// The inbox's query and the due reminders' tick find their rows through indexes under
// forced generic plans (as the plugin's pool runs them): on 10,000 active workflows
// with a task each, neither scans devops_workflows or devops_tasks.
func TestInboxQueriesKeepTheirIndexesWithGenericPlans(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	db := s.DB()
	db.SetMaxOpenConns(1) // one session: the setting below is its own
	exec(t, s, `CREATE TABLE IF NOT EXISTS teams (id VARCHAR(26) PRIMARY KEY, name VARCHAR(64))`)
	team, me := model.NewId(), model.NewId()
	exec(t, s, `INSERT INTO teams VALUES ($1, 'ops')`, team)
	exec(t, s, `INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, me)
	exec(t, s, `INSERT INTO devops_template_versions (version, type, template, recorded_at) VALUES ('v1', 'release', $1, 1)`,
		`{"name":"Release","stages":[{"name":"planning"},{"name":"production","gate":["qa"]}]}`)
	exec(t, s, `INSERT INTO devops_workflows (id, team_id, channel_id, channel_name, type, seq, title, severity, stage,
		status, private, lead_id, created_by, created_at, updated_at, closed_at, stage_entered_at, summary, template_version)
		SELECT substr(md5('w' || i), 1, 26), $1, substr(md5('c' || i), 1, 26), 'rel-' || i, 'release', i,
			'Workflow ' || i, '', 'planning', 'active', false, CASE WHEN i % 500 = 0 THEN $2 ELSE substr(md5('l' || i), 1, 26) END,
			'x', i, i, 0, i, '', 'v1'
		FROM generate_series(1, 10000) i`, team, me)
	exec(t, s, `INSERT INTO devops_tasks (id, workflow_id, number, text, assignee_id, assignee_ids, due_at, created_at)
		SELECT substr(md5('k' || i), 1, 26), substr(md5('w' || i), 1, 26), 1, 'task',
			CASE WHEN i % 100 = 0 THEN $1 ELSE substr(md5('a' || i), 1, 26) END,
			ARRAY[CASE WHEN i % 100 = 0 THEN $1 ELSE substr(md5('a' || i), 1, 26) END]::VARCHAR(26)[], 1000000 + i, i
		FROM generate_series(1, 10000) i`, me)
	exec(t, s, `INSERT INTO channelmembers (channelid, userid) SELECT substr(md5('c' || i), 1, 26), $1 FROM generate_series(1, 20) i`, me)
	_, _, err := s.GrantDiscipline(ctx, me, "qa", "admin", 1)
	require.NoError(t, err)
	exec(t, s, `ANALYZE`)
	exec(t, s, `SET plan_cache_mode = force_generic_plan`)

	seqScans := func() (n int64) {
		t.Helper()
		exec(t, s, `SELECT pg_stat_force_next_flush()`)
		require.NoError(t, db.QueryRow(`SELECT sum(seq_scan) FROM pg_stat_user_tables WHERE relname IN ('devops_workflows', 'devops_tasks')`).Scan(&n))
		return n
	}
	before := seqScans()
	for range 8 { // past the five custom plans PostgreSQL would otherwise try first
		facts, err := s.InboxFacts(ctx, app.InboxQuery{TeamID: team, UserID: me, ReadsPublic: true, Limit: 50})
		require.NoError(t, err)
		require.Len(t, facts.Tasks, 50)
		require.Len(t, facts.Gated, 20)
		require.Len(t, facts.Led, 20)
		due, err := s.DueTasks(ctx, 1000000+50, 200)
		require.NoError(t, err)
		require.Len(t, due, 50)
	}
	require.Equal(t, before, seqScans(), "an inbox query scanned devops_workflows or devops_tasks")
}
