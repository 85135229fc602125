package e2e

import (
	"context"
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

// inboxJSON is GET /me/todo's answer (app.Inbox).
type inboxJSON struct {
	TeamID string `json:"team_id"`
	Tasks  []struct {
		WorkflowID  string   `json:"workflow_id"`
		ChannelID   string   `json:"channel_id"`
		ChannelName string   `json:"channel_name"`
		DisplayName string   `json:"display_name"`
		URL         string   `json:"url"`
		Number      int      `json:"number"`
		Text        string   `json:"text"`
		DueAt       int64    `json:"due_at"`
		Overdue     bool     `json:"overdue"`
		AssigneeIDs []string `json:"assignee_ids"`
		Private     bool     `json:"private"`
	} `json:"tasks"`
	Signoffs []struct {
		WorkflowID string `json:"workflow_id"`
		URL        string `json:"url"`
		Stage      string `json:"stage"`
		Discipline string `json:"discipline"`
	} `json:"signoffs"`
	StatusDue []struct {
		WorkflowID string `json:"workflow_id"`
		URL        string `json:"url"`
		DueAt      int64  `json:"due_at"`
	} `json:"status_due"`
	Pages []app.InboxPage `json:"pages"`
	Count int             `json:"count"`
}

func (e *env) todo(m *member) inboxJSON {
	e.t.Helper()
	var in inboxJSON
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/me/todo?team_id="+e.team.Id, nil, &in))
	return in
}

func (in inboxJSON) taskTexts() []string {
	var out []string
	for _, t := range in.Tasks {
		out = append(out, t.Text)
	}
	return out
}

// addTaskDue adds a task through the REST door with a due time in milliseconds.
func addTaskDue(t *testing.T, m *member, workflowID, text string, dueAt int64, assignees ...*member) taskJSON {
	t.Helper()
	var ids []string
	for _, a := range assignees {
		ids = append(ids, a.Id)
	}
	var task taskJSON
	var refused apiError
	status := api(t, m, http.MethodPost, "/api/v1/workflows/"+workflowID+"/tasks", map[string]any{"text": text, "due_at": dueAt, "assignee_ids": ids}, &task)
	require.Equal(t, http.StatusCreated, status, refused.Error)
	return task
}

// The inbox across a team's workflows: several assignees, due dates in each person's
// zone, overdue first, gates a verified discipline could sign, status updates due
// where one leads, links to each channel — and nothing from a workflow one cannot read.
func TestInboxAcrossWorkflows(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "developer")
	dana := e.user("dana")
	quinn := e.verified("quinn", "qa")
	outsider := e.user("outsider")
	inZone(t, lead, "America/New_York")
	inZone(t, dana, "Asia/Tokyo")
	inZone(t, quinn, "Europe/Berlin")

	// A release at staging: its production gate waits for qa and security.
	rel := e.releaseAtStaging(lead, "Inbox 1.0.0", quinn)
	answer := e.run(lead, rel.ChannelID, "/devops task add Rotate the signing keys --to @"+dana.Username+",@"+quinn.Username+" --due 2030-12-05 15:00").Text
	requireContains(t, answer, "due 2030-12-05 15:00 America/New_York, your time")
	tasks := e.tasks(lead, rel.ID)
	keys := tasks[len(tasks)-1]
	require.Equal(t, []string{dana.Id, quinn.Id}, keys.AssigneeIDs, "several assignees, in the order given")
	require.Equal(t, dana.Id, keys.AssigneeID, "assignee_id is still there for readers of one assignee: the first")
	require.Equal(t, 1, postsContaining(t, lead, rel.ChannelID, "Rotate the signing keys → @"+dana.Username+", @"+quinn.Username))
	directFromBot(t, dana, "due 2030-12-06 05:00 Asia/Tokyo")
	directFromBot(t, quinn, "due 2030-12-05 21:00 Europe/Berlin")
	requireContains(t, e.run(lead, rel.ChannelID, "/devops tasks").Text, "@"+dana.Username+", @"+quinn.Username)

	// An overdue task (due a few seconds ago) comes first.
	late := addTaskDue(t, lead, rel.ID, "Publish the changelog", time.Now().Add(-20*time.Second).UnixMilli(), dana)

	in := e.todo(dana)
	require.Equal(t, []string{"Publish the changelog", "Rotate the signing keys"}, in.taskTexts())
	require.True(t, in.Tasks[0].Overdue)
	require.Equal(t, late.Number, in.Tasks[0].Number)
	require.False(t, in.Tasks[1].Overdue)
	require.Equal(t, fmt.Sprintf("%s/%s/channels/%s", srv.URL, e.team.Name, rel.ChannelName), in.Tasks[1].URL, "one tap to the channel")
	require.Equal(t, []string{dana.Id, quinn.Id}, in.Tasks[1].AssigneeIDs)
	require.Empty(t, in.Signoffs, "dana has no discipline")
	todo := e.run(dana, e.square.Id, "/devops todo").Text
	requireContains(t, todo, "**Tasks assigned to you** (2)", "**overdue** by", "due 2030-12-06 05:00 Asia/Tokyo",
		"("+in.Tasks[1].URL+")", "with 1 other")
	require.Less(t, strings.Index(todo, "Publish the changelog"), strings.Index(todo, "Rotate the signing keys"), "overdue first")

	// Quinn: the task, and the production gate a verified qa can sign.
	in = e.todo(quinn)
	require.Equal(t, []string{"Rotate the signing keys"}, in.taskTexts())
	require.Len(t, in.Signoffs, 1)
	require.Equal(t, "production", in.Signoffs[0].Stage)
	require.Equal(t, "qa", in.Signoffs[0].Discipline)
	requireContains(t, e.run(quinn, e.square.Id, "/devops todo").Text, "**Sign-offs waiting for qa** (1)", "`/devops signoff production`")
	require.Equal(t, http.StatusOK, api(t, quinn, http.MethodPost, "/api/v1/workflows/"+rel.ID+"/signoff", map[string]string{"stage": "production"}, nil))
	require.Empty(t, e.todo(quinn).Signoffs, "signed: no longer waiting")

	// A private workflow's task shows only while its assignee can read it.
	sec := e.start(lead, "security Leaked token in CI")
	require.True(t, sec.Private)
	addTaskDue(t, lead, sec.ID, "Revoke the token", 0, dana)
	require.Contains(t, e.todo(dana).taskTexts(), "Revoke the token", "the assignee was added to the channel")
	require.NotContains(t, e.todo(outsider).taskTexts(), "Revoke the token")
	_, err := srv.Admin.RemoveUserFromChannel(context.Background(), sec.ChannelID, dana.Id)
	require.NoError(t, err)
	require.NotContains(t, e.todo(dana).taskTexts(), "Revoke the token", "out of the private channel: out of the inbox")
	require.NotContains(t, e.run(dana, e.square.Id, "/devops todo").Text, "Revoke")
	require.Zero(t, e.todo(outsider).Count)
	requireContains(t, e.run(outsider, e.square.Id, "/devops todo").Text, "Nothing waits for you")

	// A workflow one leads whose status update is due (a cadence of seconds).
	setPluginSetting(t, "remindercadence", "sev1=2s, sev2=1h, default=0")
	defer setPluginSetting(t, "remindercadence", "sev1=15m, sev2=30m, sev3=2h, sev4=1d, default=1d")
	inc := e.start(lead, "incident Inbox latency --severity sev1")
	eventually(t, 10*time.Second, func() bool {
		for _, st := range e.todo(lead).StatusDue {
			if st.WorkflowID == inc.ID {
				return true
			}
		}
		return false
	}, "the lead's status update to fall due")
	requireContains(t, e.run(lead, e.square.Id, "/devops todo").Text, "**Status updates due in workflows you lead**", "America/New_York")
	require.Empty(t, e.run(lead, inc.ChannelID, "/devops status Mitigated").Text)
	for _, st := range e.todo(lead).StatusDue {
		require.NotEqual(t, inc.ID, st.WorkflowID, "an update was just posted")
	}

	// Several assignees through the other doors: assign, the button, the PATCH.
	require.Empty(t, e.run(lead, rel.ChannelID, fmt.Sprintf("/devops task assign %d @%s @%s", late.Number, quinn.Username, dana.Username)).Text)
	require.Equal(t, []string{quinn.Id, dana.Id}, e.tasks(lead, rel.ID)[len(tasks)].AssigneeIDs)
	var patched taskJSON
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPatch, fmt.Sprintf("/api/v1/workflows/%s/tasks/%d", rel.ID, late.Number),
		map[string]any{"assignees": []string{dana.Username}}, &patched))
	require.Equal(t, []string{dana.Id}, patched.AssigneeIDs)

	// Bad input is refused, naming the field; another team's inbox is not yours to read.
	var refused apiError
	require.Equal(t, http.StatusBadRequest, api(t, dana, http.MethodGet, "/api/v1/me/todo", nil, &refused))
	requireContains(t, refused.Error, "team_id")
	other, err := srv.CreateTeam(name("team"))
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, api(t, dana, http.MethodGet, "/api/v1/me/todo?team_id="+other.Id, nil, &refused))
}

