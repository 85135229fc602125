package e2e

// Buttons and dialogs on the bot's posts, pressed and submitted through Mattermost as
// a mobile app does: a person who only presses and fills forms runs a release to
// production and an incident to close; whoever may not is told why and nothing
// changes. The action and dialog ids are the plugin's own constants.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// offered is the action ids a post shows.
func offered(p *model.Post) []string {
	var ids []string
	for _, a := range p.Attachments() {
		for _, act := range a.Actions {
			ids = append(ids, act.Id)
		}
	}
	return ids
}

func actionOf(t *testing.T, p *model.Post, id string) *model.PostAction {
	t.Helper()
	for _, a := range p.Attachments() {
		for _, act := range a.Actions {
			if act.Id == id {
				return act
			}
		}
	}
	t.Fatalf("post %q offers no %s (offers %v)", p.Message, id, offered(p))
	return nil
}

// offering is the newest post in a channel that offers an action and says text,
// waited for: a pressed button's announcement is posted just after the answer.
func offering(t *testing.T, m *member, channelID, actionID, text string) *model.Post {
	t.Helper()
	var found *model.Post
	eventually(t, 10*time.Second, func() bool {
		posts, _, err := m.client.GetPostsForChannel(context.Background(), channelID, 0, 200, "", false, false)
		require.NoError(t, err)
		for _, id := range posts.Order {
			if p := posts.Posts[id]; slices.Contains(offered(p), actionID) && strings.Contains(p.Message, text) {
				found = p
				return true
			}
		}
		return false
	}, fmt.Sprintf("a post offering %s with %q", actionID, text))
	return found
}

// press presses a button (or picks a menu option) on a post as m, through Mattermost,
// and returns the post as it is afterwards.
func press(t *testing.T, m *member, p *model.Post, actionID, selected string) *model.Post {
	t.Helper()
	actionOf(t, p, actionID)
	_, err := m.client.DoPostActionWithCookie(context.Background(), p.Id, actionID, selected, "")
	require.NoError(t, err, "press %s", actionID)
	after, _, err := m.client.GetPost(context.Background(), p.Id, "")
	require.NoError(t, err)
	return after
}

// pressRefused presses and requires the ephemeral refusal saying want, with the
// workflow and the post unchanged.
func (e *env) pressRefused(m *member, ws <-chan *model.Post, w *workflowJSON, p *model.Post, actionID, selected, want string) {
	e.t.Helper()
	before := e.snapshotOf(w)
	after := press(e.t, m, p, actionID, selected)
	waitFor(e.t, ws, want)
	require.Equal(e.t, offered(p), offered(after), "a refusal leaves the post's buttons")
	require.Equal(e.t, before, e.snapshotOf(w), "a refusal changes nothing")
}

// pressForbidden presses as someone outside the post's channel: Mattermost itself
// refuses (403) before the plugin hears of it, and nothing changes.
func (e *env) pressForbidden(m *member, w *workflowJSON, p *model.Post, actionID string) {
	e.t.Helper()
	before := e.snapshotOf(w)
	resp, err := m.client.DoPostActionWithCookie(context.Background(), p.Id, actionID, "", "")
	require.Error(e.t, err)
	require.Equal(e.t, http.StatusForbidden, resp.StatusCode)
	require.Equal(e.t, before, e.snapshotOf(w), "a refusal changes nothing")
}

// snapshotOf is what a refused action must not change: the workflow and its checklist.
func (e *env) snapshotOf(w *workflowJSON) string {
	e.t.Helper()
	var cur struct {
		workflowJSON
		LastStatus any `json:"last_status"`
	}
	require.Equal(e.t, http.StatusOK, api(e.t, admin(), http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &cur))
	cur.Permissions = workflowJSON{}.Permissions
	raw, err := json.Marshal(struct {
		W     any
		Tasks []taskJSON
	}{cur, e.tasks(admin(), w.ID)})
	require.NoError(e.t, err)
	return string(raw)
}

