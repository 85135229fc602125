package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

func usernamesOf(inv []app.Invitee) []string {
	out := make([]string, len(inv))
	for i, p := range inv {
		out[i] = p.Username
	}
	return out
}

// A start's invites are chosen in the stated order, capped per discipline, recorded
// with the workflow, and taken over by a later drain only once they are stale.
func TestInvitesAreQueuedInOrderAndDrainedOnce(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, starter := teamWithMember(t, s)
	id := users(t, s, "zed", "amy", "gus", "bea", "cat", "dan", "outsider", "retired", "named", "qa-person")
	for _, n := range []string{"zed", "amy", "gus", "bea", "cat", "dan", "retired", "named", "qa-person"} {
		_, err := s.DB().Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, id[n])
		require.NoError(t, err)
	}
	_, err := s.DB().Exec(`UPDATE users SET deleteat = 99 WHERE id = $1`, id["retired"])
	require.NoError(t, err)
	_, err = s.DB().Exec(`INSERT INTO users (id, username, roles) VALUES ($1, 'starter', 'system_user')`, starter)
	require.NoError(t, err)
	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{"zed": app.Operations, "gus": app.Operations}, 1))
	_, _, err = s.GrantDiscipline(ctx, id["amy"], app.Operations, id["zed"], 2)
	require.NoError(t, err)
	for _, n := range []string{"bea", "cat", "dan", "outsider", "retired"} {
		require.NoError(t, s.SetDiscipline(ctx, id[n], app.Operations))
	}
	require.NoError(t, s.SetDiscipline(ctx, starter, app.Operations))
	require.NoError(t, s.SetDiscipline(ctx, id["qa-person"], app.QA))

	w := newWorkflow(team, "incident", 1, 1000)
	w.Status = "starting"
	w.CreatedBy, w.LeadID = starter, starter
	_, err = reserve(ctx, s.db, w, nil, w.ChannelName, 1)
	require.NoError(t, err)
	w.Status = app.StatusActive
	plan := app.InvitePlan{AddedBy: starter, Usernames: []string{"named", "zed"}, Disciplines: []app.DisciplineInvite{
		{Discipline: app.Operations, Limit: 4}, {Discipline: app.QA}}}
	inv, err := s.ActivateWorkflow(ctx, w, nil, plan)
	require.NoError(t, err)
	// Named first; then operations: mapped (gus, zed — zed already named), granted
	// (amy), declared (bea, cat); the starter, the outsider and the deactivated never.
	require.Equal(t, []string{"named", "zed", "gus", "amy", "bea", "qa-person"}, usernamesOf(inv.Invited))
	require.Equal(t, []app.LeftOut{{Discipline: app.Operations, Limit: 4, Count: 2, Usernames: []string{"cat", "dan"}}}, inv.LeftOut)

	// The start is adding them: nothing is stale yet.
	claimed, err := s.ClaimStaleInvites(ctx, 0, 1, 100)
	require.NoError(t, err)
	require.Empty(t, claimed)

	// Its node died. One of them had been added and left; the rest are to add.
	_, err = s.DB().Exec(`INSERT INTO channelmemberhistory VALUES ($1, $2, 5, 6)`, w.ChannelID, id["gus"])
	require.NoError(t, err)
	claimed, err = s.ClaimStaleInvites(ctx, nowMillis()+1, 7, 100)
	require.NoError(t, err)
	require.Len(t, claimed, 6)
	toAdd := map[string]bool{}
	for _, p := range claimed {
		require.Equal(t, w.ID, p.WorkflowID)
		require.Equal(t, w.ChannelID, p.ChannelID)
		require.Equal(t, starter, p.AddedBy)
		toAdd[p.UserID] = p.ToAdd
	}
	require.False(t, toAdd[id["gus"]], "added before the crash, and left: stays out")
	require.True(t, toAdd[id["amy"]])

	// Claimed at 7: another drain before that sees nothing to take.
	again, err := s.ClaimStaleInvites(ctx, 7, 8, 100)
	require.NoError(t, err)
	require.Empty(t, again)

	require.NoError(t, s.InvitesAdded(ctx, w.ID, []string{id["gus"], id["amy"]}))
	var left int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM devops_invites WHERE workflow_id = $1`, w.ID).Scan(&left))
	require.Equal(t, 4, left)

	// A closed workflow's invites are only forgotten.
	_, err = s.DB().Exec(`UPDATE devops_workflows SET status = 'closed' WHERE id = $1`, w.ID)
	require.NoError(t, err)
	claimed, err = s.ClaimStaleInvites(ctx, 8, 9, 100)
	require.NoError(t, err)
	require.Len(t, claimed, 4)
	for _, p := range claimed {
		require.False(t, p.ToAdd)
	}

	// A start that invites nobody records nothing.
	other := newWorkflow(team, "incident", 2, 1000)
	require.NoError(t, s.CreateWorkflow(ctx, other, nil))
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM devops_invites WHERE workflow_id = $1`, other.ID).Scan(&left))
	require.Zero(t, left)
}
