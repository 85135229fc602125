package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/app"
)

// schedule adds a schedule through the REST door, due `in` from now.
func (e *env) schedule(owner *member, typ, title, every string, in time.Duration) *app.Schedule {
	e.t.Helper()
	var sc app.Schedule
	startAt := time.Now().Add(in).UnixMilli()
	status := api(e.t, owner, http.MethodPost, "/api/v1/schedules", map[string]any{"team_id": e.team.Id, "type": typ, "title": title,
		"every": every, "start_at": startAt, "timezone": "Europe/Berlin"}, &sc)
	require.Equal(e.t, http.StatusCreated, status)
	require.Equal(e.t, startAt, sc.NextAt, "the first occurrence is the first start")
	require.Equal(e.t, owner.Id, sc.OwnerID)
	return &sc
}

// scheduleOwner is someone who may start sprints, and the database to check on.
func (e *env) scheduleOwner() (*member, *sql.DB) {
	e.t.Helper()
	db, err := srv.DB()
	require.NoError(e.t, err)
	return e.withDiscipline("owner", "project-manager"), db
}

// occurrences are the workflows a schedule started, once their start is over (the
// owner is in the channel then) and recorded as done.
func occurrences(t *testing.T, db *sql.DB, scheduleID string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT w.id FROM devops_workflows w JOIN devops_schedule_occurrences o ON o.workflow_id = w.id
		WHERE o.schedule_id = $1 AND w.status <> 'starting' AND o.started_at > 0 ORDER BY o.n`, scheduleID)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		out = append(out, id)
	}
	return out
}

// workflowsInTeam counts every workflow of a type in a team, whoever started it:
// a second start of one occurrence could not hide from it.
func workflowsInTeam(t *testing.T, db *sql.DB, teamID, typ string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_workflows WHERE team_id = $1 AND type = $2`, teamID, typ).Scan(&n))
	return n
}

// requireStartsOnce waits for the schedule's first occurrence and checks, a few ticks
// later, that it is still the only workflow of the type in the team.
func (e *env) requireStartsOnce(db *sql.DB, sc *app.Schedule, owner *member) *workflowJSON {
	e.t.Helper()
	eventually(e.t, 60*time.Second, func() bool { return len(occurrences(e.t, db, sc.ID)) > 0 }, "the occurrence to start")
	time.Sleep(4 * time.Second) // four ticks more
	ids := occurrences(e.t, db, sc.ID)
	require.Len(e.t, ids, 1)
	require.Equal(e.t, 1, workflowsInTeam(e.t, db, e.team.Id, sc.Type), "one workflow, not one per node, tick or restart")
	var w workflowJSON
	require.Equal(e.t, http.StatusOK, api(e.t, owner, http.MethodGet, "/api/v1/workflows/"+ids[0], nil, &w))
	require.Equal(e.t, owner.Id, w.LeadID, "the owner leads the occurrence")
	return &w
}

