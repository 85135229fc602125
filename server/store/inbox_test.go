package store

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// inboxWorld is a team with workflows around one person, me.
type inboxWorld struct {
	s          *Store
	team, me   string
	other      string
	gateVer    string
	public     *app.Workflow // a channel I am not in; a task of mine
	private    *app.Workflow // a private channel I am not in; a task of mine
	gated      *app.Workflow // my channel, gated on qa ahead
	led        *app.Workflow // I lead it
	closed     *app.Workflow // closed: nothing of it waits
	publicTask *app.Task
}

func exec(t *testing.T, s *Store, q string, args ...any) {
	t.Helper()
	_, err := s.DB().Exec(q, args...)
	require.NoError(t, err)
}

func newInboxWorld(t *testing.T) *inboxWorld {
	t.Helper()
	ctx := context.Background()
	s := newTestStore(t)
	exec(t, s, `CREATE TABLE IF NOT EXISTS teams (id VARCHAR(26) PRIMARY KEY, name VARCHAR(64))`)
	iw := &inboxWorld{s: s, team: model.NewId(), me: model.NewId(), other: model.NewId(), gateVer: "v-gated"}
	exec(t, s, `INSERT INTO teams (id, name) VALUES ($1, 'ops')`, iw.team)
	for _, u := range []string{iw.me, iw.other} {
		exec(t, s, `INSERT INTO teammembers (teamid, userid, schemeadmin, deleteat) VALUES ($1, $2, false, 0)`, iw.team, u)
		exec(t, s, `INSERT INTO users (id, username) VALUES ($1, $2)`, u, "u"+u[:6])
	}
	exec(t, s, `INSERT INTO devops_template_versions (version, type, template, recorded_at) VALUES ($1, 'release', $2, 1)`,
		iw.gateVer, `{"name":"Release","stages":[{"name":"qa"},{"name":"production","gate":["qa","security"]}]}`)
	mk := func(seq int, private bool, member bool, lead string) *app.Workflow {
		w := newWorkflow(iw.team, "release", seq, int64(1000+seq))
		w.Private, w.LeadID, w.Stage, w.TemplateVersion = private, lead, "qa", iw.gateVer
		exec(t, s, `INSERT INTO channels (id, teamid, name, displayname, type) VALUES ($1, $2, $3, $4, $5)`,
			w.ChannelID, iw.team, w.ChannelName, "Release "+w.ChannelName, map[bool]string{true: "P", false: "O"}[private])
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
		if member {
			exec(t, s, `INSERT INTO channelmembers (channelid, userid) VALUES ($1, $2)`, w.ChannelID, iw.me)
		}
		return w
	}
	iw.public = mk(1, false, false, iw.other)
	iw.private = mk(2, true, false, iw.other)
	iw.gated = mk(3, false, true, iw.other)
	iw.led = mk(4, false, true, iw.me)
	iw.closed = mk(5, false, true, iw.other)
	addTask := func(w *app.Workflow, text string, due int64, assignees ...string) *app.Task {
		task := &app.Task{Text: text, DueAt: due, CreatedBy: iw.other, Stage: "qa"}
		task.SetAssignees(assignees)
		_, err := s.UpdateWorkflow(ctx, w.ID, func(w *app.Workflow) ([]app.TimelineEvent, error) {
			w.NewTasks = []*app.Task{task}
			return nil, nil
		})
		require.NoError(t, err)
		return task
	}
	iw.publicTask = addTask(iw.public, "no due", 0, iw.other, iw.me)
	addTask(iw.public, "due later", 5000, iw.me)
	addTask(iw.public, "due first", 3000, iw.me)
	addTask(iw.public, "someone else's", 1000, iw.other)
	addTask(iw.private, "private", 2000, iw.me)
	addTask(iw.closed, "closed", 2000, iw.me)
	done := addTask(iw.gated, "done", 2000, iw.me)
	_, _, err := s.UpdateTask(ctx, iw.gated.ID, done.Number, func(_ *app.Workflow, t *app.Task) ([]app.TimelineEvent, error) {
		t.Done = true
		return nil, nil
	})
	require.NoError(t, err)
	_, err = s.UpdateWorkflow(ctx, iw.closed.ID, func(w *app.Workflow) ([]app.TimelineEvent, error) {
		w.Status = app.StatusClosed
		return nil, nil
	})
	require.NoError(t, err)
	return iw
}

