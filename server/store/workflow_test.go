package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// newTestStore is a migrated store on a fresh database. Mattermost's tables that the
// queries read (memberships, users, channel names) are created with the columns
// they read; the e2e tests run the same query on the real table.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	s := New(pgtestDB(t))
	_, err := s.Migrate(context.Background())
	require.NoError(t, err)
	for _, ddl := range []string{
		`CREATE TABLE channelmembers (channelid VARCHAR(26), userid VARCHAR(26), schemeadmin BOOLEAN, PRIMARY KEY (channelid, userid))`,
		`CREATE TABLE teammembers (teamid VARCHAR(26), userid VARCHAR(26), schemeadmin BOOLEAN, deleteat BIGINT, PRIMARY KEY (teamid, userid))`,
		`CREATE TABLE users (id VARCHAR(26) PRIMARY KEY, username VARCHAR(64), roles VARCHAR(256), deleteat BIGINT DEFAULT 0, timezone JSONB,
			firstname VARCHAR(64) DEFAULT '', lastname VARCHAR(64) DEFAULT '', nickname VARCHAR(64) DEFAULT '')`,
		`CREATE TABLE bots (userid VARCHAR(26) PRIMARY KEY)`,
		`CREATE TABLE channels (id VARCHAR(26) PRIMARY KEY, teamid VARCHAR(26), name VARCHAR(64), displayname VARCHAR(64), deleteat BIGINT DEFAULT 0, type VARCHAR(1) DEFAULT 'O', UNIQUE (name, teamid))`,
		`CREATE TABLE channelmemberhistory (channelid VARCHAR(26), userid VARCHAR(26), jointime BIGINT, leavetime BIGINT, PRIMARY KEY (channelid, userid, jointime))`,
	} {
		_, err = s.DB().Exec(ddl)
		require.NoError(t, err)
	}
	return s
}

func newWorkflow(team, typ string, seq int, at int64) *app.Workflow {
	return &app.Workflow{
		ID: model.NewId(), TeamID: team, ChannelID: model.NewId(), ChannelName: fmt.Sprintf("%s-%d", typ, seq),
		Type: typ, Seq: seq, Title: fmt.Sprintf("%s %d", typ, seq), Stage: "triage", Status: app.StatusActive,
		LeadID: "lead", CreatedBy: "lead", Roles: map[string]string{"commander": "lead"},
		CreatedAt: at, UpdatedAt: at, StageEnteredAt: at,
	}
}