// botDMsContaining counts the bot's direct messages to m that contain text.
func botDMsContaining(t *testing.T, m *member, text string) []*model.Post {
	t.Helper()
	ctx := context.Background()
	bot, _, err := srv.Admin.GetUserByUsername(ctx, "devops", "")
	require.NoError(t, err)
	dm, _, err := m.client.CreateDirectChannel(ctx, m.Id, bot.Id)
	require.NoError(t, err)
	posts, _, err := m.client.GetPostsForChannel(ctx, dm.Id, 0, 200, "", false, false)
	require.NoError(t, err)
	var out []*model.Post
	for _, id := range posts.Order {
		if p := posts.Posts[id]; p.UserId == bot.Id && strings.Contains(p.Message, text) {
			out = append(out, p)
		}
	}
	return out
}

func timelineCount(t *testing.T, m *member, workflowID, typ string) int {
	t.Helper()
	var page struct {
		Items []struct {
			Type string `json:"type"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/workflows/"+workflowID+"/timeline?per_page=200", nil, &page))
	n := 0
	for _, ev := range page.Items {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// A task's due time passing tells each assignee once — one direct message with a Done
// button, one timeline event — across a plugin restart, in each one's time zone.
func TestDueReminderOnce(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	dana := e.user("dana")
	ben := e.user("ben")
	inZone(t, dana, "Asia/Tokyo")
	inZone(t, ben, "America/New_York")
	w := e.start(lead, "incident Due reminders")
	task := addTaskDue(t, lead, w.ID, "Page the database team", time.Now().Add(3*time.Second).UnixMilli(), dana, ben)
	marker := fmt.Sprintf("**Task #%d** in ~%s is due", task.Number, w.ChannelName)

	var danas []*model.Post
	eventually(t, 15*time.Second, func() bool {
		danas = botDMsContaining(t, dana, marker)
		return len(danas) > 0 && len(botDMsContaining(t, ben, marker)) > 0
	}, "both assignees' due reminders")
	requireContains(t, danas[0].Message, "Page the database team", "Asia/Tokyo")
	requireContains(t, botDMsContaining(t, ben, marker)[0].Message, "America/New_York")
	require.Contains(t, offered(danas[0]), app.ActionTaskDone)
	require.Equal(t, 1, timelineCount(t, lead, w.ID, app.EventTaskDue))
	requireContains(t, e.run(lead, w.ChannelID, "/devops timeline").Text, "Task due", "reminded @\u200b"+dana.Username+", @\u200b"+ben.Username)

	// Restarts and further ticks do not repeat it.
	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	time.Sleep(3 * time.Second) // three ticks of the 1 s scheduler
	require.Len(t, botDMsContaining(t, dana, marker), 1)
	require.Len(t, botDMsContaining(t, ben, marker), 1)
	require.Equal(t, 1, timelineCount(t, lead, w.ID, app.EventTaskDue))

	// The Done button in the direct message ticks the task, and the message then offers Undo.
	after := press(t, dana, danas[0], app.ActionTaskDone, "")
	require.True(t, e.tasks(lead, w.ID)[task.Number-1].Done)
	require.Contains(t, offered(after), app.ActionTaskUndo)
	require.NotContains(t, e.todo(dana).taskTexts(), "Page the database team")
}

// weekdayZone finds a fixed-offset zone where it is a weekday now and one 12 hours
// away, so a test can put one person at the start of their working day and another
// in their night; false on the hours of a weekend when no zone on Earth is on a weekday.
func weekdayZone(now time.Time) (morning, night string, ok bool) {
	for _, off := range []int{0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 9, -9, 10, -10, 11, -11, 12, -12, 13, 14} {
		local := now.In(time.FixedZone("", off*3600))
		if local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
			continue
		}
		other := off - 12
		if other < -12 {
			other = off + 12
		}
		return etcZone(off), etcZone(other), true
	}
	return "", "", false
}

// etcZone names the IANA zone of a whole-hour offset from UTC: Etc/GMT-9 is UTC+9.
func etcZone(off int) string {
	switch {
	case off == 0:
		return "Etc/UTC"
	case off > 0:
		return fmt.Sprintf("Etc/GMT-%d", off)
	default:
		return fmt.Sprintf("Etc/GMT+%d", -off)
	}
}

// workingHoursStartingNow is a working-hours setting whose day begins now in zone.
func workingHoursStartingNow(t *testing.T, zone string) string {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	local := time.Now().In(loc)
	end := local.Add(8 * time.Hour)
	return fmt.Sprintf("%02d:%02d-%02d:%02d", local.Hour(), local.Minute(), end.Hour(), end.Minute())
}

// The daily digest comes at the start of each person's working hours in their own
// zone, only when something waits for them, once per local day across ticks and a
// plugin restart, and not at all when they turned it off.
func TestDigestAtEachPersonsMorning(t *testing.T) {
	morning, night, ok := weekdayZone(time.Now())
	if !ok {
		t.Skip("no zone on Earth is on a weekday right now (the digest comes on weekdays); the app's scheduler test covers it with a clock of its own")
	}
	e := newEnv(t)
	lead := e.user("lead")
	amy := e.user("amy") // her working day begins now
	bob := e.user("bob") // it is night for him
	cat := e.user("cat") // her day begins now too, but she turned the digest off
	dan := e.user("dan") // his day begins now, and nothing waits for him
	for _, m := range []*member{amy, cat, dan} {
		inZone(t, m, morning)
	}
	inZone(t, bob, night)
	inZone(t, lead, night)
	requireContains(t, e.run(cat, e.square.Id, "/devops digest off").Text, "daily digest is **off**")
	requireContains(t, e.run(amy, e.square.Id, "/devops digest").Text, "daily digest is **on**")
	var pref struct {
		Enabled bool `json:"enabled"`
	}
	require.Equal(t, http.StatusOK, api(t, cat, http.MethodGet, "/api/v1/me/digest", nil, &pref))
	require.False(t, pref.Enabled)

	w := e.start(lead, "incident Digest morning")
	addTaskDue(t, lead, w.ID, "Review the failover runbook", 0, amy, bob, cat)

	const heading = "what waits for you today"
	setPluginSetting(t, "workinghours", workingHoursStartingNow(t, morning))
	defer setPluginSetting(t, "workinghours", "09:00-17:00")
	var digests []*model.Post
	eventually(t, 15*time.Second, func() bool {
		digests = botDMsContaining(t, amy, heading)
		return len(digests) > 0
	}, "amy's digest at the start of her day")
	requireContains(t, digests[0].Message, "Review the failover runbook", fmt.Sprintf("(%s/%s/channels/%s)", srv.URL, e.team.Name, w.ChannelName), "/devops digest off")

	// More ticks and a restart send no second one the same day; the others get none.
	time.Sleep(2 * time.Second)
	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	time.Sleep(3 * time.Second)
	require.Len(t, botDMsContaining(t, amy, heading), 1)
	require.Empty(t, botDMsContaining(t, bob, heading), "his night")
	require.Empty(t, botDMsContaining(t, cat, heading), "turned off")
	require.Empty(t, botDMsContaining(t, dan, heading), "nothing waits for him")

	// Bob's morning comes (the working hours move to his now): his digest; still one for amy.
	setPluginSetting(t, "workinghours", workingHoursStartingNow(t, night))
	if isWeekday(t, night) {
		eventually(t, 15*time.Second, func() bool { return len(botDMsContaining(t, bob, heading)) == 1 }, "bob's digest at the start of his day")
	} else {
		time.Sleep(2 * time.Second)
		require.Empty(t, botDMsContaining(t, bob, heading), "his weekend")
	}
	time.Sleep(2 * time.Second)
	require.Len(t, botDMsContaining(t, amy, heading), 1)
	require.Empty(t, botDMsContaining(t, cat, heading))
}

func isWeekday(t *testing.T, zone string) bool {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	d := time.Now().In(loc).Weekday()
	return d != time.Saturday && d != time.Sunday
}

// A node that dies after claiming a direct message (a due reminder, a digest) leaves
// the claim: a later tick sends it, unless it is already in the person's direct
// channel; one that could not be sent for an hour is dropped. Each is sent once.
func TestDirectMessageClaimedByACrashedNodeIsSentOnce(t *testing.T) {
	e := newEnv(t)
	dana := e.user("dana")
	db, err := srv.DB()
	require.NoError(t, err)
	ctx := context.Background()
	bot, _, err := srv.Admin.GetUserByUsername(ctx, "devops", "")
	require.NoError(t, err)
	dm, _, err := dana.client.CreateDirectChannel(ctx, dana.Id, bot.Id)
	require.NoError(t, err)
	lostID, sentID, staleID := model.NewId(), model.NewId(), model.NewId()
	claimed := model.GetMillis() - 60_000
	sent := &model.Post{ChannelId: dm.Id, Message: "☀️ sent just before the node died"}
	sent.AddProp(app.PendingDMProp, sentID)
	_, _, err = dana.client.CreatePost(ctx, sent)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO devops_pending_dms (id, user_id, message, claimed_at) VALUES
		($1, $4, '☀️ lost in a crash', $5), ($2, $4, '☀️ sent just before the node died', $5), ($3, $4, '☀️ two hours old', $5::bigint - 7200000)`,
		lostID, sentID, staleID, dana.Id, claimed)
	require.NoError(t, err)

	eventually(t, 20*time.Second, func() bool {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_pending_dms WHERE id IN ($1, $2, $3)`, lostID, sentID, staleID).Scan(&n))
		return n == 0
	}, "the claims to be settled")
	count := map[string]int{}
	posts, _, err := dana.client.GetPostsForChannel(ctx, dm.Id, 0, 200, "", false, false)
	require.NoError(t, err)
	for _, p := range posts.Posts {
		if id, ok := p.GetProp(app.PendingDMProp).(string); ok {
			count[id]++
		}
	}
	require.Equal(t, 1, count[lostID], "the lost message is sent")
	require.Equal(t, 1, count[sentID], "the sent one is not sent again")
	require.Zero(t, count[staleID], "the stale one is dropped")
}