func TestInboxFacts(t *testing.T) {
	ctx := context.Background()
	iw := newInboxWorld(t)
	s := iw.s

	facts, err := s.InboxFacts(ctx, app.InboxQuery{TeamID: iw.team, UserID: iw.me, ReadsPublic: true, Limit: 50})
	require.NoError(t, err)
	require.True(t, facts.Viewer.TeamMember)
	require.Equal(t, "ops", facts.TeamName)
	var texts []string
	for _, task := range facts.Tasks {
		texts = append(texts, task.Text)
		require.Equal(t, iw.public.ID, task.WorkflowID, "only the public workflow's open tasks are mine to see")
		require.Equal(t, "Release "+iw.public.ChannelName, task.DisplayName)
	}
	require.Equal(t, []string{"due first", "due later", "no due"}, texts, "dated first, soonest first; the private, closed, done and others' tasks left out")
	require.Equal(t, []string{iw.other, iw.me}, facts.Tasks[2].AssigneeIDs)
	require.Empty(t, facts.Gated, "no discipline: no gate")
	require.Len(t, facts.Led, 1)
	require.Equal(t, iw.led.ID, facts.Led[0].ID)

	// A guest (no public channels to read) sees only their own channels' tasks.
	facts, err = s.InboxFacts(ctx, app.InboxQuery{TeamID: iw.team, UserID: iw.me, ReadsPublic: false, Limit: 50})
	require.NoError(t, err)
	require.Empty(t, facts.Tasks)

	// A member of the private channel sees its task.
	exec(t, s, `INSERT INTO channelmembers (channelid, userid) VALUES ($1, $2)`, iw.private.ChannelID, iw.me)
	facts, err = s.InboxFacts(ctx, app.InboxQuery{TeamID: iw.team, UserID: iw.me, ReadsPublic: true, Limit: 50})
	require.NoError(t, err)
	require.Len(t, facts.Tasks, 4)
	require.Equal(t, "private", facts.Tasks[0].Text)
	require.True(t, facts.Tasks[0].Private)

	// A discipline a gate names: the gated workflows of my channels (not the closed one).
	_, _, err = s.GrantDiscipline(ctx, iw.me, "qa", iw.other, 1)
	require.NoError(t, err)
	facts, err = s.InboxFacts(ctx, app.InboxQuery{TeamID: iw.team, UserID: iw.me, ReadsPublic: true, Limit: 50})
	require.NoError(t, err)
	require.Equal(t, app.Discipline("qa"), facts.Viewer.Discipline)
	var gated []string
	for _, g := range facts.Gated {
		gated = append(gated, g.ID)
		require.Equal(t, iw.gateVer, g.TemplateVersion)
	}
	require.ElementsMatch(t, []string{iw.gated.ID, iw.led.ID, iw.private.ID}, gated)

	// Someone outside the team reads nothing.
	facts, err = s.InboxFacts(ctx, app.InboxQuery{TeamID: iw.team, UserID: model.NewId(), ReadsPublic: true, Limit: 50})
	require.NoError(t, err)
	require.False(t, facts.Viewer.TeamMember)
	require.Empty(t, facts.Tasks)
	require.Empty(t, facts.Led)

	// The limit bounds each section.
	facts, err = s.InboxFacts(ctx, app.InboxQuery{TeamID: iw.team, UserID: iw.me, ReadsPublic: true, Limit: 2})
	require.NoError(t, err)
	require.Len(t, facts.Tasks, 2)
}

func TestDueRemindersAreClaimedOnce(t *testing.T) {
	ctx := context.Background()
	iw := newInboxWorld(t)
	s := iw.s

	due, err := s.DueTasks(ctx, 3500, 10)
	require.NoError(t, err)
	var texts []string
	for _, d := range due {
		texts = append(texts, d.Task.Text)
	}
	require.Equal(t, []string{"someone else's", "private", "due first"}, texts,
		"open, assigned, due by now, in active workflows (private ones too: their assignees are told), oldest due first")

	first := due[2]
	dms := []app.PendingDM{{ID: model.NewId(), UserID: iw.me, Message: "due", WorkflowID: first.Workflow.ID, TaskNumber: first.Task.Number, ClaimedAt: 3500}}
	ev := app.TimelineEvent{WorkflowID: first.Workflow.ID, Type: app.EventTaskDue, Summary: "Task due"}
	ok, err := s.ClaimDueReminder(ctx, first.Task.ID, first.Task.DueAt, 3500, dms, ev)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.ClaimDueReminder(ctx, first.Task.ID, first.Task.DueAt, 3600, []app.PendingDM{{ID: model.NewId(), UserID: iw.me, Message: "again", ClaimedAt: 3600}}, ev)
	require.NoError(t, err)
	require.False(t, ok, "a second tick finds it claimed and records nothing")

	pending, err := s.PendingDMs(ctx, 4000, 10)
	require.NoError(t, err)
	require.Equal(t, dms, pending)
	events, _, err := s.ListTimeline(ctx, first.Workflow.ID, "", 50, false)
	require.NoError(t, err)
	require.Equal(t, 1, countEvents(events, app.EventTaskDue))
	require.NoError(t, s.DMSent(ctx, dms[0].ID))
	pending, err = s.PendingDMs(ctx, 4000, 10)
	require.NoError(t, err)
	require.Empty(t, pending)

	due, err = s.DueTasks(ctx, 3500, 10)
	require.NoError(t, err)
	require.Len(t, due, 2, "the claimed one is not due again")

	// A new due time is reminded anew.
	_, _, err = s.UpdateTask(ctx, first.Workflow.ID, first.Task.Number, func(_ *app.Workflow, t *app.Task) ([]app.TimelineEvent, error) {
		t.DueAt = 3400
		return nil, nil
	})
	require.NoError(t, err)
	due, err = s.DueTasks(ctx, 3500, 10)
	require.NoError(t, err)
	require.Len(t, due, 3)
}