func TestCreateGetAndList(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	viewer := model.NewId()
	var all []*app.Workflow
	for i := 1; i <= 7; i++ {
		w := newWorkflow(team, "incident", i, int64(1000+i))
		w.Private = i == 3
		require.NoError(t, s.CreateWorkflow(ctx, w, []app.TimelineEvent{{Type: app.EventCreated, ActorID: "lead"}}))
		all = append(all, w)
	}
	require.NoError(t, s.CreateWorkflow(ctx, newWorkflow(model.NewId(), "incident", 1, 5), nil), "another team's workflow")
	_, err := s.DB().Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, viewer)
	require.NoError(t, err)
	_, _, err = s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: model.NewId(), PerPage: 5})
	require.ErrorIs(t, err, app.ErrNotTeamMember)

	got, err := s.GetWorkflow(ctx, all[0].ID)
	require.NoError(t, err)
	require.Equal(t, "lead", got.Roles["commander"])
	require.Empty(t, got.Signoffs)
	_, err = s.GetWorkflow(ctx, model.NewId())
	require.True(t, errors.Is(err, app.ErrNotFound))

	// Newest first, private hidden from non-members, pages of 2 without repeats.
	var ids []string
	cursor := ""
	for {
		page, next, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 2, Cursor: cursor})
		require.NoError(t, err)
		for _, w := range page {
			ids = append(ids, w.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	require.Equal(t, []string{all[6].ID, all[5].ID, all[4].ID, all[3].ID, all[1].ID, all[0].ID}, ids)

	_, err = s.DB().Exec(`INSERT INTO channelmembers VALUES ($1, $2, false)`, all[2].ChannelID, viewer)
	require.NoError(t, err)
	mine, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, Mine: true, PerPage: 50})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.Equal(t, all[2].ID, mine[0].ID)

	found, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, Query: "incident 5", PerPage: 50})
	require.NoError(t, err)
	require.Len(t, found, 1)
	require.Equal(t, map[string]string{"commander": "lead"}, found[0].Roles)

	_, err = s.DB().Exec(`INSERT INTO users VALUES ('lead', 'leia', 'system_user')`)
	require.NoError(t, err)
	brief, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, Query: "incident 5", PerPage: 50, Brief: true})
	require.NoError(t, err)
	require.Len(t, brief, 1)
	want := *all[4]
	want.Roles, want.Signoffs, want.CreatedBy, want.UpdatedAt, want.StageEnteredAt = nil, nil, "", 0, 0
	want.LeadUsername = "leia"
	require.Equal(t, &want, brief[0], "a brief listing has the listing's fields and the lead's name, no more")
	// The channel's display name comes from Mattermost's channel, and whether the
	// viewer is in it from its members.
	_, err = s.DB().Exec(`INSERT INTO channels VALUES ($1, $2, $3, 'Incident 5: Renamed by a user')`, all[4].ChannelID, team, all[4].ChannelName)
	require.NoError(t, err)
	_, err = s.DB().Exec(`INSERT INTO channelmembers VALUES ($1, $2, false)`, all[4].ChannelID, viewer)
	require.NoError(t, err)
	brief, _, err = s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 50, Brief: true})
	require.NoError(t, err)
	joined := map[string]bool{}
	for _, w := range brief {
		joined[w.ID] = w.ViewerInChannel
		if w.ID == all[4].ID {
			require.Equal(t, "Incident 5: Renamed by a user", w.ChannelDisplayName)
		} else {
			require.Empty(t, w.ChannelDisplayName, "no channel row, no display name")
		}
	}
	require.Equal(t, map[string]bool{all[0].ID: false, all[1].ID: false, all[2].ID: true, all[3].ID: false,
		all[4].ID: true, all[5].ID: false, all[6].ID: false}, joined)
	briefPage, next, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 4, Brief: true})
	require.NoError(t, err)
	require.Equal(t, []string{all[6].ID, all[5].ID, all[4].ID, all[3].ID}, []string{briefPage[0].ID, briefPage[1].ID, briefPage[2].ID, briefPage[3].ID})
	require.NotEmpty(t, next)
	empty, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, Query: "no such title", PerPage: 5, Brief: true})
	require.NoError(t, err, "an empty page for a team member is no refusal")
	require.Empty(t, empty)
	_, _, err = s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: model.NewId(), PerPage: 5, Brief: true})
	require.ErrorIs(t, err, app.ErrNotTeamMember)
	_, _, err = s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, Cursor: "%%%", PerPage: 5})
	var refusal *app.Error
	require.ErrorAs(t, err, &refusal)

	// One who may not read the team's public channels (a guest) lists only the
	// workflows of channels they are in.
	for _, brief := range []bool{false, true} {
		guest, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, PerPage: 50, Brief: brief})
		require.NoError(t, err)
		require.ElementsMatch(t, []string{all[2].ID, all[4].ID}, idsOf(guest), "brief %v", brief)
	}

	// Privacy follows the channel: a public workflow whose channel Mattermost made
	// private is private to every read at once, and hidden from non-members.
	_, err = s.DB().Exec(`INSERT INTO channels (id, teamid, name, type) VALUES ($1, $2, $3, 'P')`, all[5].ChannelID, team, all[5].ChannelName)
	require.NoError(t, err)
	got, err = s.GetWorkflow(ctx, all[5].ID)
	require.NoError(t, err)
	require.True(t, got.Private)
	for _, brief := range []bool{false, true} {
		listed, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 50, Brief: brief})
		require.NoError(t, err)
		require.NotContains(t, idsOf(listed), all[5].ID, "brief %v", brief)
		require.Contains(t, idsOf(listed), all[6].ID, "brief %v", brief)
	}
	_, err = s.DB().Exec(`UPDATE channels SET type = 'O' WHERE id = $1`, all[5].ChannelID)
	require.NoError(t, err)
	listed, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 50, Brief: true})
	require.NoError(t, err)
	require.Contains(t, idsOf(listed), all[5].ID, "made public again, it is listed again")
}

