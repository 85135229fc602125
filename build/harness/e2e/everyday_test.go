package e2e

// Everyday use: what people type is what gets posted, and looking never moves anything.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

// Status updates, notes and task texts reach the channel and the record as typed:
// apostrophes, quotes, dashes, option-like words and line breaks.
func TestTextIsPostedAsTyped(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	dev := e.user("dev")
	w := e.start(lead, "incident It's the checkout DB")
	require.Equal(t, "It's the checkout DB", w.Title)

	var view struct {
		LastStatus struct {
			Text string `json:"text"`
		} `json:"last_status"`
	}
	for _, text := range []string{
		"We're rolling back; it's the 2.4.0 deploy",
		"Impact: checkout down in EU\nMitigation: rolled back 2.4.0\nNext: update in 30 minutes",
		`--dry-run showed no drift; step 1 -- done; "quoted" stays`,
	} {
		require.Empty(t, e.run(lead, w.ChannelID, "/devops status "+text).Text, text)
		require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &view))
		require.Equal(t, text, view.LastStatus.Text)
		quoted := "> " + strings.ReplaceAll(text, "\n", "\n> ")
		requireContains(t, lastPost(t, lead, w.ChannelID).Message, quoted)
	}

	// A task's assignee is named with --to; a mention at the end is part of the text.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task add Sync with @"+dev.Username).Text)
	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Don't drop the replica --to @"+dev.Username+" --due 2h").Text, "is due ", "UTC, your time")
	tasks := e.tasks(lead, w.ID)
	sync, replica := tasks[len(tasks)-2], tasks[len(tasks)-1]
	require.Equal(t, "Sync with @"+dev.Username, sync.Text)
	require.Empty(t, sync.AssigneeID)
	require.Equal(t, "Don't drop the replica", replica.Text)
	require.Equal(t, dev.Id, replica.AssigneeID)
	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Sync --too @"+dev.Username).Text, "did you mean `--to`")

	require.Empty(t, e.run(lead, w.ChannelID, "/devops close It's fixed").Text)
	var closed struct {
		Status  string `json:"status"`
		Summary string `json:"summary"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &closed))
	require.Equal(t, "closed", closed.Status)
	require.Equal(t, "It's fixed", closed.Summary)
}

// A bare `/devops stage` shows where the workflow stands and moves nothing; the REST
// route without a stage is a 400.
func TestLookingNeverMoves(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "developer")
	w := e.start(lead, "release Release 8.1.0")
	answer := e.run(lead, w.ChannelID, "/devops stage").Text
	requireContains(t, answer, "Stage **planning** (1 of 6)", "Next: **code-freeze**", "`/devops stage next` moves on")
	require.Equal(t, "planning", e.workflowOf(lead, w.ChannelID).Stage)

	var refusal apiError
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, "/api/v1/workflows/"+w.ID+"/stage", map[string]any{}, &refusal))
	requireContains(t, refusal.Error, "Name the stage to move to")
	require.Equal(t, "planning", e.workflowOf(lead, w.ChannelID).Stage)

	for range 3 {
		e.run(lead, w.ChannelID, "/devops stage next")
	}
	requireContains(t, e.run(lead, w.ChannelID, "/devops stage").Text, "Next: **production**, gated by qa ⏳ missing, security ⏳ missing.")
}

// A task given to someone outside the channel reaches them: they are added to the
// channel and get a direct message naming the task; where Mattermost does not let
// the actor add members, the assignment is refused saying why and nothing changes.
func TestAssigneesAreTold(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead := e.user("lead")
	dev := e.user("dev")
	ops := e.user("ops")
	w := e.start(lead, "incident Checkout latency")

	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Roll back checkout-api --to @"+dev.Username+" --due 30m").Text, "your time")
	tasks := e.tasks(lead, w.ID)
	task := tasks[len(tasks)-1]
	require.Equal(t, dev.Id, task.AssigneeID)
	_, _, err := srv.Admin.GetChannelMember(ctx, w.ChannelID, dev.Id, "")
	require.NoError(t, err, "the assignee was added to the channel")
	directFromBot(t, dev, fmt.Sprintf("gave you **task #%d** in ~%s: Roll back checkout-api · due ", task.Number, w.ChannelName))
	directFromBot(t, dev, "added you to ~"+w.ChannelName) // and the briefing, as for anyone added

	// Assigning an existing task tells the new assignee the same way.
	require.Empty(t, e.run(lead, w.ChannelID, fmt.Sprintf("/devops task assign %d @%s", tasks[0].Number, ops.Username)).Text)
	directFromBot(t, ops, fmt.Sprintf("**task #%d**", tasks[0].Number))

	// Without Mattermost's permission to add members, an outsider is not assigned.
	patchRole(t, model.ChannelUserRoleId, without(model.PermissionManagePublicChannelMembers.Id))
	outsider := e.user("outsider")
	answer := e.run(dev, w.ChannelID, "/devops task add Check the CDN --to @"+outsider.Username).Text
	requireContains(t, answer, "is not in ~"+w.ChannelName, "`manage_public_channel_members`")
	require.Len(t, e.tasks(lead, w.ID), len(tasks), "nothing was added")
}

// An urgent support escalation is chased within the hour, and a severity change says
// the new cadence.
func TestUrgentSeveritiesAreChasedSoon(t *testing.T) {
	e := newEnv(t)
	owner := e.user("owner")
	w := e.start(owner, "support Checkout fails for ACME --severity p1")
	var view struct {
		CreatedAt      int64 `json:"created_at"`
		NextReminderAt int64 `json:"next_reminder_at"`
	}
	require.Equal(t, http.StatusOK, api(t, owner, http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &view))
	require.Equal(t, int64(30*60*1000), view.NextReminderAt-view.CreatedAt, "p1: the first reminder 30 minutes after the start")
	require.Empty(t, e.run(owner, w.ChannelID, "/devops severity p4").Text)
	requireContains(t, lastPost(t, owner, w.ChannelID).Message, "p1 → **p4**", "A status update is due every 1d.")
}

// inZone sets a user's Mattermost time zone (manual), as they would in their settings.
func inZone(t *testing.T, m *member, tz string) {
	t.Helper()
	m.Timezone = model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": tz}
	_, _, err := srv.Admin.UpdateUser(context.Background(), m.User)
	require.NoError(t, err)
}

// A due time is read in the typist's time zone and kept out of the task's text; the
// channel reads it in UTC, the typist and the assignee in their own time.
func TestDueTimesAreReadInThePersonsZone(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	dev := e.user("dev")
	inZone(t, lead, "America/New_York")
	inZone(t, dev, "Asia/Tokyo")
	w := e.start(lead, "incident Checkout latency")

	answer := e.run(lead, w.ChannelID, "/devops task add Post-incident review --to @"+dev.Username+" --due 2030-12-05 15:00").Text
	tasks := e.tasks(lead, w.ID)
	task := tasks[len(tasks)-1]
	require.Equal(t, fmt.Sprintf("Task #%d is due 2030-12-05 15:00 America/New_York, your time.", task.Number), answer)
	require.Equal(t, "Post-incident review", task.Text)
	require.Equal(t, time.Date(2030, 12, 5, 20, 0, 0, 0, time.UTC).UnixMilli(), task.DueAt)
	require.Equal(t, 1, postsContaining(t, lead, w.ChannelID, "Post-incident review → @"+dev.Username+" · due 2030-12-05 20:00 UTC"), "the channel reads UTC")
	directFromBot(t, dev, "due 2030-12-06 05:00 Asia/Tokyo")

	requireContains(t, e.run(lead, w.ChannelID, "/devops tasks").Text, "due 2030-12-05 15:00 America/New_York")
	timeline := e.run(dev, w.ChannelID, "/devops timeline").Text
	requireContains(t, timeline, "| When (Asia/Tokyo) |", time.Now().In(tokyo(t)).Format("| 2006-01-02 "))

	// `tomorrow` and a time today are days in the typist's zone; what cannot be read changes nothing.
	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Write the summary --due tomorrow 9:00").Text, " 09:00 America/New_York, your time.")
	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Write the summary --due someday").Text, `"someday" is not a due time`, "(America/New_York)")
	require.Len(t, e.tasks(lead, w.ID), len(tasks)+1)
}

func tokyo(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	return loc
}

// suggestions are what Mattermost's autocomplete offers m for a partly typed command
// in a channel (the dynamic lists are fetched from the plugin by the server).
func (e *env) suggestions(m *member, channelID, typed string) []string {
	e.t.Helper()
	q := url.Values{"user_input": {typed}, "channel_id": {channelID}}
	resp, err := m.client.DoAPIGet(context.Background(), "/teams/"+e.team.Id+"/commands/autocomplete_suggestions?"+q.Encode(), "")
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var got []model.AutocompleteSuggestion
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(&got))
	items := make([]string, 0, len(got))
	for _, s := range got {
		items = append(items, s.Suggestion)
	}
	return items
}

// Gates guide: sign-off autocomplete offers the gated stages ahead; skipping stages
// is said; the stage before a gate invites its signers; going back voids the gate's
// sign-offs, on the record; a lead who can sign is told so.
func TestGatesGuideTheRest(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "developer")
	qa := e.verified("qa", "qa")
	sec := e.verified("sec", "security")
	w := e.start(lead, "release Release 9.1.0")
	require.Equal(t, []string{"production"}, e.suggestions(lead, w.ChannelID, "/devops signoff "))

	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage qa").Text)
	requireContains(t, lastPost(t, lead, w.ChannelID).Message, "planning → **qa**", "skipping code-freeze")

	// staging comes before the production gate: its security signer is invited.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	requireContains(t, lastPost(t, lead, w.ChannelID).Message, "**Invited to sign the production gate:** @"+sec.Username+" (security)")
	_, _, err := srv.Admin.GetChannelMember(context.Background(), w.ChannelID, sec.Id, "")
	require.NoError(t, err, "the security signer is in the channel")

	require.Empty(t, e.run(qa, w.ChannelID, "/devops signoff production").Text)
	require.Empty(t, e.run(sec, w.ChannelID, "/devops signoff production").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage staging").Text)
	requireContains(t, lastPost(t, lead, w.ChannelID).Message, "voids the sign-offs of the gates ahead: production qa by @"+qa.Username+", production security by @"+sec.Username)
	voided := eventsOfType(timelineOf(t, lead, w.ID), "signoffs_voided")
	require.Len(t, voided, 1, "the voiding is on the timeline")
	requireContains(t, voided[0].Summary, "Back to staging by @"+lead.Username)
	requireContains(t, e.run(lead, w.ChannelID, "/devops stage next").Text, "Entering production needs a sign-off from qa and security (missing: qa and security)")

	// A QA lead who is verified qa is told she can sign, not to ask someone.
	qaLead := e.verified("qalead", "qa")
	cycle := e.start(qaLead, "qa Regression 9.1")
	e.run(qaLead, cycle.ChannelID, "/devops stage regression")
	requireContains(t, e.run(qaLead, cycle.ChannelID, "/devops stage next").Text, "You can sign it for qa: `/devops signoff approved`.")
}

// The record says who did what in words: reopening a task is its own event, and
// every row of `/devops timeline` names its actor and a label, not an event id.
func TestTheRecordNamesWhoAndWhat(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	w := e.start(lead, "incident Search is slow")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status Looking at the index").Text)
	e.run(lead, w.ChannelID, "/devops task add Rebuild the index")
	tasks := e.tasks(lead, w.ID)
	n := tasks[len(tasks)-1].Number
	require.Empty(t, e.run(lead, w.ChannelID, fmt.Sprintf("/devops task done %d", n)).Text)
	require.Empty(t, e.run(lead, w.ChannelID, fmt.Sprintf("/devops task undo %d", n)).Text)
	events := timelineOf(t, lead, w.ID)
	last := events[len(events)-1]
	require.Equal(t, "task_reopened", last.Type)
	require.Equal(t, lead.Id, last.ActorID)

	timeline := e.run(lead, w.ChannelID, "/devops timeline").Text
	who := "| @" + lead.Username + " | "
	requireContains(t, timeline, who+"Started |", who+"Status update | Looking at the index", who+"Task done |", who+"Task reopened | Task \\#")
	require.NotContains(t, timeline, "status_update")
}

// A support engineer declares their discipline, and a support escalation invites them.
func TestSupportEngineersHaveADiscipline(t *testing.T) {
	e := newEnv(t)
	owner := e.user("owner")
	engineer := e.withDiscipline("engineer", "support")
	w := e.start(owner, "support ACME cannot log in --severity p2")
	_, _, err := srv.Admin.GetChannelMember(context.Background(), w.ChannelID, engineer.Id, "")
	require.NoError(t, err, "the support engineer was invited")
	requireContains(t, e.run(engineer, w.ChannelID, "/devops tasks").Text, "Reproduce the problem · _support_")
}

// `/devops help <command>` gives that command's usage and examples.
func TestHelpForOneCommand(t *testing.T) {
	e := newEnv(t)
	m := e.user("reader")
	answer := e.run(m, e.square.Id, "/devops help task").Text
	requireContains(t, answer, "#### /devops task", "**Examples**", "- `/devops task add Post-incident review --due 2030-12-05 15:00`")
	requireContains(t, e.run(m, e.square.Id, "/devops help timelin").Text, "Did you mean `/devops timeline`?")
}

// An admin adds a discipline with aliases in the System Console; people declare it by
// an alias, templates may gate on it, and a taken name is refused on save.
func TestAdditionalDisciplines(t *testing.T) {
	e := newEnv(t)
	setPluginSettings(t, map[string]any{
		"additionaldisciplines": "data: dba, analyst",
		"templateoverrides":     `{"change":{"start_disciplines":["data"],"stages":[{"name":"proposed"},{"name":"rollout","gate":["data"]}]}}`,
	})
	t.Cleanup(func() { setPluginSettings(t, map[string]any{"additionaldisciplines": "", "templateoverrides": ""}) })
	dora := e.user("dora")
	requireContains(t, e.run(dora, e.square.Id, "/devops discipline dba").Text, "Your discipline is now **data**")
	w := e.start(dora, "change Move reporting to the warehouse")
	requireContains(t, e.run(dora, w.ChannelID, "/devops stage").Text, "Next: **rollout**, gated by data ⏳ missing")

	err := srv.SetPluginSetting("additionaldisciplines", "qa: testers")
	require.Error(t, err)
	requireContains(t, err.Error(), "AdditionalDisciplines:", `"qa" is already a discipline`)
}