// submit sends a form as m through Mattermost, as the dialog m was shown would.
func (e *env) submit(m *member, w *workflowJSON, dialog string, values map[string]any) *model.SubmitDialogResponse {
	e.t.Helper()
	resp, _, err := m.client.SubmitInteractiveDialog(context.Background(), model.SubmitDialogRequest{
		URL: app.PluginPath + app.DialogPath(dialog), CallbackId: dialog, State: w.ID,
		ChannelId: w.ChannelID, TeamId: e.team.Id, Submission: values,
	})
	require.NoError(e.t, err, "submit %s", dialog)
	return resp
}

// openedDialog waits for the dialog Mattermost shows m after a press or a command.
func openedDialog(t *testing.T, l *wsLog, callbackID string) model.OpenDialogRequest {
	t.Helper()
	var req model.OpenDialogRequest
	require.Eventually(t, func() bool {
		for _, ev := range l.matching(isType(model.WebsocketEventOpenDialog)) {
			raw, _ := ev.GetData()["dialog"].(string)
			if json.Unmarshal([]byte(raw), &req) == nil && req.Dialog.CallbackId == callbackID {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "the %s dialog", callbackID)
	return req
}

// A release runs from start to production and done by buttons and forms only,
// sign-offs included; each button refuses whoever may not press it.
func TestButtonsRunAReleaseToProduction(t *testing.T) {
	e := newEnv(t)
	lead := e.verified("relmgr", "developer")
	dev := e.verified("dev", "developer")
	qa := e.verified("qa", "qa")
	sec := e.verified("sec", "security")
	leadWS, devWS := listen(t, lead), ephemerals(t, dev)

	// Started from the form (the command without arguments opens it).
	resp, _, err := lead.client.SubmitInteractiveDialog(context.Background(), model.SubmitDialogRequest{
		URL: app.PluginPath + "/api/v1/dialog/start", CallbackId: "start", ChannelId: e.square.Id, TeamId: e.team.Id,
		Submission: map[string]any{"type": "release", "title": "Release 3.1.0"},
	})
	require.NoError(t, err)
	require.Empty(t, resp.Error)
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&q=3.1.0", nil, &page))
	require.Len(t, page.Items, 1)
	w := page.Items[0]
	for _, m := range []*member{dev, qa, sec} {
		_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, m.Id)
		require.NoError(t, err)
	}

	start := firstPost(t, lead, w.ChannelID)
	require.Equal(t, []string{app.ActionStageNext, app.ActionSignoff, app.ActionSignoffNote, app.ActionTaskDone}, offered(start))
	require.Equal(t, "Sign off production (qa + security)", actionOf(t, start, app.ActionSignoff).Name)

	// Not the lead: refused, nothing moves.
	e.pressRefused(dev, devWS, w, start, app.ActionStageNext, "", "Only the release-manager")
	// The lead moves on; the start post no longer offers what its stage offered.
	start = press(t, lead, start, app.ActionStageNext, "")
	require.Empty(t, offered(start), "a passed stage offers nothing")
	require.Equal(t, "code-freeze", e.workflowOf(lead, w.ChannelID).Stage)
	for _, next := range []string{"qa", "staging"} {
		press(t, lead, offering(t, lead, w.ChannelID, app.ActionStageNext, "**Stage:**"), app.ActionStageNext, "")
		require.Equal(t, next, e.workflowOf(lead, w.ChannelID).Stage)
	}

	// At the gate: moving on is refused, naming who signs; a developer cannot sign.
	staging := offering(t, lead, w.ChannelID, app.ActionSignoff, "→ **staging**")
	e.pressRefused(lead, ephemerals(t, lead), w, staging, app.ActionStageNext, "", "Entering production needs a sign-off from qa and security")
	e.pressRefused(dev, devWS, w, staging, app.ActionSignoff, "", "Signing off production needs the discipline qa or security")
	// Each sign-off takes a discipline off the button; the last one leaves Next stage.
	staging = press(t, qa, staging, app.ActionSignoff, "")
	require.Equal(t, "Sign off production (security)", actionOf(t, staging, app.ActionSignoff).Name)
	signed := offering(t, lead, w.ChannelID, app.ActionSignoff, "signed off **production** for **qa**")
	require.Equal(t, []string{app.ActionSignoff, app.ActionSignoffNote}, offered(signed))
	// Security signs with a note, through the form the gate's button opens.
	secLog := listen(t, sec)
	press(t, sec, signed, app.ActionSignoffNote, "")
	form := openedDialog(t, secLog, app.DialogSignoff)
	require.Equal(t, "production", form.Dialog.Elements[0].Default)
	require.Equal(t, "Pick the stage to sign off.", e.submit(sec, w, app.DialogSignoff, map[string]any{"note": "Pen test clean"}).Errors["stage"])
	requireContains(t, e.submit(dev, w, app.DialogSignoff, map[string]any{"stage": "production"}).Error, "Signing off production needs the discipline qa or security")
	require.Empty(t, e.submit(sec, w, app.DialogSignoff, map[string]any{"stage": "production", "note": "Pen test clean"}))
	signed = offering(t, lead, w.ChannelID, app.ActionStageNext, "Pen test clean")
	require.Equal(t, []string{app.ActionStageNext}, offered(signed), "the gate is open: the lead can move on")
	press(t, lead, signed, app.ActionStageNext, "")
	require.Equal(t, "production", e.workflowOf(lead, w.ChannelID).Stage)
	require.Empty(t, offered(press(t, lead, staging, app.ActionStageNext, "")), "a stale post's Next stage moves nothing and goes")
	require.Equal(t, "production", e.workflowOf(lead, w.ChannelID).Stage)

	// The last stage offers a status update and Close, each a form.
	press(t, lead, offering(t, lead, w.ChannelID, app.ActionStageNext, "→ **production**"), app.ActionStageNext, "")
	done := offering(t, lead, w.ChannelID, app.ActionClose, "→ **done**")
	e.pressRefused(dev, devWS, w, done, app.ActionClose, "", "Only the release-manager")
	press(t, lead, done, app.ActionClose, "")
	shown := openedDialog(t, leadWS, app.DialogClose)
	require.Equal(t, w.ID, shown.Dialog.State)
	require.Equal(t, app.PluginPath+app.DialogPath(app.DialogClose), shown.URL)
	long := strings.Repeat("x", app.MaxNoteRunes+1)
	require.Equal(t, "The summary is 4001 characters long; the limit is 4000.", e.submit(lead, w, app.DialogClose, map[string]any{"summary": long}).Errors["summary"])
	require.Equal(t, "active", e.workflowOf(lead, w.ChannelID).Status)
	require.Contains(t, e.submit(dev, w, app.DialogClose, map[string]any{"summary": "Shipped"}).Error, "Only the release-manager")
	require.Empty(t, e.submit(lead, w, app.DialogClose, map[string]any{"summary": "Shipped 3.1.0"}))
	require.Equal(t, "closed", e.workflowOf(lead, w.ChannelID).Status)
	require.NotZero(t, postsContaining(t, lead, w.ChannelID, "Shipped 3.1.0"), "the close post quotes the summary")
}

// An incident runs from start to close by buttons and forms: status updates with a
// severity change, tasks ticked, assigned and reopened, a handoff, the stages.
func TestButtonsAndDialogsRunAnIncident(t *testing.T) {
	e := newEnv(t)
	lead := e.user("commander")
	ops := e.user("ops")
	outsider := e.user("outsider") // in the team, not in the channel
	stranger, _, err := srv.CreateUser(name("stranger"))
	require.NoError(t, err)
	opsLog, opsWS := listen(t, ops), ephemerals(t, ops)
	w := e.start(lead, "incident Checkout errors in EU")
	_, _, err = lead.client.AddChannelMember(context.Background(), w.ChannelID, ops.Id)
	require.NoError(t, err)

	start := firstPost(t, lead, w.ChannelID)
	require.Equal(t, []string{app.ActionStageNext, app.ActionStatus, app.ActionTaskDone}, offered(start))
	e.pressForbidden(outsider, w, start, app.ActionStatus)
	press(t, ops, start, app.ActionStatus, "")
	require.Equal(t, w.ID, openedDialog(t, opsLog, app.DialogStatus).Dialog.State)

	// The status form: its fields are checked one by one, and nothing is posted.
	errs := e.submit(ops, w, app.DialogStatus, map[string]any{"text": "  "}).Errors
	require.Equal(t, "Write the update: what changed, what is next.", errs["text"])
	// Only the lead changes the severity: refused under the field, no update posted.
	errs = e.submit(ops, w, app.DialogStatus, map[string]any{"text": "Rolling back", "severity": "sev1"}).Errors
	requireContains(t, errs["severity"], "Only the commander")
	require.Zero(t, postsContaining(t, lead, w.ChannelID, "Rolling back"))
	require.Empty(t, e.submit(ops, w, app.DialogStatus, map[string]any{"text": "Rolling back the 2.4 deploy", "severity": "sev2"}))
	require.Empty(t, e.submit(lead, w, app.DialogStatus, map[string]any{"text": "EU checkout down", "severity": "sev1"}))
	cur := e.workflowOf(lead, w.ChannelID)
	require.Equal(t, "sev1", cur.Severity)
	require.Equal(t, 1, postsContaining(t, lead, w.ChannelID, "Rolling back the 2.4 deploy"))
	require.Equal(t, 1, postsContaining(t, lead, w.ChannelID, "EU checkout down"))

	// The severity form.
	requireContains(t, e.submit(lead, w, app.DialogSeverity, map[string]any{"severity": "sev9"}).Errors["severity"], `Unknown severity "sev9"`)
	require.Empty(t, e.submit(lead, w, app.DialogSeverity, map[string]any{"severity": "sev2"}))
	require.Equal(t, "sev2", e.workflowOf(lead, w.ChannelID).Severity)

	// The task form, then the task's buttons.
	errs = e.submit(ops, w, app.DialogTask, map[string]any{"text": "", "due": "someday"}).Errors
	require.Equal(t, "Describe the task.", errs["text"])
	requireContains(t, errs["due"], `"someday" is not a due time`)
	require.Empty(t, e.submit(ops, w, app.DialogTask, map[string]any{"text": "Roll back checkout", "due": "2h"}))
	task := offering(t, ops, w.ChannelID, app.ActionTaskDone, "Roll back checkout")
	require.Equal(t, []string{app.ActionTaskDone, app.ActionTaskMine}, offered(task))
	e.pressForbidden(outsider, w, task, app.ActionTaskDone)
	e.pressForbidden(outsider, w, task, app.ActionTaskMine)
	task = press(t, ops, task, app.ActionTaskMine, "")
	assigned := e.tasks(lead, w.ID)
	require.Equal(t, ops.Id, assigned[len(assigned)-1].AssigneeID)
	task = press(t, ops, task, app.ActionTaskDone, "")
	require.Equal(t, []string{app.ActionTaskUndo}, offered(task), "a done task offers Undo")
	require.True(t, e.tasks(lead, w.ID)[len(assigned)-1].Done)
	e.pressForbidden(outsider, w, task, app.ActionTaskUndo)
	task = press(t, ops, task, app.ActionTaskUndo, "")
	require.Equal(t, []string{app.ActionTaskDone, app.ActionTaskMine}, offered(task))
	require.False(t, e.tasks(lead, w.ID)[len(assigned)-1].Done)

	// The checklist menu on the start post ticks the stage's tasks.
	first := e.tasks(lead, w.ID)[0]
	press(t, ops, start, app.ActionTaskDone, "1")
	require.True(t, e.tasks(lead, w.ID)[0].Done, first.Text)
	e.pressRefused(ops, opsWS, w, start, app.ActionTaskDone, "1", "already done")

	// The handoff form.
	require.Equal(t, "Pick who takes the lead.", e.submit(lead, w, app.DialogHandoff, map[string]any{"note": "over to you"}).Errors["user"])
	requireContains(t, e.submit(lead, w, app.DialogHandoff, map[string]any{"user": stranger.Id}).Errors["user"], "is not a member of this team")
	requireContains(t, e.submit(ops, w, app.DialogHandoff, map[string]any{"user": ops.Id}).Error, "Only the commander")
	require.Empty(t, e.submit(lead, w, app.DialogHandoff, map[string]any{"user": ops.Id, "note": "Rollback running"}))
	require.Equal(t, ops.Id, e.workflowOf(lead, w.ChannelID).LeadID)

	// The new commander walks the stages and closes.
	for _, next := range []string{"investigating", "mitigated", "resolved"} {
		press(t, ops, offering(t, ops, w.ChannelID, app.ActionStageNext, ""), app.ActionStageNext, "")
		require.Equal(t, next, e.workflowOf(ops, w.ChannelID).Stage)
	}
	press(t, ops, offering(t, ops, w.ChannelID, app.ActionClose, "→ **resolved**"), app.ActionClose, "")
	require.Empty(t, e.submit(ops, w, app.DialogClose, map[string]any{"summary": "Rolled back; root cause in the retro"}))
	require.Equal(t, "closed", e.workflowOf(ops, w.ChannelID).Status)
}

// A reminder offers a status update and a snooze menu; only the lead snoozes.
func TestReminderButtons(t *testing.T) {
	setPluginSetting(t, "remindercadence", "sev1=2s, sev2=1h, default=0")
	defer setPluginSetting(t, "remindercadence", "sev1=15m, sev2=30m, sev3=2h, sev4=1d, default=1d")
	e := newEnv(t)
	lead := e.user("commander")
	ops := e.user("ops")
	leadLog, opsWS := listen(t, lead), ephemerals(t, ops)
	w := e.start(lead, "incident Payments slow --severity sev1")
	_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, ops.Id)
	require.NoError(t, err)
	eventually(t, 20*time.Second, func() bool {
		return postsContaining(t, lead, w.ChannelID, "no status update for") >= 1
	}, "a reminder")
	reminder := offering(t, lead, w.ChannelID, app.ActionSnooze, "no status update for")
	require.Equal(t, []string{app.ActionStatus, app.ActionSnooze}, offered(reminder))
	var options []string
	for _, o := range actionOf(t, reminder, app.ActionSnooze).Options {
		options = append(options, o.Value)
	}
	require.Equal(t, app.SnoozeOptions, options)

	e.pressRefused(ops, opsWS, w, reminder, app.ActionSnooze, "30m", "Only the commander")
	press(t, lead, reminder, app.ActionSnooze, "1h")
	require.Equal(t, 1, postsContaining(t, lead, w.ChannelID, "snoozed for 1h by @"+lead.Username))
	var cur struct {
		NextReminderAt int64 `json:"next_reminder_at"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &cur))
	require.Greater(t, cur.NextReminderAt, time.Now().Add(50*time.Minute).UnixMilli())

	press(t, lead, reminder, app.ActionStatus, "")
	require.Equal(t, w.ID, openedDialog(t, leadLog, app.DialogStatus).Dialog.State)
	require.Empty(t, e.submit(lead, w, app.DialogStatus, map[string]any{"text": "Payments recovering"}))
	require.Equal(t, 1, postsContaining(t, lead, w.ChannelID, "Payments recovering"))
}