func idsOf(ws []*app.Workflow) []string {
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return ids
}

func TestNextSeqIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	const n = 32
	seqs := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seq, err := s.NextSeq(ctx, team, "release")
			require.NoError(t, err)
			seqs <- seq
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[int]bool{}
	for seq := range seqs {
		require.False(t, seen[seq], "sequence %d allocated twice", seq)
		seen[seq] = true
	}
	require.Len(t, seen, n)
	other, err := s.NextSeq(ctx, team, "incident")
	require.NoError(t, err)
	require.Equal(t, 1, other, "each type counts on its own")
}

func TestUpdateWorkflowSerialisesWriters(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 1)
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))

	// 16 writers each append a sign-off and an event; none is lost, each sees the last.
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateWorkflow(ctx, w.ID, func(cur *app.Workflow) ([]app.TimelineEvent, error) {
				cur.Signoffs = append(cur.Signoffs, app.Signoff{Stage: fmt.Sprintf("s%d", i), Discipline: app.QA, UserID: "u", At: int64(i)})
				cur.Summary += "x"
				return []app.TimelineEvent{{Type: app.EventSignoff, ActorID: "u"}}, nil
			})
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	got, err := s.GetWorkflow(ctx, w.ID)
	require.NoError(t, err)
	require.Len(t, got.Signoffs, 16)
	require.Len(t, got.Summary, 16, "every writer saw the previous one's change")
	events, _, err := s.ListTimeline(ctx, w.ID, "", 100, false)
	require.NoError(t, err)
	require.Len(t, events, 16)

	// A refusal inside fn changes nothing.
	_, err = s.UpdateWorkflow(ctx, w.ID, func(cur *app.Workflow) ([]app.TimelineEvent, error) {
		cur.Stage = "resolved"
		return nil, errors.New("refused")
	})
	require.Error(t, err)
	got, err = s.GetWorkflow(ctx, w.ID)
	require.NoError(t, err)
	require.Equal(t, "triage", got.Stage)
}

// A change is decided holding no connection: with a pool of one, fn can still read
// through the store (the service asks Mattermost there, which may take long). A
// transaction around fn would wait for the pool's only connection forever.
func TestChangesHoldNoConnectionWhileDeciding(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 1)
	w.NewTasks = []*app.Task{{Text: "page the on-call", CreatedBy: "lead"}}
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	s.DB().SetMaxOpenConns(1)

	_, err := s.UpdateWorkflow(ctx, w.ID, func(cur *app.Workflow) ([]app.TimelineEvent, error) {
		other, err := s.GetWorkflow(ctx, cur.ID)
		if err != nil {
			return nil, err
		}
		cur.Summary = "read " + other.Stage
		return nil, nil
	})
	require.NoError(t, err)
	_, task, err := s.UpdateTask(ctx, w.ID, 1, func(cur *app.Workflow, t *app.Task) ([]app.TimelineEvent, error) {
		if _, err := s.ListTasks(ctx, cur.ID); err != nil {
			return nil, err
		}
		t.Done, t.DoneBy = true, "lead"
		return nil, nil
	})
	require.NoError(t, err)
	require.True(t, task.Done)
	got, err := s.GetWorkflow(ctx, w.ID)
	require.NoError(t, err)
	require.Equal(t, "read triage", got.Summary)
}

// Two people finishing the same task at once: one succeeds, the other's fn runs again
// on the finished task and refuses.
func TestUpdateTaskDecidesAgainOnTheNewState(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 1)
	w.NewTasks = []*app.Task{{Text: "roll back", CreatedBy: "lead"}}
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))

	var done, refused atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.UpdateTask(ctx, w.ID, 1, func(_ *app.Workflow, t *app.Task) ([]app.TimelineEvent, error) {
				if t.Done {
					return nil, errors.New("already done")
				}
				t.Done = true
				return []app.TimelineEvent{{Type: app.EventTaskDone, ActorID: "u"}}, nil
			})
			if err != nil {
				refused.Add(1)
				return
			}
			done.Add(1)
		}()
	}
	wg.Wait()
	require.Equal(t, int32(1), done.Load())
	require.Equal(t, int32(7), refused.Load())
	events, _, err := s.ListTimeline(ctx, w.ID, "", 100, false)
	require.NoError(t, err)
	require.Len(t, events, 1)
}