// A sprint scheduled a few seconds ahead starts once as "Sprint 1 …", led by its
// owner, with its first post saying which schedule started it and not that it was late.
func TestScheduleStartsOnce(t *testing.T) {
	e := newEnv(t)
	owner, db := e.scheduleOwner()
	sc := e.schedule(owner, "sprint", "Sprint {n} ({date})", "2w", 3*time.Second)
	w := e.requireStartsOnce(db, sc, owner)
	require.Equal(t, fmt.Sprintf("Sprint 1 (%s)", time.UnixMilli(sc.StartAt).In(berlin(t)).Format("2006-01-02")), w.Title)
	posts := botPostsSince(t, owner, w.ChannelID, 0)
	first := strings.Join(posts, "\n")
	requireContains(t, first, "Started by a schedule of @"+owner.Username, "every 2w", "occurrence 1")
	require.NotContains(t, first, "Started late")

	var list struct {
		Items []app.Schedule `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, owner, http.MethodGet, "/api/v1/schedules?team_id="+e.team.Id, nil, &list))
	require.Len(t, list.Items, 1)
	require.Equal(t, 1, list.Items[0].Started)
	require.Equal(t, time.UnixMilli(sc.StartAt).AddDate(0, 0, 14).UnixMilli(), list.Items[0].NextAt, "the next one is two weeks on, same clock time")
}

// The plugin restarts, or the server is killed (SIGKILL) and started again, right when
// an occurrence falls due: it starts once.
func TestScheduleStartsOnceAcrossARestart(t *testing.T) {
	for _, c := range []struct {
		name    string
		restart func() error
		offset  time.Duration // when, from the due time
	}{
		{"plugin restart", func() error { return srv.RestartPlugin(harness.PluginID) }, -200 * time.Millisecond},
		{"server kill", srv.Restart, 50 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			owner, db := e.scheduleOwner()
			sc := e.schedule(owner, "sprint", "Sprint {n}", "1w", 2*time.Second)
			time.Sleep(time.Until(time.UnixMilli(sc.StartAt)) + c.offset)
			require.NoError(t, c.restart())
			e.requireStartsOnce(db, sc, owner)
		})
	}
}

// A node that died after claiming an occurrence leaves the claim: a later tick
// starts it under the workflow id chosen at the claim, once; a claim whose workflow
// exists (the node died after starting it) is only marked done.
func TestScheduleClaimLeftByACrashIsFinishedOnce(t *testing.T) {
	e := newEnv(t)
	owner, db := e.scheduleOwner()
	sc := e.schedule(owner, "sprint", "Sprint {n}", "1w", time.Hour)
	lost := model.NewId()
	claimed := model.GetMillis() - 60_000
	// As a tick leaves it when its node dies between the claim and the start.
	mustExec(t, db, fmt.Sprintf(`UPDATE devops_schedules SET started = 1 WHERE id = '%s'`, sc.ID))
	mustExec(t, db, fmt.Sprintf(`INSERT INTO devops_schedule_occurrences (schedule_id, n, workflow_id, title, due_at, claimed_at)
		VALUES ('%s', 1, '%s', 'Sprint 1', %d, %d)`, sc.ID, lost, claimed, claimed))
	eventually(t, 30*time.Second, func() bool { return len(occurrences(t, db, sc.ID)) == 1 }, "the lost claim to be started")
	require.Equal(t, []string{lost}, occurrences(t, db, sc.ID))

	// Now as if the node had died after starting it, before recording that it had.
	mustExec(t, db, fmt.Sprintf(`UPDATE devops_schedule_occurrences SET started_at = 0 WHERE workflow_id = '%s'`, lost))
	eventually(t, 30*time.Second, func() bool {
		var at int64
		require.NoError(t, db.QueryRow(`SELECT started_at FROM devops_schedule_occurrences WHERE workflow_id = $1`, lost).Scan(&at))
		return at > 0
	}, "the claim to be marked done")
	require.Equal(t, 1, workflowsInTeam(t, db, e.team.Id, "sprint"))
}

// Periods missed while the server was down start once on recovery, not once each,
// and the first post says how late; the next occurrence is the next period ahead.
func TestScheduleMissedPeriodsStartOnceLate(t *testing.T) {
	e := newEnv(t)
	owner, db := e.scheduleOwner()
	sc := e.schedule(owner, "sprint", "Daily {n}", "1d", time.Hour)
	// As if the server had been down for three days from the first start on.
	missed := time.Now().Add(-3*24*time.Hour - 5*time.Minute).UnixMilli()
	mustExec(t, db, fmt.Sprintf(`UPDATE devops_schedules SET start_at = %d, next_at = %d WHERE id = '%s'`, missed, missed, sc.ID))
	w := e.requireStartsOnce(db, sc, owner)
	require.Equal(t, "Daily 1", w.Title)
	first := strings.Join(botPostsSince(t, owner, w.ChannelID, 0), "\n")
	requireContains(t, first, "Started late by 3d", "missed periods start once")

	var got struct {
		Items []app.Schedule `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, owner, http.MethodGet, "/api/v1/schedules?team_id="+e.team.Id, nil, &got))
	next := got.Items[0].NextAt
	require.Greater(t, next, time.Now().UnixMilli(), "the next occurrence is ahead")
	require.Less(t, next, time.Now().Add(24*time.Hour).UnixMilli())
	require.Equal(t, 1, got.Items[0].Started)
}

