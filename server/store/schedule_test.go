package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

func newSchedule(team string, nextAt int64) *app.Schedule {
	return &app.Schedule{ID: model.NewId(), TeamID: team, Type: "sprint", Title: "Sprint {n}", Every: "2w", StartAt: nextAt,
		Timezone: "UTC", OwnerID: model.NewId(), VersionBump: app.BumpMinor, NextAt: nextAt, CreatedBy: "owner", CreatedAt: 1, UpdatedAt: 1}
}

// Eight ticks claim the same due occurrence at once: one wins, one occurrence is
// recorded, the schedule moves on once; a pause wins over a tick that read before it.
func TestClaimOccurrenceOnce(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	sc := newSchedule(team, 1000)
	require.NoError(t, s.CreateSchedule(ctx, sc))

	due, err := s.DueSchedules(ctx, 999, 10)
	require.NoError(t, err)
	require.Empty(t, due, "not yet due")
	due, err = s.DueSchedules(ctx, 1000, 10)
	require.NoError(t, err)
	require.Len(t, due, 1)

	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			read := *due[0]
			ok, err := s.ClaimOccurrence(ctx, &read, 5000, 1, app.Occurrence{ScheduleID: sc.ID, N: read.Started + 1,
				WorkflowID: model.NewId(), Title: "Sprint 1", DueAt: read.NextAt, ClaimedAt: 2000})
			require.NoError(t, err)
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, 1, wins.Load())
	got, err := s.GetSchedule(ctx, sc.ID)
	require.NoError(t, err)
	require.EqualValues(t, 5000, got.NextAt)
	require.Equal(t, 1, got.Started)
	require.Equal(t, 1, got.NextIndex)

	// The claim is pending until it is done; only claims older than `before` are listed.
	pending, err := s.PendingOccurrences(ctx, 2000, 10)
	require.NoError(t, err)
	require.Empty(t, pending)
	pending, err = s.PendingOccurrences(ctx, 2001, 10)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.Equal(t, "Sprint 1", pending[0].Title)
	require.NoError(t, s.OccurrenceDone(ctx, sc.ID, 1, 2500, ""))
	pending, err = s.PendingOccurrences(ctx, 9999, 10)
	require.NoError(t, err)
	require.Empty(t, pending)
	prev, err := s.PreviousOccurrence(ctx, sc.ID, 2)
	require.NoError(t, err)
	require.Equal(t, pending2ID(t, s, sc.ID, 1), prev)

	// An edit (here a pause) after a tick read the schedule: the tick claims nothing.
	stale := *got
	paused := *got
	paused.Paused, paused.UpdatedAt = true, got.UpdatedAt+1
	ok, err := s.UpdateSchedule(ctx, &paused, got.UpdatedAt)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.UpdateSchedule(ctx, &paused, got.UpdatedAt)
	require.NoError(t, err)
	require.False(t, ok, "an edit from a stale read is refused")
	ok, err = s.ClaimOccurrence(ctx, &stale, 9000, 2, app.Occurrence{ScheduleID: sc.ID, N: 2, WorkflowID: model.NewId(), Title: "Sprint 2", DueAt: 5000, ClaimedAt: 6000})
	require.NoError(t, err)
	require.False(t, ok)
	due, err = s.DueSchedules(ctx, 1<<40, 10)
	require.NoError(t, err)
	require.Empty(t, due, "a paused schedule is never due")

	list, err := s.ListSchedules(ctx, team)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.NoError(t, s.DeleteSchedule(ctx, sc.ID))
	_, err = s.GetSchedule(ctx, sc.ID)
	require.ErrorIs(t, err, app.ErrNotFound)
}

func pending2ID(t *testing.T, s *Store, scheduleID string, n int) string {
	t.Helper()
	var id string
	require.NoError(t, s.DB().QueryRow(`SELECT workflow_id FROM devops_schedule_occurrences WHERE schedule_id = $1 AND n = $2`, scheduleID, n).Scan(&id))
	return id
}

// The last release's version comes from the newest release naming one.
func TestLastVersion(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	v, err := s.LastVersion(ctx, team)
	require.NoError(t, err)
	require.Empty(t, v)
	for i, title := range []string{"Release 2.3.0", "Release 2.4.1", "Hotfix train"} {
		w := newWorkflow(team, "release", i+1, int64(100+i))
		w.Title = title
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	}
	v, err = s.LastVersion(ctx, team)
	require.NoError(t, err)
	require.Equal(t, "2.4.1", v)
}

// Follow-ups stay listed after their workflow closes, until done; a private
// workflow's only to its channel's members; plain tasks never.
func TestOpenFollowups(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, viewer := teamWithMember(t, s)
	public := newWorkflow(team, "incident", 1, 100)
	private := newWorkflow(team, "security", 2, 200)
	private.Private = true
	for _, w := range []*app.Workflow{public, private} {
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
		_, err := s.UpdateWorkflow(ctx, w.ID, func(w *app.Workflow) ([]app.TimelineEvent, error) {
			w.NewTasks = []*app.Task{{Text: "plain"}, {Text: "follow " + w.Type, Followup: true, DueAt: 50}, {Text: "later " + w.Type, Followup: true}}
			return nil, nil
		})
		require.NoError(t, err)
	}
	_, err := s.UpdateWorkflow(ctx, public.ID, func(w *app.Workflow) ([]app.TimelineEvent, error) {
		w.Status, w.ClosedAt = app.StatusClosed, 300
		return nil, nil
	})
	require.NoError(t, err)

	texts := func(readsPublic bool) []string {
		items, err := s.OpenFollowups(ctx, team, viewer, readsPublic, 10)
		require.NoError(t, err)
		var out []string
		for _, f := range items {
			require.True(t, f.Followup)
			out = append(out, f.Text+"/"+f.WorkflowStatus)
		}
		return out
	}
	require.Equal(t, []string{"follow incident/closed", "later incident/closed"}, texts(true))
	require.Empty(t, texts(false), "without reading public channels, only one's own channels")
	_, err = s.DB().Exec(`INSERT INTO channelmembers VALUES ($1, $2, false)`, private.ChannelID, viewer)
	require.NoError(t, err)
	require.Equal(t, []string{"follow incident/closed", "follow security/active", "later incident/closed", "later security/active"}, texts(true))

	_, _, err = s.UpdateTask(ctx, public.ID, 2, func(_ *app.Workflow, t *app.Task) ([]app.TimelineEvent, error) {
		t.Done, t.DoneBy, t.DoneAt = true, viewer, 400
		return []app.TimelineEvent{{Type: app.EventTaskDone, Summary: "Follow-up #2 done after the close"}}, nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{"follow security/active", "later incident/closed", "later security/active"}, texts(true))
}