func TestGetWorkflowForReadsTheViewer(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 1)
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	admin, member, stranger := model.NewId(), model.NewId(), model.NewId()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users VALUES ($1, 'ada', 'system_user system_admin'), ($2, 'bob', 'system_user'), ($3, 'eve', 'system_user')`, []any{admin, member, stranger}},
		{`INSERT INTO teammembers VALUES ($1, $2, true, 0), ($1, $3, false, 0), ($1, $4, false, 123)`, []any{w.TeamID, admin, member, stranger}},
		{`INSERT INTO channelmembers VALUES ($1, $2, true)`, []any{w.ChannelID, member}},
	} {
		_, err := s.DB().Exec(q.sql, q.args...)
		require.NoError(t, err)
	}
	require.NoError(t, s.SetDiscipline(ctx, member, app.QA))

	got, err := s.GetWorkflowFor(ctx, "channel", w.ChannelID, member)
	require.NoError(t, err)
	require.Equal(t, w.ID, got.ID)
	require.Equal(t, &app.Viewer{ID: member, ChannelMember: true, TeamMember: true, Username: "bob",
		Discipline: app.QA, DisciplineSource: app.SourceDeclared}, got.Viewer)

	got, err = s.GetWorkflowFor(ctx, "id", w.ID, admin)
	require.NoError(t, err)
	require.Equal(t, &app.Viewer{ID: admin, TeamMember: true, Username: "ada"}, got.Viewer, "roles are Mattermost's to judge, not read here")

	got, err = s.GetWorkflowFor(ctx, "id", w.ID, stranger)
	require.NoError(t, err)
	require.False(t, got.Viewer.TeamMember, "a member who left the team is not one")

	_, err = s.GetWorkflowFor(ctx, "id", model.NewId(), member)
	require.ErrorIs(t, err, app.ErrNotFound)
}

func TestStartFactsReadsTheStarterAndTheCandidates(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, other := model.NewId(), model.NewId()
	starter, left := model.NewId(), model.NewId()
	open := newWorkflow(team, "incident", 1, 10)
	hidden := newWorkflow(team, "incident", 2, 20)
	hidden.Private = true
	mine := newWorkflow(team, "incident", 3, 30)
	mine.Private = true
	closed := newWorkflow(team, "incident", 4, 40)
	closed.Status = app.StatusClosed
	for _, w := range []*app.Workflow{open, hidden, mine, closed, newWorkflow(team, "release", 1, 50), newWorkflow(other, "incident", 1, 60)} {
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users VALUES ($1, 'ada', 'system_user system_admin'), ($2, 'bob', 'system_user')`, []any{starter, left}},
		{`INSERT INTO teammembers VALUES ($1, $2, false, 0), ($1, $3, false, 99)`, []any{team, starter, left}},
		{`INSERT INTO channelmembers VALUES ($1, $2, false)`, []any{mine.ChannelID, starter}},
	} {
		_, err := s.DB().Exec(q.sql, q.args...)
		require.NoError(t, err)
	}
	require.NoError(t, s.SetDiscipline(ctx, starter, app.Operations))

	facts, active, err := s.StartFacts(ctx, team, "incident", starter, true, 10)
	require.NoError(t, err)
	require.Equal(t, &app.Viewer{ID: starter, TeamMember: true, Username: "ada",
		Discipline: app.Operations, DisciplineSource: app.SourceDeclared}, facts)
	var ids []string
	for _, w := range active {
		require.NotEmpty(t, w.Title)
		require.NotEmpty(t, w.ChannelName)
		ids = append(ids, w.ID)
	}
	require.Equal(t, []string{mine.ID, open.ID}, ids, "active incidents of the team the starter can see, newest first")

	_, active, err = s.StartFacts(ctx, team, "incident", starter, true, 1)
	require.NoError(t, err)
	require.Len(t, active, 1, "at most the number asked for")

	facts, _, err = s.StartFacts(ctx, team, "incident", left, true, 10)
	require.NoError(t, err)
	require.False(t, facts.TeamMember, "a member who left the team is not one")
	facts, active, err = s.StartFacts(ctx, team, "incident", model.NewId(), true, 10)
	require.NoError(t, err)
	require.Equal(t, "", facts.Username, "an unknown user has no facts")
	require.False(t, facts.TeamMember)
	require.Len(t, active, 1, "and sees only the public incident")
	_, active, err = s.StartFacts(ctx, team, "incident", starter, false, 10)
	require.NoError(t, err)
	require.Len(t, active, 1, "one who may not read public channels (a guest) sees only their own")
	require.Equal(t, mine.ID, active[0].ID)
}

