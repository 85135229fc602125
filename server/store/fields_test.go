package store

import (
	"context"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// setFields saves fields on a stored workflow the way the service does.
func setFields(t *testing.T, s *Store, id string, fields map[string]string) {
	t.Helper()
	_, err := s.UpdateWorkflow(context.Background(), id, func(w *app.Workflow) ([]app.TimelineEvent, error) {
		w.Fields = fields
		w.FieldsChanged = true
		return []app.TimelineEvent{{Type: app.EventFieldChanged, ActorID: "lead"}}, nil
	})
	require.NoError(t, err)
}

func TestFieldsAreSavedFilteredAndGrouped(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, viewer := model.NewId(), model.NewId()
	_, err := s.DB().Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, viewer)
	require.NoError(t, err)
	var ws []*app.Workflow
	for i := 1; i <= 4; i++ {
		w := newWorkflow(team, "incident", i, int64(1000+i))
		w.Severity = []string{"sev1", "sev2", "sev2", "sev1"}[i-1]
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
		ws = append(ws, w)
	}
	setFields(t, s, ws[0].ID, map[string]string{"service": "checkout", "cause": "deploy"})
	setFields(t, s, ws[1].ID, map[string]string{"service": "checkout", "cause": "config"})
	setFields(t, s, ws[2].ID, map[string]string{"service": "search", "cause": "deploy"})

	got, err := s.GetWorkflow(ctx, ws[0].ID)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"service": "checkout", "cause": "deploy"}, got.Fields)
	untouched, err := s.GetWorkflow(ctx, ws[3].ID)
	require.NoError(t, err)
	require.Empty(t, untouched.Fields)

	// A change that does not set FieldsChanged leaves them be.
	_, err = s.UpdateWorkflow(ctx, ws[0].ID, func(w *app.Workflow) ([]app.TimelineEvent, error) {
		w.Fields = nil
		w.Stage = "investigating"
		return nil, nil
	})
	require.NoError(t, err)
	got, err = s.GetWorkflow(ctx, ws[0].ID)
	require.NoError(t, err)
	require.Equal(t, "checkout", got.Fields["service"])

	list := func(fields map[string]string) []string {
		items, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 50, Fields: fields})
		require.NoError(t, err)
		return idsOf(items)
	}
	require.Equal(t, []string{ws[1].ID, ws[0].ID}, list(map[string]string{"service": "checkout"}))
	require.Equal(t, []string{ws[0].ID}, list(map[string]string{"service": "checkout", "cause": "deploy"}))
	require.Empty(t, list(map[string]string{"service": "Checkout"}), "values are compared as stored")

	stats := func(by string) map[string]int {
		items, err := s.Stats(ctx, app.StatsFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, GroupBy: by})
		require.NoError(t, err)
		out := map[string]int{}
		for _, st := range items {
			require.NotNil(t, st.Group)
			out[st.Type+"/"+*st.Group] = st.Started
		}
		return out
	}
	require.Equal(t, map[string]int{"incident/sev1": 2, "incident/sev2": 2}, stats(app.GroupBySeverity))
	require.Equal(t, map[string]int{"incident/deploy": 2, "incident/config": 1, "incident/": 1}, stats("cause"))
	plain, err := s.Stats(ctx, app.StatsFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true})
	require.NoError(t, err)
	require.Len(t, plain, 1)
	require.Nil(t, plain[0].Group)
	require.Equal(t, 4, plain[0].Started)
}

func TestCloseTimesPerWeekAndType(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, viewer := model.NewId(), model.NewId()
	const hour, week = int64(3_600_000), int64(7 * 24 * 3_600_000)
	from := 100 * week
	closed := func(typ string, seq int, closedAt, took int64, private bool) {
		w := newWorkflow(team, typ, seq, closedAt-took)
		w.Private = private
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
		_, err := s.DB().Exec(`UPDATE devops_workflows SET status = 'closed', closed_at = $2 WHERE id = $1`, w.ID, closedAt)
		require.NoError(t, err)
	}
	// Week 0: incidents that took 1h, 2h and 9h (median 2h); week 3: one of 4h.
	closed("incident", 1, from+hour, hour, false)
	closed("incident", 2, from+2*hour, 2*hour, false)
	closed("incident", 3, from+3*hour, 9*hour, false)
	closed("incident", 4, from+3*week+5*hour, 4*hour, false)
	// A release in week 11; one before the window and one after it; a private one.
	closed("release", 1, from+11*week, 48*hour, false)
	closed("release", 2, from-1, hour, false)
	closed("release", 3, from+12*week, hour, false)
	closed("incident", 5, from+hour, 100*hour, true)
	// Two active workflows do not count.
	require.NoError(t, s.CreateWorkflow(ctx, newWorkflow(team, "incident", 6, from+hour), nil))

	got, err := s.CloseTimes(ctx, app.CloseTimesFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, From: from, Weeks: 12})
	require.NoError(t, err)
	require.Equal(t, []app.CloseTimeBucket{
		{Type: "incident", Week: 0, Closed: 3, MedianMs: 2 * hour},
		{Type: "incident", Week: 3, Closed: 1, MedianMs: 4 * hour},
		{Type: "release", Week: 11, Closed: 1, MedianMs: 48 * hour},
	}, got)
}