// The previous occurrence's open tasks are carried over when the schedule says so.
func TestScheduleCarriesOpenTasksOver(t *testing.T) {
	e := newEnv(t)
	owner, db := e.scheduleOwner()
	var sc app.Schedule
	require.Equal(t, http.StatusCreated, api(t, owner, http.MethodPost, "/api/v1/schedules", map[string]any{"team_id": e.team.Id, "type": "sprint",
		"title": "Carry {n}", "every": "1d", "start_at": time.Now().Add(2 * time.Second).UnixMilli(), "timezone": "UTC", "carry_over": true}, &sc))
	eventually(t, 30*time.Second, func() bool { return len(occurrences(t, db, sc.ID)) == 1 }, "the first occurrence")
	firstID := occurrences(t, db, sc.ID)[0]
	first := e.workflowByID(owner, firstID)
	e.run(owner, first.ChannelID, "/devops task add Unfinished story")
	e.run(owner, first.ChannelID, "/devops task add Finished story")
	tasks := e.tasks(owner, firstID)
	e.run(owner, first.ChannelID, fmt.Sprintf("/devops task done %d", tasks[len(tasks)-1].Number))
	// Bring the next occurrence forward to now.
	mustExec(t, db, fmt.Sprintf(`UPDATE devops_schedules SET next_at = %d WHERE id = '%s'`, model.GetMillis(), sc.ID))
	eventually(t, 30*time.Second, func() bool { return len(occurrences(t, db, sc.ID)) == 2 }, "the second occurrence")
	second := occurrences(t, db, sc.ID)[1]
	var texts []string
	for _, task := range e.tasks(owner, second) {
		texts = append(texts, task.Text)
	}
	require.Contains(t, texts, "Unfinished story")
	require.NotContains(t, texts, "Finished story")
	w := e.workflowByID(owner, second)
	require.Equal(t, "Carry 2", w.Title)
	requireContains(t, strings.Join(botPostsSince(t, owner, w.ChannelID, 0), "\n"), "carried over from ~"+first.ChannelName)
}