func TestReserveWorkflowSettlesTheChannelName(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	_, err := s.DB().Exec(`INSERT INTO channels (id, teamid, name) VALUES ($1, $2, 'incident-1'), ($3, $4, 'incident-2')`,
		model.NewId(), team, model.NewId(), model.NewId())
	require.NoError(t, err)

	named := func(alternative string) app.Reservation {
		return app.Reservation{Name: func(seq int) (string, string) { return fmt.Sprintf("incident-%d", seq), alternative },
			Guard: func([]*app.Workflow) error { return nil }, Candidates: 10}
	}
	taken := newWorkflow(team, "incident", 0, 1)
	require.NoError(t, s.ReserveWorkflow(ctx, taken, named("incident-1-x1")))
	require.Equal(t, 1, taken.Seq, "the reservation allocates the sequence number")
	require.Equal(t, "incident-1-x1", taken.ChannelName, "a name the team's channels hold takes the alternative")

	free := newWorkflow(team, "incident", 0, 2)
	require.NoError(t, s.ReserveWorkflow(ctx, free, named("incident-2-x2")))
	require.Equal(t, "incident-2", free.ChannelName, "another team's channel of that name does not count")

	for _, w := range []*app.Workflow{taken, free} {
		var stored string
		require.NoError(t, s.DB().QueryRow(`SELECT channel_name FROM devops_workflows WHERE id = $1`, w.ID).Scan(&stored))
		require.Equal(t, w.ChannelName, stored)
	}
}

