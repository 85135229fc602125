package store

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

func claimRequest(team, key string, limit int) app.AlertClaimRequest {
	now := time.Now()
	return app.AlertClaimRequest{TeamID: team, GroupKey: key, Claim: model.NewId(), Now: now.UnixMilli(),
		StaleBefore: now.Add(-2 * time.Minute).UnixMilli(), WindowStart: now.Add(-app.AlertStormWindow).UnixMilli(), Limit: limit}
}

func TestClaimAlertGroupOpensOnce(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()

	// Twelve deliveries of one group at once (on any number of nodes): one opens.
	var mu sync.Mutex
	outcomes := map[string][]app.AlertClaimRequest{}
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := claimRequest(team, "g1", 10)
			c, err := s.ClaimAlertGroup(ctx, r)
			require.NoError(t, err)
			mu.Lock()
			outcomes[c.Outcome] = append(outcomes[c.Outcome], r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Len(t, outcomes[app.ClaimOpen], 1)
	require.Len(t, outcomes[app.ClaimWait], 11)
	opener := outcomes[app.ClaimOpen][0]

	w := newWorkflow(team, "incident", 1, nowMillis())
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	first := []app.SeenAlert{{Fingerprint: "a", StartsAt: 1, Status: app.AlertFiring}}
	require.NoError(t, s.SettleAlertGroup(ctx, team, "g1", opener.Claim, w.ID, true, first))

	c, err := s.ClaimAlertGroup(ctx, claimRequest(team, "g1", 10))
	require.NoError(t, err)
	require.Equal(t, app.AlertClaim{Outcome: app.ClaimAttach, WorkflowID: w.ID}, c)

	// What the first post showed is not new; a new alert and the resolution are, once.
	again := append(slices.Clone(first), app.SeenAlert{Fingerprint: "b", StartsAt: 1, Status: app.AlertFiring}, app.SeenAlert{Fingerprint: "a", StartsAt: 1, Status: app.AlertResolved})
	var fresh [][]app.SeenAlert
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.SeeAlerts(ctx, w.ID, again)
			require.NoError(t, err)
			mu.Lock()
			fresh = append(fresh, got)
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, 2, len(fresh[0])+len(fresh[1]), "each new state goes to one of two concurrent deliveries")

	// Closed: the group's next firing opens a new incident.
	_, err = s.DB().Exec(`UPDATE devops_workflows SET status = 'closed' WHERE id = $1`, w.ID)
	require.NoError(t, err)
	c, err = s.ClaimAlertGroup(ctx, claimRequest(team, "g1", 10))
	require.NoError(t, err)
	require.Equal(t, app.ClaimOpen, c.Outcome)
}

func TestClaimAlertGroupReleaseAndStale(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	r := claimRequest(team, "g", 1)
	c, err := s.ClaimAlertGroup(ctx, r)
	require.NoError(t, err)
	require.Equal(t, app.ClaimOpen, c.Outcome)
	// The open failed: released, and not counted against the cap of 1.
	require.NoError(t, s.ReleaseAlertGroup(ctx, team, "g", r.Claim))
	c, err = s.ClaimAlertGroup(ctx, claimRequest(team, "g", 1))
	require.NoError(t, err)
	require.Equal(t, app.ClaimOpen, c.Outcome)

	// A claim whose node died (older than StaleBefore) is taken over.
	late := claimRequest(team, "g", 0)
	late.StaleBefore = late.Now + 1
	c, err = s.ClaimAlertGroup(ctx, late)
	require.NoError(t, err)
	require.Equal(t, app.ClaimOpen, c.Outcome)
}

func TestClaimAlertGroupStormCap(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, other := model.NewId(), model.NewId()
	settle := func(r app.AlertClaimRequest, seq int) string {
		w := newWorkflow(r.TeamID, "incident", seq, nowMillis())
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
		require.NoError(t, s.SettleAlertGroup(ctx, r.TeamID, r.GroupKey, r.Claim, w.ID, true, nil))
		return w.ID
	}
	for i, key := range []string{"a", "b"} {
		r := claimRequest(team, key, 2)
		c, err := s.ClaimAlertGroup(ctx, r)
		require.NoError(t, err)
		require.Equal(t, app.ClaimOpen, c.Outcome)
		settle(r, i+1)
	}
	// The third group in the window: the storm, which it opens.
	third := claimRequest(team, "c", 2)
	c, err := s.ClaimAlertGroup(ctx, third)
	require.NoError(t, err)
	require.Equal(t, app.AlertClaim{Outcome: app.ClaimOpenStorm, Storm: true}, c)
	// A fourth meanwhile waits for the storm.
	fourth := claimRequest(team, "d", 2)
	c, err = s.ClaimAlertGroup(ctx, fourth)
	require.NoError(t, err)
	require.Equal(t, app.AlertClaim{Outcome: app.ClaimWait, Storm: true}, c)
	// Another team has a cap of its own.
	c, err = s.ClaimAlertGroup(ctx, claimRequest(other, "c", 2))
	require.NoError(t, err)
	require.Equal(t, app.ClaimOpen, c.Outcome)

	storm := newWorkflow(team, "incident", 3, nowMillis())
	require.NoError(t, s.CreateWorkflow(ctx, storm, nil))
	require.NoError(t, s.SettleAlertGroup(ctx, team, "c", third.Claim, storm.ID, false, nil))
	for _, key := range []string{"c", "d", "e"} {
		c, err = s.ClaimAlertGroup(ctx, claimRequest(team, key, 2))
		require.NoError(t, err)
		require.Equal(t, app.AlertClaim{Outcome: app.ClaimAttach, WorkflowID: storm.ID, Storm: true}, c, key)
	}
	// Opens older than the window no longer count.
	_, err = s.DB().Exec(`UPDATE devops_alert_opens SET opened_at = opened_at - $1`, (11 * time.Minute).Milliseconds())
	require.NoError(t, err)
	c, err = s.ClaimAlertGroup(ctx, claimRequest(team, "f", 2))
	require.NoError(t, err)
	require.Equal(t, app.ClaimOpen, c.Outcome)
}

func TestServiceCatalog(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, other := model.NewId(), model.NewId()
	svc := &app.CatalogService{ID: model.NewId(), TeamID: team, Name: "Checkout-API", OwnerIDs: []string{"u1", "u2"}, OwnerDiscipline: "operations",
		Rotation: "payments", Repository: "https://git.example.com/checkout", Tier: "1", CreatedBy: "u1", CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, s.AddService(ctx, svc))
	dup := *svc
	dup.ID, dup.Name = model.NewId(), "checkout-api"
	require.ErrorIs(t, s.AddService(ctx, &dup), app.ErrDuplicate, "names are unique per team in any case")
	dup.TeamID = other
	require.NoError(t, s.AddService(ctx, &dup), "another team may have the same name")

	got, err := s.ServiceByName(ctx, team, "CHECKOUT-api")
	require.NoError(t, err)
	require.Equal(t, svc, got)
	named, err := s.ServicesNamed(ctx, "checkout-api")
	require.NoError(t, err)
	require.Len(t, named, 2)

	got.OwnerIDs, got.Tier, got.UpdatedAt = []string{}, "2", 2
	require.NoError(t, s.UpdateService(ctx, got))
	again, err := s.GetService(ctx, svc.ID)
	require.NoError(t, err)
	require.Equal(t, got, again)
	list, err := s.ListServices(ctx, team)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.NoError(t, s.DeleteService(ctx, svc.ID))
	_, err = s.GetService(ctx, svc.ID)
	require.ErrorIs(t, err, app.ErrNotFound)
}
