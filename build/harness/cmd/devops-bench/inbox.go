package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
)

// The personal inbox (issue 17): GET /me/todo against the floor's ping, in a team of
// its own holding inboxActive active workflows.
const (
	inboxActive = 10_000
	// inboxOwn are the workflows made through the API whose channel the measured
	// person is in, each with a task of theirs and a production gate their verified
	// qa could sign; inboxLed are incidents they lead.
	inboxOwn = 20
	inboxLed = 5
	// One seeded workflow in inboxMineShare has a task of the measured person's too
	// (public: theirs to read without being in the channel), so the task section is
	// full (50) and must be ordered and cut, the dearest case.
	inboxMineShare = 100
	maxInboxP95MS  = 15
)

// inboxFigure measures GET /me/todo for worker 0's user.
func (b *bench) inboxFigure(ctx context.Context) result {
	fg := figure{name: fmt.Sprintf("GET /me/todo, %dk active workflows in the team", inboxActive/1000), floor: "GET /plugins/devops-floor/ping",
		conc: 1, target: target{p95MS: maxInboxP95MS}}
	teamID, err := b.inboxTeam(ctx)
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	path := "/api/v1/me/todo?team_id=" + teamID
	body, err := b.pluginGet(ctx, 0, harness.PluginID, path)
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	var in struct {
		Tasks     []json.RawMessage `json:"tasks"`
		Signoffs  []json.RawMessage `json:"signoffs"`
		StatusDue []json.RawMessage `json:"status_due"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "decode /me/todo"))
	}
	// What we mean to measure: a full task section and every gate.
	if len(in.Tasks) != 50 || len(in.Signoffs) != inboxOwn {
		return fg.outcome(side{}, side{}, errors.Errorf("GET /me/todo gave %d tasks and %d sign-offs, not 50 and %d", len(in.Tasks), len(in.Signoffs), inboxOwn))
	}
	logf("GET /me/todo: %d tasks, %d sign-offs, %d status updates due", len(in.Tasks), len(in.Signoffs), len(in.StatusDue))
	o, f, err := compare(ctx, b.pluginGetOp(harness.PluginID, path), b.pluginGetOp(floorID, "/ping"), 1, b.cfg.samples/2, rounds)
	return fg.outcome(o, f, err)
}

// inboxTeam makes the team: worker 0 (verified qa) and worker 1 (a developer, who
// starts releases) in it, their workflows made through the API, and inboxActive
// active workflows in all, the rest seeded straight into the database with a task
// each. It returns the team's id.
func (b *bench) inboxTeam(ctx context.Context) (string, error) {
	team, err := b.srv.CreateTeam("inbox")
	if err != nil {
		return "", err
	}
	me, dev := b.users[0], b.users[1]
	for _, u := range []*model.User{me, dev} {
		if _, _, err := b.srv.Admin.AddTeamMember(ctx, team.Id, u.Id); err != nil {
			return "", errors.Wrap(err, "add to the inbox team")
		}
	}
	if status, raw, err := harness.PluginRequest(b.srv.Admin, http.MethodPut, "/api/v1/users/"+me.Id+"/discipline/grant", map[string]string{"discipline": "qa"}); err != nil || status != http.StatusOK {
		return "", errors.Errorf("grant qa: %d %s %v", status, raw, err)
	}
	if status, raw, err := harness.PluginRequest(b.clients[1], http.MethodPut, "/api/v1/me/discipline", map[string]string{"discipline": "developer"}); err != nil || status != http.StatusOK {
		return "", errors.Errorf("declare developer: %d %s %v", status, raw, err)
	}
	start := func(w int, typ, title string) (id, channelID string, err error) {
		status, raw, err := harness.PluginRequest(b.clients[w], http.MethodPost, "/api/v1/workflows",
			map[string]any{"team_id": team.Id, "type": typ, "title": title, "force": true})
		if err != nil || status != http.StatusCreated {
			return "", "", errors.Errorf("start %s: %d %s %v", title, status, raw, err)
		}
		var wf struct {
			ID        string `json:"id"`
			ChannelID string `json:"channel_id"`
		}
		return wf.ID, wf.ChannelID, json.Unmarshal(raw, &wf)
	}
	var version string
	for i := 0; i < inboxOwn; i++ {
		id, channelID, err := start(1, "release", fmt.Sprintf("Release 9.%d.0", i))
		if err != nil {
			return "", err
		}
		// The release invites qa itself (its auto-invite), just after it answers.
		if _, _, err := b.srv.Admin.AddChannelMember(ctx, channelID, me.Id); err != nil {
			if _, _, merr := b.srv.Admin.GetChannelMember(ctx, channelID, me.Id, ""); merr != nil {
				return "", errors.Wrap(err, "add to a release")
			}
		}
		due := time.Now().Add(time.Duration(i-inboxOwn/2) * time.Hour).UnixMilli() // half of them overdue
		if status, raw, err := harness.PluginRequest(b.clients[1], http.MethodPost, "/api/v1/workflows/"+id+"/tasks",
			map[string]any{"text": "Regression suite", "assignee_ids": []string{me.Id}, "due_at": max(due, time.Now().Add(-30*time.Second).UnixMilli())}); err != nil || status != http.StatusCreated {
			return "", errors.Errorf("add a task: %d %s %v", status, raw, err)
		}
		if version == "" {
			db, err := b.srv.DB()
			if err != nil {
				return "", err
			}
			if err := db.QueryRowContext(ctx, `SELECT template_version FROM devops_workflows WHERE id = $1`, id).Scan(&version); err != nil {
				return "", errors.Wrap(err, "read the release's template version")
			}
		}
	}
	for i := 0; i < inboxLed; i++ {
		if _, _, err := start(0, "incident", fmt.Sprintf("Inbox incident %d", i)); err != nil {
			return "", err
		}
	}
	return team.Id, b.seedInbox(ctx, team.Id, me.Id, version, inboxActive-inboxOwn-inboxLed)
}

// seedInbox copies n active releases into the team, led by strangers, each with one
// open task of a stranger's, or (one in inboxMineShare) of mine.
func (b *bench) seedInbox(ctx context.Context, teamID, mine, version string, n int) error {
	db, err := b.srv.DB()
	if err != nil {
		return err
	}
	began := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return errors.Wrap(err, "begin inbox seed")
	}
	defer func() { _ = tx.Rollback() }()
	wfs, err := tx.PrepareContext(ctx, "COPY devops_workflows ("+strings.Join(seedColumns, ", ")+", template_version) FROM STDIN")
	if err != nil {
		return errors.Wrap(err, "start COPY")
	}
	type task struct{ id, workflow, assignee string }
	tasks := make([]task, 0, n)
	now := model.GetMillis()
	for i := 0; i < n; i++ {
		id, lead := model.NewId(), model.NewId()
		seq := seqBase + 500_000 + i
		created := now - int64(i)*60_000
		if _, err := wfs.ExecContext(ctx, id, teamID, model.NewId(), fmt.Sprintf("rel-%d-seeded", seq), "release", seq,
			fmt.Sprintf("Seeded release %d", seq), "", "planning", "active", false, lead, lead, created, created, 0, created, "", version); err != nil {
			return errors.Wrap(err, "copy workflow row")
		}
		assignee := model.NewId()
		if i%inboxMineShare == 0 {
			assignee = mine
		}
		tasks = append(tasks, task{model.NewId(), id, assignee})
	}
	if _, err := wfs.ExecContext(ctx); err != nil {
		return errors.Wrap(err, "finish COPY")
	}
	if err := wfs.Close(); err != nil {
		return errors.Wrap(err, "close COPY")
	}
	ts, err := tx.PrepareContext(ctx, "COPY devops_tasks (id, workflow_id, number, text, stage, assignee_id, assignee_ids, due_at, created_at) FROM STDIN")
	if err != nil {
		return errors.Wrap(err, "start COPY")
	}
	for i, t := range tasks {
		if _, err := ts.ExecContext(ctx, t.id, t.workflow, 1, "Seeded task", "planning", t.assignee, "{"+t.assignee+"}",
			now+int64(i)*60_000, now); err != nil {
			return errors.Wrap(err, "copy task row")
		}
	}
	if _, err := ts.ExecContext(ctx); err != nil {
		return errors.Wrap(err, "finish COPY")
	}
	if err := ts.Close(); err != nil {
		return errors.Wrap(err, "close COPY")
	}
	if err := tx.Commit(); err != nil {
		return errors.Wrap(err, "commit inbox seed")
	}
	if _, err := db.ExecContext(ctx, `ANALYZE devops_workflows; ANALYZE devops_tasks`); err != nil {
		return errors.Wrap(err, "analyze")
	}
	logf("seeded %d active workflows with a task each into the inbox team in %s", n, time.Since(began).Round(time.Millisecond))
	return nil
}