// TestReserveWorkflowSerialisesTheGuard starts one title sixteen times at once: the
// guard of each reservation sees every one reserved before it, so one start passes.
func TestReserveWorkflowSerialisesTheGuard(t *testing.T) {
	// A pool smaller than the starts waiting on the lock, and statements not yet
	// prepared: the start holding the lock must not need a second connection.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := newTestStore(t)
	s.DB().SetMaxOpenConns(3)
	team, starter, other := model.NewId(), model.NewId(), model.NewId()
	duplicate := errors.New("duplicate")
	reservation := func(title string) app.Reservation {
		return app.Reservation{Name: func(seq int) (string, string) { return fmt.Sprintf("incident-%d", seq), "x" }, Candidates: 200,
			Guard: func(active []*app.Workflow) error {
				for _, w := range active {
					if w.Title == title {
						return duplicate
					}
				}
				return nil
			}}
	}
	const n = 16
	results := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorkflow(team, "incident", 0, 1)
			w.Title, w.CreatedBy = "Checkout down", starter
			results <- s.ReserveWorkflow(ctx, w, reservation(w.Title))
		}()
	}
	wg.Wait()
	close(results)
	passed := 0
	for err := range results {
		if err == nil {
			passed++
			continue
		}
		require.ErrorIs(t, err, duplicate)
	}
	require.Equal(t, 1, passed, "one of %d simultaneous starts", n)

	var rows, last int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM devops_workflows WHERE team_id = $1`, team).Scan(&rows))
	require.NoError(t, s.DB().QueryRow(`SELECT last_seq FROM devops_sequences WHERE team_id = $1`, team).Scan(&last))
	require.Equal(t, 1, rows, "a refused start leaves no reservation")
	require.Equal(t, 1, last, "and takes no sequence number")

	private := newWorkflow(team, "incident", 0, 2)
	private.Title, private.Private, private.CreatedBy = "Payroll leak", true, other
	require.NoError(t, s.ReserveWorkflow(ctx, private, reservation("none")))
	mine := newWorkflow(team, "incident", 0, 3)
	mine.Title, mine.CreatedBy = "Payroll leak", starter
	require.NoError(t, s.ReserveWorkflow(ctx, mine, reservation(mine.Title)), "another's private start is not shown to the guard")
	var shown []string
	again := newWorkflow(team, "incident", 0, 4)
	again.CreatedBy = other
	require.NoError(t, s.ReserveWorkflow(ctx, again, app.Reservation{Name: func(int) (string, string) { return "incident-x", "y" },
		Candidates: 200, Guard: func(active []*app.Workflow) error {
			for _, w := range active {
				shown = append(shown, w.ID)
			}
			return nil
		}}))
	require.Contains(t, shown, private.ID, "one's own private start is shown")
	require.Contains(t, shown, mine.ID, "and public ones")
}

func TestDeleteWorkflowTakesEverythingWithIt(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 1)
	w.NewTasks = []*app.Task{{Text: "Page the on-call", Stage: "triage", CreatedBy: "lead"}}
	require.NoError(t, s.CreateWorkflow(ctx, w, []app.TimelineEvent{{Type: app.EventCreated, ActorID: "lead"}}))
	keep := newWorkflow(w.TeamID, "incident", 2, 2)
	require.NoError(t, s.CreateWorkflow(ctx, keep, []app.TimelineEvent{{Type: app.EventCreated, ActorID: "lead"}}))

	require.NoError(t, s.DeleteWorkflow(ctx, w.ID))
	_, err := s.GetWorkflow(ctx, w.ID)
	require.ErrorIs(t, err, app.ErrNotFound)
	for _, table := range []string{"devops_roles", "devops_tasks", "devops_timeline"} {
		var n int
		require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM `+table+` WHERE workflow_id = $1`, w.ID).Scan(&n))
		require.Zero(t, n, table)
		require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM `+table+` WHERE workflow_id = $1`, keep.ID).Scan(&n))
		if table != "devops_tasks" {
			require.Positive(t, n, "another workflow's %s stay", table)
		}
	}
}

func TestStartersNeverJoined(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, starter, gone := model.NewId(), model.NewId(), model.NewId()
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := s.DB().Exec(q, args...)
		require.NoError(t, err)
	}
	exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0), ($1, $3, false, 0)`, team, starter, gone)
	exec(`INSERT INTO users VALUES ($1, 'starter', 'system_user', 0), ($2, 'gone', 'system_user', 1234)`, starter, gone)
	// workflow makes an active workflow started at `at` by `by`, with a live channel
	// unless told otherwise.
	workflow := func(seq int, at int64, by string, channelDeletedAt int64) *app.Workflow {
		t.Helper()
		w := newWorkflow(team, "incident", seq, at)
		w.CreatedBy = by
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
		exec(`INSERT INTO channels (id, teamid, name, deleteat) VALUES ($1, $2, $3, $4)`, w.ChannelID, team, w.ChannelName, channelDeletedAt)
		return w
	}
	missing := workflow(1, 5000, starter, 0)
	left := workflow(2, 5000, starter, 0)
	exec(`INSERT INTO channelmemberhistory VALUES ($1, $2, 5001, 6000)`, left.ChannelID, starter)
	workflow(3, 5000, starter, 7000) // its channel was deleted
	workflow(4, 5000, gone, 0)       // its starter's account was deactivated
	workflow(5, 900, starter, 0)     // before the window
	workflow(6, 10000, starter, 0)   // after it: a start may still be running
	closed := workflow(7, 5000, starter, 0)
	exec(`UPDATE devops_workflows SET status = 'closed' WHERE id = $1`, closed.ID)
	other := workflow(8, 5000, starter, 0)
	exec(`UPDATE devops_workflows SET team_id = $1 WHERE id = $2`, model.NewId(), other.ID) // a team the starter left

	got, err := s.StartersNeverJoined(ctx, 1000, 10000)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, missing.ID, got[0].ID)
	require.Equal(t, missing.ChannelID, got[0].ChannelID)
	require.Equal(t, starter, got[0].CreatedBy)
}

