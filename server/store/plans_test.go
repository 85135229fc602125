package store

import (
	"context"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// The plugin's pool forces generic plans (plan_cache_mode=force_generic_plan, see
// server/database.go): a generic plan cannot see its parameters' values, so this
// checks that the hot queries still find their rows through indexes. On 20,000
// workflows, running each query with forced generic plans must not scan
// devops_workflows sequentially once.
func TestHotQueriesKeepTheirIndexesWithGenericPlans(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	db := s.DB()
	db.SetMaxOpenConns(1) // one session: the setting below and the statistics are its own
	_, err := db.Exec(`SET plan_cache_mode = force_generic_plan`)
	require.NoError(t, err)

	team, viewer := model.NewId(), model.NewId()
	_, err = db.Exec(`INSERT INTO devops_workflows (id, team_id, channel_id, channel_name, type, seq, title, severity, stage,
		status, private, lead_id, created_by, created_at, updated_at, closed_at, stage_entered_at, summary, next_reminder_at)
		SELECT substr(md5('w' || i), 1, 26), CASE WHEN i % 4 = 0 THEN $1 ELSE substr(md5('t' || i % 50), 1, 26) END,
			substr(md5('c' || i), 1, 26), 'inc-' || i, CASE WHEN i % 3 = 0 THEN 'release' ELSE 'incident' END, i,
			'Workflow ' || i, 'sev2', 'triage', CASE WHEN i % 10 = 0 THEN 'active' ELSE 'closed' END, i % 7 = 0,
			$2, $2, i, i, 0, i, '', CASE WHEN i % 10 = 0 THEN 1000000 + i ELSE 0 END
		FROM generate_series(1, 20000) i`, team, viewer)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, viewer)
	require.NoError(t, err)
	_, err = db.Exec(`ANALYZE`)
	require.NoError(t, err)
	var some app.Workflow
	require.NoError(t, db.QueryRow(`SELECT id, channel_id FROM devops_workflows WHERE team_id = $1 AND status = 'active' LIMIT 1`, team).
		Scan(&some.ID, &some.ChannelID))

	seqScans := func() int64 {
		t.Helper()
		_, err := db.Exec(`SELECT pg_stat_force_next_flush()`)
		require.NoError(t, err)
		var n int64
		require.NoError(t, db.QueryRow(`SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'devops_workflows'`).Scan(&n))
		return n
	}
	before := seqScans()
	for range 8 { // past the five custom plans PostgreSQL would otherwise try first
		_, err = s.GetWorkflowFor(ctx, "channel", some.ChannelID, viewer)
		require.NoError(t, err)
		_, err = s.GetWorkflowFor(ctx, "id", some.ID, viewer)
		require.NoError(t, err)
		for _, f := range []app.ListFilter{
			{TeamID: team, ViewerID: viewer, ReadsPublic: true, Status: app.StatusActive, PerPage: 25, Brief: true},
			{TeamID: team, ViewerID: viewer, ReadsPublic: true, Status: app.StatusActive, PerPage: 50},
			{TeamID: team, ViewerID: viewer, ReadsPublic: true, Type: "release", Status: app.StatusClosed, PerPage: 50},
			{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 50},
		} {
			page, _, err := s.ListWorkflows(ctx, f)
			require.NoError(t, err)
			require.NotEmpty(t, page)
		}
		_, similar, err := s.StartFacts(ctx, team, "incident", viewer, true, 200)
		require.NoError(t, err)
		require.NotEmpty(t, similar)
		due, err := s.DueReminders(ctx, 1005000, 200)
		require.NoError(t, err)
		require.NotEmpty(t, due)
		// The scheduler's other per-tick reads.
		_, err = s.StaleReservations(ctx, 20000)
		require.NoError(t, err)
		_, err = s.StartersNeverJoined(ctx, 19000, 20000)
		require.NoError(t, err)
		_, err = s.ClaimStaleInvites(ctx, 19000, 20000, 500)
		require.NoError(t, err)
		// The panel's chart, and the list filtered by a custom field.
		_, err = s.CloseTimes(ctx, app.CloseTimesFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, From: 1, Weeks: 12})
		require.NoError(t, err)
		_, _, err = s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 50, Fields: map[string]string{"service": "checkout"}})
		require.NoError(t, err)
	}
	require.Equal(t, before, seqScans(), "a hot query scanned devops_workflows")
}
