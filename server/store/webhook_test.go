package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

func TestClaimWebhookSignature(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	later := nowMillis() + time.Hour.Milliseconds()

	// Eight nodes receive the same request at once: exactly one accepts it.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimWebhookSignature(ctx, "aa", later)
			require.NoError(t, err)
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int32(1), wins.Load())

	// An expired signature is pruned by the next claim, and may be claimed again.
	ok, err := s.ClaimWebhookSignature(ctx, "bb", nowMillis()-1)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.ClaimWebhookSignature(ctx, "bb", later)
	require.NoError(t, err)
	require.True(t, ok, "an expired claim does not block")
	for range 3 {
		_, err = s.DB().Exec(`INSERT INTO devops_webhook_signatures VALUES ($1, 1, 1)`, model.NewId())
		require.NoError(t, err)
	}
	_, err = s.ClaimWebhookSignature(ctx, "cc", later)
	require.NoError(t, err)
	var left int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM devops_webhook_signatures`).Scan(&left))
	require.Equal(t, 3, left, "aa, bb and cc remain; the expired ones are gone")
}

func TestActiveWorkflowsByTitle(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, other := model.NewId(), model.NewId()
	add := func(team, typ, title string, at int64, private bool, status string) *app.Workflow {
		w := newWorkflow(team, typ, int(at), at)
		w.Title, w.Private, w.Status = title, private, status
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
		return w
	}
	rel := add(team, "release", "Release 2.4.0", 10, false, app.StatusActive)
	chg := add(other, "change", "Roll out 2.4.0 to EU", 20, true, app.StatusActive)
	add(team, "release", "Release 2.4.0 (old)", 5, false, app.StatusClosed)
	add(team, "incident", "2.4.0 broke checkout", 30, false, app.StatusActive)
	add(team, "release", "Release 2_4_0", 40, false, app.StatusActive)

	find := func(m app.TitleMatch) []string {
		items, err := s.ActiveWorkflowsByTitle(ctx, m)
		require.NoError(t, err)
		var ids []string
		for _, w := range items {
			ids = append(ids, w.ID)
		}
		return ids
	}
	require.Equal(t, []string{chg.ID, rel.ID}, find(app.TitleMatch{Types: []string{"release", "change"}, Text: "2.4.0", Limit: 10}),
		"active only, every team, newest first")
	require.Equal(t, []string{rel.ID}, find(app.TitleMatch{Types: []string{"release", "change"}, Text: "2.4.0", PublicOnly: true, Limit: 10}))
	require.Equal(t, []string{rel.ID}, find(app.TitleMatch{TeamID: team, Types: []string{"release", "change"}, Text: "2.4.0", Limit: 10}))
	require.Equal(t, []string{chg.ID}, find(app.TitleMatch{Types: []string{"release", "change"}, Text: "2.4.0", Limit: 1}))
	require.Empty(t, find(app.TitleMatch{Types: []string{"release"}, Text: "2_4%", Limit: 10}), "LIKE wildcards are literal")
	require.Empty(t, find(app.TitleMatch{Types: []string{"release"}, Text: "", Limit: 10}))
}
