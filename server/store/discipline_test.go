package store

import (
	"context"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// users inserts active users by username and returns their ids.
func users(t *testing.T, s *Store, names ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, n := range names {
		ids[n] = model.NewId()
		_, err := s.DB().Exec(`INSERT INTO users (id, username, roles) VALUES ($1, $2, 'system_user')`, ids[n], n)
		require.NoError(t, err)
	}
	return ids
}

func rename(t *testing.T, s *Store, id, username string) {
	t.Helper()
	_, err := s.DB().Exec(`UPDATE users SET username = $2 WHERE id = $1`, id, username)
	require.NoError(t, err)
}

func requireDiscipline(t *testing.T, s *Store, userID string, d app.Discipline, source app.DisciplineSource) {
	t.Helper()
	got, err := s.DisciplineOf(context.Background(), userID)
	require.NoError(t, err)
	require.Equal(t, d, got.Discipline)
	require.Equal(t, source, got.Source)
	require.Equal(t, source == app.SourceMapped || source == app.SourceGranted, got.Verified)
}

func TestDisciplinePrecedence(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	id := users(t, s, "ada", "bob")
	requireDiscipline(t, s, id["ada"], "", app.SourceNone)

	require.NoError(t, s.SetDiscipline(ctx, id["ada"], app.QA))
	require.NoError(t, s.SetDiscipline(ctx, id["ada"], app.Security))
	requireDiscipline(t, s, id["ada"], app.Security, app.SourceDeclared)

	_, granted, err := s.GrantDiscipline(ctx, id["ada"], app.Operations, id["bob"], 42)
	require.NoError(t, err)
	require.True(t, granted)
	requireDiscipline(t, s, id["ada"], app.Operations, app.SourceGranted)
	got, err := s.DisciplineOf(ctx, id["ada"])
	require.NoError(t, err)
	require.Equal(t, id["bob"], got.GrantedBy)
	require.Equal(t, int64(42), got.GrantedAt)

	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{"ada": app.Designer}, 1))
	requireDiscipline(t, s, id["ada"], app.Designer, app.SourceMapped)

	all, err := s.DisciplinesOf(ctx, []string{id["ada"], id["bob"], "nobody"})
	require.NoError(t, err)
	require.Len(t, all, 1, "only people with a discipline")
	require.Equal(t, app.SourceMapped, all[id["ada"]].Source)

	// Unmapped, the grant is back in force; revoked, the declaration.
	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{}, 2))
	requireDiscipline(t, s, id["ada"], app.Operations, app.SourceGranted)
	revoked, err := s.RevokeGrant(ctx, id["ada"], app.Operations)
	require.NoError(t, err)
	require.True(t, revoked)
	requireDiscipline(t, s, id["ada"], app.Security, app.SourceDeclared)
}

// A mapped name is bound to the person who held it when the mapping was saved: a
// rename moves nothing, also when the mapping is synced again (a restart, another
// node, another change).
func TestMappedNameStaysWithThePerson(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	id := users(t, s, "alice", "mallory")
	mapping := map[string]app.Discipline{"alice": app.QA}
	require.NoError(t, s.SyncDisciplineBindings(ctx, mapping, 1))
	requireDiscipline(t, s, id["alice"], app.QA, app.SourceMapped)

	rename(t, s, id["alice"], "alice2")
	rename(t, s, id["mallory"], "alice")
	require.NoError(t, s.SyncDisciplineBindings(ctx, mapping, 2))
	requireDiscipline(t, s, id["alice"], app.QA, app.SourceMapped)
	requireDiscipline(t, s, id["mallory"], "", app.SourceNone)

	// A new discipline for the name goes to the bound person.
	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{"alice": app.Security}, 3))
	requireDiscipline(t, s, id["alice"], app.Security, app.SourceMapped)
	requireDiscipline(t, s, id["mallory"], "", app.SourceNone)

	// Removed, the name is unbound; mapped again, it binds whoever holds it now.
	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{}, 4))
	requireDiscipline(t, s, id["alice"], "", app.SourceNone)
	require.NoError(t, s.SyncDisciplineBindings(ctx, mapping, 5))
	requireDiscipline(t, s, id["mallory"], app.QA, app.SourceMapped)
	requireDiscipline(t, s, id["alice"], "", app.SourceNone)
}