func countEvents(events []app.TimelineEvent, typ string) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestDigestClaimsAndPreferences(t *testing.T) {
	ctx := context.Background()
	iw := newInboxWorld(t)
	s := iw.s
	now := time.Now().UnixMilli()

	candidates := func() map[string]app.DigestCandidate {
		all, err := s.DigestCandidates(ctx, now-36*time.Hour.Milliseconds())
		require.NoError(t, err)
		out := map[string]app.DigestCandidate{}
		for _, c := range all {
			require.Equal(t, iw.team, c.TeamID)
			out[c.UserID] = c
		}
		return out
	}
	require.Contains(t, candidates(), iw.me)
	require.Equal(t, "", candidates()[iw.me].LastDigest)

	dm := &app.PendingDM{ID: model.NewId(), UserID: iw.me, Message: "digest", ClaimedAt: now}
	ok, err := s.ClaimDigest(ctx, iw.me, "2026-12-02", now, dm)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.ClaimDigest(ctx, iw.me, "2026-12-02", now, &app.PendingDM{ID: model.NewId(), UserID: iw.me, Message: "twice", ClaimedAt: now})
	require.NoError(t, err)
	require.False(t, ok, "one digest per person per local day")
	pending, err := s.PendingDMs(ctx, now+1, 10)
	require.NoError(t, err)
	require.Equal(t, []app.PendingDM{*dm}, pending)
	require.Equal(t, "2026-12-02", candidates()[iw.me].LastDigest)
	ok, err = s.ClaimDigest(ctx, iw.me, "2026-12-03", now, nil)
	require.NoError(t, err)
	require.True(t, ok, "the next day is another claim; nothing waited, nothing to send")
	require.Equal(t, "2026-12-03", candidates()[iw.me].LastDigest)

	on, err := s.DigestOn(ctx, iw.me)
	require.NoError(t, err)
	require.True(t, on, "on by default")
	require.NoError(t, s.SetDigest(ctx, iw.me, false, now))
	on, err = s.DigestOn(ctx, iw.me)
	require.NoError(t, err)
	require.False(t, on)
	require.NotContains(t, candidates(), iw.me, "off: never a candidate")
	require.NoError(t, s.SetDigest(ctx, iw.me, true, now))
	require.Contains(t, candidates(), iw.me)
}

// TestInboxMigrationKeepsAssignees: a task of the single-assignee schema keeps its
// assignee as the set's one member, and an old overdue task is not reminded.
func TestInboxMigrationKeepsAssignees(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	w := newWorkflow(team, "incident", 1, 1)
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	// Back to the schema before 000013.
	exec(t, s, `DELETE FROM devops_migrations WHERE version = 13`)
	exec(t, s, `ALTER TABLE devops_tasks DROP COLUMN assignee_ids, DROP COLUMN due_reminded_at`)
	exec(t, s, `INSERT INTO devops_tasks (id, workflow_id, number, text, assignee_id, due_at, created_at) VALUES
		($1, $2, 1, 'old', 'dana', 1000, 1), ($3, $2, 2, 'unassigned', '', 0, 1)`, model.NewId(), w.ID, model.NewId())
	applied, err := s.Migrate(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"000013_inbox.sql"}, applied)
	tasks, err := s.ListTasks(ctx, w.ID)
	require.NoError(t, err)
	require.Equal(t, "dana", tasks[0].AssigneeID)
	require.Equal(t, []string{"dana"}, tasks[0].AssigneeIDs)
	require.Empty(t, tasks[1].AssigneeIDs)
	var ids []string
	require.NoError(t, s.DB().QueryRow(`SELECT assignee_ids FROM devops_tasks WHERE number = 2`).Scan(pq.Array(&ids)))
	require.Empty(t, ids)
	due, err := s.DueTasks(ctx, time.Now().UnixMilli(), 10)
	require.NoError(t, err)
	require.Empty(t, due, "overdue before the upgrade: no reminder burst")
}
