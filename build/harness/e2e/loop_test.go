package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/app"
)

type taskJSON struct {
	Number     int    `json:"number"`
	Text       string `json:"text"`
	Stage      string `json:"stage"`
	Discipline string `json:"discipline"`
	AssigneeID string `json:"assignee_id"`
	DueAt      int64  `json:"due_at"`
	Done       bool   `json:"done"`
	DoneBy     string `json:"done_by"`

	// AssigneeIDs are all of its assignees (the inbox, issue 17).
	AssigneeIDs []string `json:"assignee_ids"`
}

func (e *env) tasks(m *member, id string) []taskJSON {
	e.t.Helper()
	var page struct {
		Items []taskJSON `json:"items"`
	}
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/workflows/"+id+"/tasks", nil, &page))
	return page.Items
}

func TestStatusTasksAndTimeline(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	helper := e.user("helper")
	outsider := e.user("outsider")
	w := e.start(lead, "incident Search is slow --severity sev2")
	_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, helper.Id)
	require.NoError(t, err)

	// The first stage's checklist is there from the start.
	initial := e.tasks(lead, w.ID)
	require.Len(t, initial, 3)
	require.Equal(t, "triage", initial[0].Stage)

	require.Empty(t, e.run(lead, w.ChannelID, "/devops status Rolled back the index change @here").Text)
	post := lastPost(t, lead, w.ChannelID)
	requireContains(t, post.Message, "Status update", "Rolled back the index change @\u200bhere")
	// Without text, the command opens the status form.
	leadLog := listen(t, lead)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status").Text)
	require.Equal(t, w.ID, openedDialog(t, leadLog, app.DialogStatus).Dialog.State)

	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Check the replica lag --to @"+helper.Username+" --due 2h").Text, "your time")
	tasks := e.tasks(lead, w.ID)
	require.Len(t, tasks, 4)
	require.Equal(t, 4, tasks[3].Number)
	require.Equal(t, helper.Id, tasks[3].AssigneeID)
	require.NotZero(t, tasks[3].DueAt)
	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Something --due yesterday").Text, `"yesterday" is not a due time`)
	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Something --due 2001-01-01").Text, "is in the past")
	requireContains(t, e.run(lead, w.ChannelID, "/devops task done 99").Text, "No task #99")
	requireContains(t, e.run(lead, w.ChannelID, "/devops task done x").Text, "not a task number")

	// Two people finishing the same task at once: one succeeds, one is told it is done.
	var wg sync.WaitGroup
	answers := make(chan string, 2)
	for _, m := range []*member{lead, helper} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _, err := m.client.ExecuteCommandWithTeam(context.Background(), w.ChannelID, e.team.Id, "/devops task done 4")
			require.NoError(t, err)
			answers <- resp.Text
		}()
	}
	wg.Wait()
	close(answers)
	var texts []string
	for a := range answers {
		texts = append(texts, a)
	}
	require.ElementsMatch(t, []string{"", texts[0] + texts[1]}, texts)
	requireContains(t, texts[0]+texts[1], "Task #4 is already done")

	// The REST door: uncheck, and an outsider cannot see a public workflow's tasks? They can read, not write.
	var task taskJSON
	require.Equal(t, http.StatusOK, api(t, helper, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/tasks/4", map[string]bool{"done": false}, &task))
	require.False(t, task.Done)
	var errBody apiError
	require.Equal(t, http.StatusForbidden, api(t, outsider, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/tasks/4", map[string]bool{"done": true}, &errBody))
	requireContains(t, errBody.Error, "Only members of ~"+w.ChannelName)
	require.Equal(t, http.StatusForbidden, api(t, outsider, http.MethodPost, "/api/v1/workflows/"+w.ID+"/status", map[string]string{"text": "hi"}, &errBody), errBody.Error)

	// Assigning: by command and by the REST door.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task assign 1 @"+helper.Username).Text)
	requireContains(t, lastPost(t, lead, w.ChannelID).Message, "Task #1:", "→ @"+helper.Username)
	requireContains(t, e.run(lead, w.ChannelID, "/devops task assign 1 @"+helper.Username).Text, "already @"+helper.Username+"'s")
	requireContains(t, e.run(lead, w.ChannelID, "/devops task assign 1 @nobody-here").Text, "No user @nobody-here")
	require.Equal(t, http.StatusOK, api(t, helper, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/tasks/2", map[string]string{"assignee": lead.Username}, &task))
	require.Equal(t, lead.Id, task.AssigneeID)
	require.Equal(t, http.StatusBadRequest, api(t, helper, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/tasks/2", map[string]any{"assignee": lead.Username, "done": true}, &errBody))

	// Entering a stage brings its checklist, once: going back and forward again does not repeat it.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	require.Len(t, e.tasks(lead, w.ID), 6)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage triage").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	require.Len(t, e.tasks(lead, w.ID), 6)
	list := e.run(lead, w.ChannelID, "/devops tasks").Text
	requireContains(t, list, "Tasks: 6 open of 6", "Check dashboards, alerts and logs · _operations_")

	var timeline struct {
		Items []struct {
			Type    string `json:"type"`
			ActorID string `json:"actor_id"`
			At      int64  `json:"at"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID+"/timeline", nil, &timeline))
	var types []string
	for i, ev := range timeline.Items {
		types = append(types, ev.Type)
		if i > 0 {
			require.GreaterOrEqual(t, ev.At, timeline.Items[i-1].At, "oldest first")
		}
	}
	require.Equal(t, "created,status_update,task_added,task_done,task_reopened,task_assigned,task_assigned,stage_changed,stage_changed,stage_changed", strings.Join(types, ","))
	requireContains(t, e.run(lead, w.ChannelID, "/devops timeline").Text, "| When (UTC) | Who | What |", "| @"+lead.Username+" | Status update | Rolled back")
}

func TestWebappContract(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	other := e.user("other")
	w := e.start(lead, "incident Webapp contract")
	e.start(lead, "incident Second one")

	var summary struct {
		Active map[string]int `json:"active"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/me/summary?team_id="+e.team.Id, nil, &summary))
	require.Equal(t, map[string]int{"incident": 2}, summary.Active)
	var otherSummary struct {
		Active map[string]int `json:"active"`
	}
	require.Equal(t, http.StatusOK, api(t, other, http.MethodGet, "/api/v1/me/summary?team_id="+e.team.Id, nil, &otherSummary))
	require.Empty(t, otherSummary.Active, "only workflows the user is in")

	due := time.Now().Add(3 * time.Hour).UnixMilli()
	var task taskJSON
	require.Equal(t, http.StatusCreated, api(t, lead, http.MethodPost, "/api/v1/workflows/"+w.ID+"/tasks",
		map[string]any{"text": "From the panel", "assignee_id": lead.Id, "due_at": due}, &task))
	require.Equal(t, lead.Id, task.AssigneeID)
	require.Equal(t, due, task.DueAt)
	var errBody apiError
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, "/api/v1/workflows/"+w.ID+"/tasks",
		map[string]any{"text": "x", "assignee_id": other.Id, "assignee": "@" + other.Username}, &errBody))
	requireContains(t, errBody.Error, "Name the assignee once")
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, "/api/v1/workflows/"+w.ID+"/tasks",
		map[string]any{"text": "x", "due_at": 1000}, &errBody))
	requireContains(t, errBody.Error, "in the past")

	// /devops panel asks this user's webapps, and only theirs, to open the panel.
	// listen waits for the server's hello: an event published before the socket is
	// registered reaches nobody, and a fast command would race it.
	ws := listen(t, lead)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops panel").Text)
	openPanel := isType(model.WebsocketEventType("custom_" + harness.PluginID + "_open_panel"))
	require.Eventually(t, func() bool { return len(ws.matching(openPanel)) > 0 }, 10*time.Second, 20*time.Millisecond, "no open_panel event")
}

func TestStatusBroadcast(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "security")
	broadcast, _, err := srv.Admin.CreateChannel(context.Background(), &model.Channel{TeamId: e.team.Id, Name: "incident-updates", DisplayName: "Incident updates", Type: model.ChannelTypeOpen})
	require.NoError(t, err)
	setPluginSetting(t, "broadcastchannels", "incident: "+broadcast.Id+"\nsecurity: "+broadcast.Id)
	defer setPluginSetting(t, "broadcastchannels", "")

	w := e.start(lead, "incident Broadcast me")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status Mitigation deployed to EU").Text)
	eventually(t, 10*time.Second, func() bool {
		return postsContaining(t, lead, broadcast.Id, "Mitigation deployed to EU") == 1
	}, "the broadcast")
	// The start's own broadcast is posted after its answer: the update is found by its text.
	requireContains(t, offering(t, lead, broadcast.Id, app.ActionJoin, "Mitigation deployed to EU").Message, "Status update", "~"+w.ChannelName)

	// A private workflow's updates stay in its channel.
	sec := e.start(lead, "security Secret leak")
	require.Empty(t, e.run(lead, sec.ChannelID, "/devops status Rotated the keys").Text)
	time.Sleep(time.Second)
	require.Zero(t, postsContaining(t, lead, broadcast.Id, "Rotated the keys"))
}