func TestReminderIsClaimedOnceAndKeptUntilPosted(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 1000)
	w.NextReminderAt = 5000
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	claim := func(id string, expected int64) bool {
		t.Helper()
		ok, err := s.ClaimReminder(ctx, expected, 9000,
			app.Reminder{ID: id, WorkflowID: w.ID, ChannelID: w.ChannelID, Message: "⏰ no status update", ClaimedAt: 6000},
			app.TimelineEvent{Type: app.EventReminder, Summary: "Status reminder", Data: map[string]string{"reminder_id": id}})
		require.NoError(t, err)
		return ok
	}
	first, second := model.NewId(), model.NewId()
	require.True(t, claim(first, 5000))
	require.False(t, claim(second, 5000), "the reminder was moved on: a second tick claims nothing")

	got, err := s.GetWorkflow(ctx, w.ID)
	require.NoError(t, err)
	require.EqualValues(t, 9000, got.NextReminderAt)
	events, _, err := s.ListTimeline(ctx, w.ID, "", 50, false)
	require.NoError(t, err)
	reminders := 0
	for _, ev := range events {
		if ev.Type == app.EventReminder {
			reminders++
			require.Equal(t, first, ev.Data["reminder_id"])
		}
	}
	require.Equal(t, 1, reminders, "one timeline event, recorded with the claim")

	pending, err := s.PendingReminders(ctx, 6001, 10)
	require.NoError(t, err)
	require.Equal(t, []app.Reminder{{ID: first, WorkflowID: w.ID, ChannelID: w.ChannelID, Message: "⏰ no status update", ClaimedAt: 6000}}, pending)
	pending, err = s.PendingReminders(ctx, 6000, 10)
	require.NoError(t, err)
	require.Empty(t, pending, "a reminder claimed at the cut-off is still being posted")

	require.NoError(t, s.ReminderPosted(ctx, first))
	pending, err = s.PendingReminders(ctx, 1<<62, 10)
	require.NoError(t, err)
	require.Empty(t, pending)
}

// Voided sign-offs are deleted with the change that voids them; the others stay.
func TestVoidedSignoffsAreDeleted(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "release", 1, 1)
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	qa := app.Signoff{Stage: "production", Discipline: app.QA, UserID: "q", At: 2}
	sec := app.Signoff{Stage: "production", Discipline: app.Security, UserID: "s", At: 3}
	approved := app.Signoff{Stage: "approved", Discipline: app.QA, UserID: "q", At: 4}
	_, err := s.UpdateWorkflow(ctx, w.ID, func(cur *app.Workflow) ([]app.TimelineEvent, error) {
		cur.Signoffs = []app.Signoff{qa, sec, approved}
		return nil, nil
	})
	require.NoError(t, err)
	_, err = s.UpdateWorkflow(ctx, w.ID, func(cur *app.Workflow) ([]app.TimelineEvent, error) {
		cur.Signoffs, cur.VoidedSignoffs = []app.Signoff{approved}, []app.Signoff{qa, sec}
		return []app.TimelineEvent{{Type: app.EventSignoffsVoided, ActorID: "lead"}}, nil
	})
	require.NoError(t, err)
	got, err := s.GetWorkflow(ctx, w.ID)
	require.NoError(t, err)
	require.Len(t, got.Signoffs, 1)
	require.Equal(t, "approved", got.Signoffs[0].Stage)
}