// Every node of a cluster syncs the same mapping at once: each name ends bound once.
func TestSyncDisciplineBindingsConcurrently(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	id := users(t, s, "a1", "a2", "a3")
	mapping := map[string]app.Discipline{"a1": app.QA, "a2": app.Security, "a3": app.Operations, "ghost": app.QA}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, s.SyncDisciplineBindings(ctx, mapping, 1))
		}()
	}
	wg.Wait()
	var rows int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM devops_discipline_bindings`).Scan(&rows))
	require.Equal(t, 3, rows, "one binding per known name; the unknown one is not bound")
	requireDiscipline(t, s, id["a2"], app.Security, app.SourceMapped)
}

func TestUnknownUsernames(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	id := users(t, s, "alice", "gone")
	_, err := s.DB().Exec(`UPDATE users SET deleteat = 1 WHERE id = $1`, id["gone"])
	require.NoError(t, err)
	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{"alice": app.QA}, 1))
	rename(t, s, id["alice"], "alice2")

	unknown, err := s.UnknownUsernames(ctx, []string{"alice", "alice2", "gone", "zed", "bob"})
	require.NoError(t, err)
	require.Equal(t, []string{"bob", "gone", "zed"}, unknown, "a bound name is known after its person renamed; a deactivated user is not")
	unknown, err = s.UnknownUsernames(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, unknown)
}

func TestGrants(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	id := users(t, s, "ada", "bob", "cy")

	held, granted, err := s.GrantDiscipline(ctx, id["ada"], app.QA, id["bob"], 10)
	require.NoError(t, err)
	require.True(t, granted)
	require.Equal(t, app.QA, held.Discipline)

	// One grant per person: a second one reports the grant held and changes nothing.
	held, granted, err = s.GrantDiscipline(ctx, id["ada"], app.Security, id["cy"], 20)
	require.NoError(t, err)
	require.False(t, granted)
	require.Equal(t, app.UserDiscipline{Discipline: app.QA, Source: app.SourceGranted, Verified: true, GrantedBy: id["bob"], GrantedAt: 10}, held)

	revoked, err := s.RevokeGrant(ctx, id["ada"], app.Security)
	require.NoError(t, err)
	require.False(t, revoked, "a revocation of another discipline than the one held does nothing")
	g, err := s.GetGrant(ctx, id["ada"])
	require.NoError(t, err)
	require.Equal(t, app.QA, g.Discipline)

	revoked, err = s.RevokeGrant(ctx, id["ada"], app.QA)
	require.NoError(t, err)
	require.True(t, revoked)
	g, err = s.GetGrant(ctx, id["ada"])
	require.NoError(t, err)
	require.Equal(t, app.SourceNone, g.Source)
}

func TestVerifiedHolders(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, channel := model.NewId(), model.NewId()
	id := users(t, s, "actor", "zoe", "yann", "xia", "wil", "declared", "stranger", "left")
	for _, n := range []string{"actor", "zoe", "yann", "xia", "wil", "declared"} {
		_, err := s.DB().Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, id[n])
		require.NoError(t, err)
	}
	_, err := s.DB().Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 5)`, team, id["left"])
	require.NoError(t, err)
	_, err = s.DB().Exec(`INSERT INTO channelmembers VALUES ($1, $2, false)`, channel, id["zoe"])
	require.NoError(t, err)
	for _, n := range []string{"actor", "yann", "xia", "stranger", "left"} {
		_, _, err := s.GrantDiscipline(ctx, id[n], app.Security, id["actor"], 1)
		require.NoError(t, err)
	}
	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{"zoe": app.Security, "wil": app.QA}, 1))
	require.NoError(t, s.SetDiscipline(ctx, id["declared"], app.Security))

	got, err := s.VerifiedHolders(ctx, app.Security, team, channel, id["actor"], 3)
	require.NoError(t, err)
	require.Equal(t, []string{"zoe", "xia", "yann"}, got, "the channel's members first, then by name; not the actor, "+
		"not declared, not another discipline, not outside the team")
	got, err = s.VerifiedHolders(ctx, app.Security, team, channel, id["actor"], 1)
	require.NoError(t, err)
	require.Equal(t, []string{"zoe"}, got)
}

func TestSignoffKeepsItsSource(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "release", 1, 1)
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	_, err := s.UpdateWorkflow(ctx, w.ID, func(cur *app.Workflow) ([]app.TimelineEvent, error) {
		cur.Signoffs = append(cur.Signoffs,
			app.Signoff{Stage: "production", Discipline: app.QA, UserID: "u1", At: 1, Source: app.SourceGranted},
			app.Signoff{Stage: "production", Discipline: app.Security, UserID: "u2", At: 2, Source: app.SourceDeclared})
		return nil, nil
	})
	require.NoError(t, err)
	got, err := s.GetWorkflow(ctx, w.ID)
	require.NoError(t, err)
	require.Len(t, got.Signoffs, 2)
	require.Equal(t, app.SourceGranted, got.Signoffs[0].Source)
	require.Equal(t, app.SourceDeclared, got.Signoffs[1].Source)
}

// The viewer's discipline comes with the workflow, in the same query: a mapping
// bound to the viewer wins over what they declared.
func TestViewerFactsCarryTheDisciplineSource(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "release", 1, 1)
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	id := users(t, s, "qa1")
	require.NoError(t, s.SetDiscipline(ctx, id["qa1"], app.Designer))
	require.NoError(t, s.SyncDisciplineBindings(ctx, map[string]app.Discipline{"qa1": app.QA}, 1))
	got, err := s.GetWorkflowFor(ctx, "id", w.ID, id["qa1"])
	require.NoError(t, err)
	require.Equal(t, app.QA, got.Viewer.Discipline)
	require.Equal(t, app.SourceMapped, got.Viewer.DisciplineSource)
	facts, _, err := s.StartFacts(ctx, w.TeamID, "release", id["qa1"], true, 1)
	require.NoError(t, err)
	require.Equal(t, app.SourceMapped, facts.DisciplineSource)
}
