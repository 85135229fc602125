package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

func newRotation(team, name string, members ...string) *app.Rotation {
	return &app.Rotation{ID: model.NewId(), TeamID: team, Name: name, MemberIDs: members, Shift: 7 * 24 * time.Hour,
		HandoffMinute: 540, Timezone: "UTC", EscalateAfter: 5 * time.Minute, CreatedBy: "admin", CreatedAt: 1000, UpdatedAt: 1000}
}

func TestRotationsAreUniquePerTeamAndRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, a, b := model.NewId(), model.NewId(), model.NewId()
	r := newRotation(team, "Platform", a, b)
	r.Discipline, r.FollowTheSun, r.EscalateTo = app.Operations, true, []string{"user:" + b}
	require.NoError(t, s.CreateRotation(ctx, r))
	require.ErrorIs(t, s.CreateRotation(ctx, newRotation(team, "platform", a)), app.ErrDuplicate, "names are unique per team, in any case")
	require.NoError(t, s.CreateRotation(ctx, newRotation(model.NewId(), "platform", a)), "another team may use the name")
	require.NoError(t, s.CreateRotation(ctx, newRotation(team, "app", b)))

	got, err := s.GetRotationByName(ctx, team, "PLATFORM")
	require.NoError(t, err)
	require.Equal(t, r, got)
	list, err := s.ListRotations(ctx, team)
	require.NoError(t, err)
	require.Equal(t, []string{"app", "Platform"}, []string{list[0].Name, list[1].Name}, "by name")

	got.MemberIDs = []string{b}
	got.Name = "app"
	require.ErrorIs(t, s.UpdateRotation(ctx, got), app.ErrDuplicate)
	got.Name = "platform-primary"
	require.NoError(t, s.UpdateRotation(ctx, got))
	again, err := s.GetRotation(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, []string{b}, again.MemberIDs)

	require.NoError(t, s.AddOverride(ctx, &app.Override{ID: model.NewId(), RotationID: r.ID, UserID: a, StartsAt: 100, EndsAt: 200, CreatedBy: b, CreatedAt: 100}))
	require.NoError(t, s.AddOverride(ctx, &app.Override{ID: model.NewId(), RotationID: r.ID, UserID: b, StartsAt: 150, EndsAt: 500, CreatedBy: a, CreatedAt: 150}))
	ov, err := s.Overrides(ctx, []string{r.ID}, 300)
	require.NoError(t, err)
	require.Len(t, ov, 1, "only overrides that end later count")
	require.Equal(t, b, ov[0].UserID)

	require.NoError(t, s.DeleteRotation(ctx, r.ID))
	_, err = s.GetRotation(ctx, r.ID)
	require.ErrorIs(t, err, app.ErrNotFound)
	require.ErrorIs(t, s.DeleteRotation(ctx, r.ID), app.ErrNotFound)
	ov, err = s.Overrides(ctx, []string{r.ID}, 0)
	require.NoError(t, err)
	require.Empty(t, ov, "overrides go with their rotation")
}

func newPage(plan ...[]string) *app.Page {
	return &app.Page{ID: model.NewId(), TeamID: model.NewId(), Target: "rotation:db", Message: "db down", CreatedBy: "lead",
		CreatedAt: 1000, Status: app.PageOpen, Plan: plan, EscalateAfter: time.Minute, NextStepAt: 2000}
}

func notes(p *app.Page, step int, at int64) []app.PageNotification {
	var out []app.PageNotification
	for _, id := range p.Plan[step] {
		out = append(out, app.PageNotification{PageID: p.ID, Step: step, UserID: id, At: at})
	}
	return out
}

// Nodes ticking together claim each step once: one claim wins, the others see the
// page moved on and record nothing.
func TestPageStepsAreClaimedOnceAcrossConcurrentTicks(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 500)
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	p := newPage([]string{"ann"}, []string{"bob"}, []string{"cho", "dan"})
	p.WorkflowID = w.ID
	require.NoError(t, s.CreatePage(ctx, p, notes(p, 0, 1000), &app.TimelineEvent{WorkflowID: w.ID, Type: app.EventPage, Summary: "paged"}))

	due, err := s.DuePages(ctx, 1999, 10)
	require.NoError(t, err)
	require.Empty(t, due, "not due before next_step_at")
	due, err = s.DuePages(ctx, 2000, 10)
	require.NoError(t, err)
	require.Len(t, due, 1)
	require.Equal(t, [][]string{{"ann"}, {"bob"}, {"cho", "dan"}}, due[0].Plan)

	for step, next := range map[int]int64{1: 3000, 2: 0} {
		var wg sync.WaitGroup
		won := make(chan bool, 8)
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ClaimPageStep(ctx, p.ID, step-1, next, notes(p, step, int64(2000*step)),
					&app.TimelineEvent{WorkflowID: w.ID, Type: app.EventPageEscalated, Summary: "escalated"})
				won <- ok
				errs <- err
			}()
		}
		wg.Wait()
		close(won)
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		wins := 0
		for ok := range won {
			if ok {
				wins++
			}
		}
		require.Equal(t, 1, wins, "step %d is claimed once", step)
	}
	got, err := s.GetPage(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, 2, got.Step)
	require.Zero(t, got.NextStepAt, "the last step leaves nothing due")
	require.Len(t, got.Notified, 4, "ann, bob, cho and dan, once each")
	events, _, err := s.ListTimeline(ctx, w.ID, "", 50, false)
	require.NoError(t, err)
	escalated := 0
	for _, ev := range events {
		if ev.Type == app.EventPageEscalated {
			escalated++
		}
	}
	require.Equal(t, 2, escalated, "one event per step")

	pending, err := s.PendingPageNotifications(ctx, 10_000, 10)
	require.NoError(t, err)
	require.Len(t, pending, 4, "none delivered yet")
	require.NoError(t, s.PageDelivered(ctx, pending[0], "post1"))
	pending, err = s.PendingPageNotifications(ctx, 10_000, 10)
	require.NoError(t, err)
	require.Len(t, pending, 3)
	pending, err = s.PendingPageNotifications(ctx, 1000, 10)
	require.NoError(t, err)
	require.Empty(t, pending, "only notifications claimed before the cut-off")
}

// An acknowledgement stops the escalation: a tick that read the page before it claims nothing.
func TestAcknowledgedPagesDoNotEscalate(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	p := newPage([]string{"ann"}, []string{"bob"})
	require.NoError(t, s.CreatePage(ctx, p, notes(p, 0, 1000), nil))
	open, err := s.OpenPagesFor(ctx, "ann", 1)
	require.NoError(t, err)
	require.Len(t, open, 1)

	ok, err := s.AcknowledgePage(ctx, p.ID, "ann", 1500, nil)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.AcknowledgePage(ctx, p.ID, "bob", 1600, nil)
	require.NoError(t, err)
	require.False(t, ok, "acknowledged once")
	ok, err = s.ClaimPageStep(ctx, p.ID, 0, 0, notes(p, 1, 2000), nil)
	require.NoError(t, err)
	require.False(t, ok, "an acknowledged page does not escalate")
	due, err := s.DuePages(ctx, 10_000, 10)
	require.NoError(t, err)
	require.Empty(t, due)
	got, err := s.GetPage(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, app.PageAcknowledged, got.Status)
	require.Equal(t, "ann", got.AcknowledgedBy)
	require.EqualValues(t, 1500, got.AcknowledgedAt)
	require.Len(t, got.Notified, 1)
	open, err = s.OpenPagesFor(ctx, "ann", 1)
	require.NoError(t, err)
	require.Empty(t, open)
}