// A change decided as a viewer reads who they are with the workflow (one round trip),
// and a missing task is refused only after the change's own checks have seen it.
func TestUpdateAsReadsTheViewerWithTheWorkflow(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	w := newWorkflow(model.NewId(), "incident", 1, 1)
	w.NewTasks = []*app.Task{{Text: "Page the on-call"}}
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	member := model.NewId()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (id, username, roles, timezone) VALUES ($1, 'bob', 'system_user', '{"useAutomaticTimezone":"false","manualTimezone":"Asia/Tokyo"}')`, []any{member}},
		{`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, []any{w.TeamID, member}},
		{`INSERT INTO channelmembers VALUES ($1, $2, false)`, []any{w.ChannelID, member}},
	} {
		_, err := s.DB().Exec(q.sql, q.args...)
		require.NoError(t, err, q.sql)
	}
	want := &app.Viewer{ID: member, ChannelMember: true, TeamMember: true, Username: "bob",
		Timezone: map[string]string{"useAutomaticTimezone": "false", "manualTimezone": "Asia/Tokyo"}}

	var seen *app.Viewer
	changed, err := s.UpdateWorkflowAs(ctx, w.ID, member, func(cur *app.Workflow) ([]app.TimelineEvent, error) {
		seen = cur.Viewer
		cur.Severity = "sev1"
		return nil, nil
	})
	require.NoError(t, err)
	require.Equal(t, want, seen)
	require.Equal(t, "sev1", changed.Severity)

	seen = nil
	_, task, err := s.UpdateTaskAs(ctx, w.ID, member, 1, func(cur *app.Workflow, task *app.Task) ([]app.TimelineEvent, error) {
		seen = cur.Viewer
		task.Done = true
		return nil, nil
	})
	require.NoError(t, err)
	require.Equal(t, want, seen)
	require.True(t, task.Done)

	var missingSeen bool
	_, _, err = s.UpdateTaskAs(ctx, w.ID, member, 9, func(_ *app.Workflow, task *app.Task) ([]app.TimelineEvent, error) {
		missingSeen = task == nil
		return nil, nil
	})
	require.True(t, missingSeen, "fn judges the viewer before a missing task is told")
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, app.KindNotFound, e.Kind)
	_, _, err = s.UpdateTask(ctx, w.ID, 9, func(*app.Workflow, *app.Task) ([]app.TimelineEvent, error) {
		t.Fatal("without a viewer a missing task is refused before fn")
		return nil, nil
	})
	require.Error(t, err)
}

// ChannelPeople reads a channel's people with their names, zones and disciplines in
// force (a grant over a declaration), leaving out bots, the deactivated and anyone
// outside the channel.
func TestChannelPeopleReadsNamesZonesAndDisciplines(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	ch := model.NewId()
	ada, bob, bot, gone, outside := model.NewId(), model.NewId(), model.NewId(), model.NewId(), model.NewId()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (id, username, firstname, lastname, timezone) VALUES
			($1, 'ada', 'Ada', 'Lovelace', '{"useAutomaticTimezone":"false","manualTimezone":"Europe/London"}'),
			($2, 'bob', '', '', NULL), ($3, 'devops', '', '', NULL), ($4, 'gone', '', '', NULL), ($5, 'eve', '', '', NULL)`,
			[]any{ada, bob, bot, gone, outside}},
		{`UPDATE users SET deleteat = 1 WHERE id = $1`, []any{gone}},
		{`INSERT INTO bots VALUES ($1)`, []any{bot}},
		{`INSERT INTO channelmembers VALUES ($1, $2, false), ($1, $3, false), ($1, $4, false), ($1, $5, false)`, []any{ch, ada, bob, bot, gone}},
	} {
		_, err := s.DB().Exec(q.sql, q.args...)
		require.NoError(t, err, q.sql)
	}
	require.NoError(t, s.SetDiscipline(ctx, ada, app.QA))
	require.NoError(t, s.SetDiscipline(ctx, bob, app.Developer))
	_, _, err := s.GrantDiscipline(ctx, bob, app.Security, ada, 1)
	require.NoError(t, err)

	people, err := s.ChannelPeople(ctx, ch)
	require.NoError(t, err)
	byName := map[string]app.Member{}
	for _, p := range people {
		byName[p.User.Username] = p
	}
	require.Len(t, byName, 2, "bots, the deactivated and people outside are left out")
	require.Equal(t, "Ada Lovelace", byName["ada"].User.GetFullName())
	require.Equal(t, "Europe/London", byName["ada"].User.GetPreferredTimezone())
	require.Equal(t, app.QA, byName["ada"].Discipline.Discipline)
	require.Equal(t, app.Security, byName["bob"].Discipline.Discipline, "a grant is in force over a declaration")
	require.Equal(t, app.SourceGranted, byName["bob"].Discipline.Source)
	require.Empty(t, byName["bob"].User.Timezone)
}