func (e *env) workflowByID(m *member, id string) *workflowJSON {
	e.t.Helper()
	var w workflowJSON
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/workflows/"+id, nil, &w))
	return &w
}

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// Bad input is refused with the field named, someone who may not start the type may
// not schedule it, and a refused schedule leaves nothing behind.
func TestScheduleRefusals(t *testing.T) {
	e := newEnv(t)
	owner := e.withDiscipline("owner", "project-manager")
	qa := e.withDiscipline("qa", "qa")
	other := e.withDiscipline("other", "project-manager")
	db, err := srv.DB()
	require.NoError(t, err)
	at := time.Now().Add(time.Hour).UnixMilli()
	body := func(change map[string]any) map[string]any {
		b := map[string]any{"team_id": e.team.Id, "type": "sprint", "title": "Sprint {n}", "every": "2w", "start_at": at, "timezone": "UTC"}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	for _, c := range []struct {
		who    *member
		change map[string]any
		status int
		says   string
	}{
		{owner, map[string]any{"every": "3d"}, http.StatusBadRequest, "every:"},
		{owner, map[string]any{"every": "monthly:32"}, http.StatusBadRequest, "every:"},
		{owner, map[string]any{"timezone": "Mars/Olympus"}, http.StatusBadRequest, "timezone:"},
		{owner, map[string]any{"type": "voyage"}, http.StatusBadRequest, "voyage"},
		{owner, map[string]any{"title": "  "}, http.StatusBadRequest, "title:"},
		{owner, map[string]any{"start_at": 0}, http.StatusBadRequest, "start_at:"},
		{owner, map[string]any{"version_bump": "major"}, http.StatusBadRequest, "version_bump:"},
		{owner, map[string]any{"team_id": model.NewId()}, http.StatusForbidden, "team"},
		{qa, nil, http.StatusForbidden, "Starting a sprint needs the discipline"},
	} {
		var refusal apiError
		require.Equal(t, c.status, api(t, c.who, http.MethodPost, "/api/v1/schedules", body(c.change), &refusal), "%v", c.change)
		require.Contains(t, refusal.Error, c.says)
	}
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_schedules WHERE team_id = $1`, e.team.Id).Scan(&n))
	require.Zero(t, n, "nothing refused is saved")

	// The same rules through the command; the answer names the field.
	requireContains(t, e.run(owner, e.square.Id, "/devops schedule add sprint Sprint {n} --every 5d --at 2h").Text, "every:")
	requireContains(t, e.run(owner, e.square.Id, "/devops schedule add sprint Sprint {n} --every 2w --at 2h --zone Nowhere/Land").Text, "timezone:")
	requireContains(t, e.run(qa, e.square.Id, "/devops schedule add sprint Sprint {n} --every 2w --at 2h").Text, "needs the discipline")

	// Only the owner (or a team admin) changes a schedule; others are refused, and
	// whoever is outside the team is told there is none.
	resp := e.run(owner, e.square.Id, "/devops schedule add sprint Sprint {n} ({date}) --every 2w --at 2h --zone UTC --carry")
	requireContains(t, resp.Text, "Scheduled: `", `Sprint {n} \({date}\)`, "every 2w (UTC)", "carries open tasks over")
	var list struct {
		Items []app.Schedule `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, other, http.MethodGet, "/api/v1/schedules?team_id="+e.team.Id, nil, &list))
	require.Len(t, list.Items, 1)
	id := list.Items[0].ID
	var refusal apiError
	require.Equal(t, http.StatusForbidden, api(t, other, http.MethodPatch, "/api/v1/schedules/"+id, map[string]any{"paused": true}, &refusal))
	require.Contains(t, refusal.Error, "owner")
	require.Equal(t, http.StatusForbidden, api(t, other, http.MethodDelete, "/api/v1/schedules/"+id, nil, &refusal))
	stranger := newEnv(t).user("stranger")
	require.Equal(t, http.StatusNotFound, api(t, stranger, http.MethodPatch, "/api/v1/schedules/"+id, map[string]any{"paused": true}, &refusal))
	require.Equal(t, http.StatusForbidden, api(t, stranger, http.MethodGet, "/api/v1/schedules?team_id="+e.team.Id, nil, &refusal))
	require.Equal(t, http.StatusBadRequest, api(t, owner, http.MethodPatch, "/api/v1/schedules/"+id, map[string]any{"every": "fortnightly"}, &refusal))
	require.Contains(t, refusal.Error, "every:")

	// Pause, resume and delete by the owner, through the command.
	prefix := id[:8]
	requireContains(t, e.run(owner, e.square.Id, "/devops schedule pause "+prefix).Text, "Paused the schedule", "**paused**")
	var paused app.Schedule
	require.Equal(t, http.StatusOK, api(t, owner, http.MethodPatch, "/api/v1/schedules/"+id, map[string]any{"title": "Sprint {n} review"}, &paused))
	require.True(t, paused.Paused)
	requireContains(t, e.run(owner, e.square.Id, "/devops schedule resume "+prefix).Text, "Resumed the schedule", "next ")
	requireContains(t, e.run(owner, e.square.Id, "/devops schedule list").Text, prefix, "Sprint {n} review")
	requireContains(t, e.run(owner, e.square.Id, "/devops schedule delete "+prefix).Text, "Deleted the schedule")
	requireContains(t, e.run(owner, e.square.Id, "/devops schedule list").Text, "No schedules in this team")
}

// An owner who may no longer start the type when an occurrence falls due: the
// occurrence is skipped, recorded with why, and the owner told; nothing starts and
// the next occurrence stays scheduled.
func TestScheduleRefusedOccurrenceTellsTheOwner(t *testing.T) {
	e := newEnv(t)
	owner, db := e.scheduleOwner()
	sc := e.schedule(owner, "sprint", "Sprint {n}", "1w", 3*time.Second)
	requireContains(t, e.run(owner, e.square.Id, "/devops discipline qa").Text, "Your discipline is now **qa**")
	dm := directFromBot(t, owner, "Your schedule could not start **Sprint 1**")
	requireContains(t, dm.Message, "Starting a sprint needs the discipline")
	var failure string
	require.NoError(t, db.QueryRow(`SELECT error FROM devops_schedule_occurrences WHERE schedule_id = $1 AND n = 1`, sc.ID).Scan(&failure))
	require.Contains(t, failure, "needs the discipline")
	time.Sleep(3 * time.Second)
	require.Zero(t, workflowsInTeam(t, db, e.team.Id, "sprint"))
	var next int64
	require.NoError(t, db.QueryRow(`SELECT next_at FROM devops_schedules WHERE id = $1`, sc.ID).Scan(&next))
	require.Equal(t, time.UnixMilli(sc.StartAt).AddDate(0, 0, 7).UnixMilli(), next)
}

// `/devops schedule add` alone opens the form; a wrong field is refused under it and
// saves nothing; a right submission schedules, through Mattermost's dialog door.
func TestScheduleForm(t *testing.T) {
	e := newEnv(t)
	owner := e.withDiscipline("owner", "project-manager")
	log := listen(t, owner)
	require.Empty(t, e.run(owner, e.square.Id, "/devops schedule add").Text)
	form := openedDialog(t, log, "schedule")
	var names []string
	for _, el := range form.Dialog.Elements {
		names = append(names, el.Name)
	}
	require.Equal(t, []string{"type", "title", "every", "at", "timezone", "version_bump", "carry_over"}, names)

	submit := func(values map[string]any) *model.SubmitDialogResponse {
		resp, _, err := owner.client.SubmitInteractiveDialog(context.Background(), model.SubmitDialogRequest{
			URL: app.PluginPath + "/api/v1/dialog/schedule", CallbackId: "schedule", ChannelId: e.square.Id, TeamId: e.team.Id, Submission: values})
		require.NoError(t, err)
		return resp
	}
	values := map[string]any{"type": "sprint", "title": "Sprint {n}", "every": "2w", "at": "tomorrow 9:00", "timezone": "Mars/Olympus", "version_bump": "minor", "carry_over": true}
	require.Contains(t, submit(values).Errors["timezone"], "timezone:")
	values["timezone"], values["every"] = "Asia/Tokyo", "3d"
	require.Contains(t, submit(values).Errors["every"], "every:")
	var list struct {
		Items []app.Schedule `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, owner, http.MethodGet, "/api/v1/schedules?team_id="+e.team.Id, nil, &list))
	require.Empty(t, list.Items, "nothing refused is saved")

	values["every"] = "monthly:15"
	resp := submit(values)
	require.Empty(t, resp.Errors)
	require.Empty(t, resp.Error)
	require.Equal(t, http.StatusOK, api(t, owner, http.MethodGet, "/api/v1/schedules?team_id="+e.team.Id, nil, &list))
	require.Len(t, list.Items, 1)
	sc := list.Items[0]
	require.Equal(t, "Asia/Tokyo", sc.Timezone)
	require.True(t, sc.CarryOver)
	tokyoLoc := tokyo(t)
	first := time.UnixMilli(sc.NextAt).In(tokyoLoc)
	require.Equal(t, 15, first.Day(), "the first start is on a 15th")
	require.Equal(t, 9, first.Hour())
}
