package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// ephemerals collects the ephemeral posts a user receives over the websocket.
func ephemerals(t *testing.T, m *member) <-chan *model.Post {
	t.Helper()
	ws, err := model.NewWebSocketClient4(strings.Replace(srv.URL, "http", "ws", 1), m.client.AuthToken)
	require.NoError(t, err)
	ws.Listen()
	t.Cleanup(ws.Close)
	// Until the server's hello the socket is not registered, and events are lost.
	select {
	case ev := <-ws.EventChannel:
		require.Equal(t, model.WebsocketEventHello, ev.EventType(), "the first event")
	case <-time.After(10 * time.Second):
		t.Fatal("no websocket hello")
	}
	out := make(chan *model.Post, 16)
	go func() {
		for ev := range ws.EventChannel {
			if ev.EventType() != model.WebsocketEventEphemeralMessage {
				continue
			}
			var p model.Post
			if raw, ok := ev.GetData()["post"].(string); ok && json.Unmarshal([]byte(raw), &p) == nil {
				out <- &p
			}
		}
	}()
	return out
}

func waitFor(t *testing.T, ch <-chan *model.Post, contains string) *model.Post {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case p := <-ch:
			if strings.Contains(p.Message, contains) {
				return p
			}
		case <-deadline:
			t.Fatalf("no ephemeral post containing %q", contains)
		}
	}
}

// eventually polls cond for up to timeout.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// botDirectChannel is the id of m's direct message channel with the plugin's bot,
// and the bot's id.
func botDirectChannel(t *testing.T, m *member) (channelID, botID string) {
	t.Helper()
	ctx := context.Background()
	bot, _, err := srv.Admin.GetUserByUsername(ctx, "devops", "")
	require.NoError(t, err)
	dm, _, err := m.client.CreateDirectChannel(ctx, m.Id, bot.Id)
	require.NoError(t, err)
	return dm.Id, bot.Id
}

// directFromBot waits for a direct message from the plugin's bot to m that contains
// text, and returns it.
func directFromBot(t *testing.T, m *member, text string) *model.Post {
	t.Helper()
	dm, botID := botDirectChannel(t, m)
	var found *model.Post
	eventually(t, 10*time.Second, func() bool {
		posts, _, err := m.client.GetPostsForChannel(context.Background(), dm, 0, 100, "", false, false)
		require.NoError(t, err)
		for _, p := range posts.Posts {
			if p.UserId == botID && strings.Contains(p.Message, text) {
				found = p
			}
		}
		return found != nil
	}, "a direct message with "+text)
	return found
}

func postsContaining(t *testing.T, m *member, channelID, text string) int {
	t.Helper()
	posts, _, err := m.client.GetPostsForChannel(context.Background(), channelID, 0, 200, "", false, false)
	require.NoError(t, err)
	n := 0
	for _, p := range posts.Posts {
		if strings.Contains(p.Message, text) {
			n++
		}
	}
	return n
}

func TestJoinBriefingLeaveNoticeAndPins(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	qa := e.withDiscipline("qa", "qa")
	scribe := e.user("scribe")
	w := e.start(lead, "incident Emails delayed")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text) // mitigated: a qa task
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status Queue drained, watching").Text)

	_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, qa.Id)
	require.NoError(t, err)
	// Added by someone else, the briefing is a direct message: it lasts for one away.
	brief := directFromBot(t, qa, "Welcome to Incident 1")
	requireContains(t, brief.Message, "@"+lead.Username+" added you to ~"+w.ChannelName, "Stage **mitigated** (3 of 4)", "severity **sev2**", "commander: @"+lead.Username,
		"Queue drained, watching", "Open tasks for you (qa)", "Verify the fix from the customer")

	// Someone who joins by themselves is looking at the channel: the briefing is
	// shown there, to them alone.
	walkIn := e.user("walkin")
	briefings := ephemerals(t, walkIn)
	_, _, err = walkIn.client.AddChannelMember(context.Background(), w.ChannelID, walkIn.Id)
	require.NoError(t, err)
	requireContains(t, waitFor(t, briefings, "Welcome to Incident 1").Message, "Stage **mitigated** (3 of 4)")

	// A role holder leaving tells the lead.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops role scribe @"+scribe.Username).Text)
	_, err = scribe.client.RemoveUserFromChannel(context.Background(), w.ChannelID, scribe.Id)
	require.NoError(t, err)
	eventually(t, 10*time.Second, func() bool {
		return postsContaining(t, lead, w.ChannelID, "@"+scribe.Username+" (scribe) left the channel") == 1
	}, "the leave notice")

	// Pinning a post twice puts it on the timeline once.
	msg, _, err := qa.client.CreatePost(context.Background(), &model.Post{ChannelId: w.ChannelID, Message: "Root cause: the SMTP relay's cert expired"})
	require.NoError(t, err)
	for _, m := range []*member{qa, lead} {
		_, _, err = m.client.SaveReaction(context.Background(), &model.Reaction{UserId: m.Id, PostId: msg.Id, EmojiName: "pushpin"})
		require.NoError(t, err)
	}
	_, _, err = lead.client.SaveReaction(context.Background(), &model.Reaction{UserId: lead.Id, PostId: msg.Id, EmojiName: "tada"})
	require.NoError(t, err)
	pinned := func() []map[string]any {
		var page struct {
			Items []map[string]any `json:"items"`
		}
		require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID+"/timeline", nil, &page))
		var out []map[string]any
		for _, ev := range page.Items {
			if ev["type"] == "pinned" {
				out = append(out, ev)
			}
		}
		return out
	}
	eventually(t, 10*time.Second, func() bool { return len(pinned()) == 1 }, "the pinned event")
	time.Sleep(500 * time.Millisecond)
	got := pinned()
	require.Len(t, got, 1)
	require.Equal(t, msg.Id, got[0]["post_id"])
	requireContains(t, got[0]["summary"].(string), "SMTP relay")
}

func TestWhoHandoffRetrospectiveAndStats(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	next := e.withDiscipline("next", "developer")
	for u, tz := range map[*member]string{lead: "Europe/Berlin", next: "Asia/Tokyo"} {
		u.Timezone = model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": tz}
		_, _, err := srv.Admin.UpdateUser(context.Background(), u.User)
		require.NoError(t, err)
	}
	w := e.start(lead, "incident Latency spike in checkout --severity sev1")
	_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, next.Id)
	require.NoError(t, err)

	who := e.run(lead, w.ChannelID, "/devops who").Text
	requireContains(t, who, "@"+lead.Username+" | operations (declared) | commander |", "(Europe/Berlin)", "@"+next.Username+" | developer (declared) | — |", "(Asia/Tokyo)")
	var members struct {
		Items []struct {
			Username       string `json:"username"`
			LocalTime      string `json:"local_time"`
			Timezone       string `json:"timezone"`
			InWorkingHours *bool  `json:"in_working_hours"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, next, http.MethodGet, "/api/v1/workflows/"+w.ID+"/members", nil, &members))
	require.Len(t, members.Items, 2)
	require.NotNil(t, members.Items[0].InWorkingHours)

	requireContains(t, e.run(next, w.ChannelID, "/devops severity sev2").Text, "Only the commander")
	requireContains(t, e.run(lead, w.ChannelID, "/devops severity sev9").Text, `Unknown severity "sev9"`)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops severity sev2").Text)
	requireContains(t, lastPost(t, lead, w.ChannelID).Message, "Severity:** sev1 → **sev2**")
	require.Equal(t, "sev2", e.workflowOf(lead, w.ChannelID).Severity)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status Rolled back 4.2").Text)
	requireContains(t, e.run(next, w.ChannelID, "/devops handoff @"+next.Username).Text, "Only the commander")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops handoff @"+next.Username+" EU shift ends; watch the p99").Text)
	handoff := lastPost(t, lead, w.ChannelID).Message
	requireContains(t, handoff, "Handoff:", "@"+next.Username, "Asia/Tokyo", "Rolled back 4.2", "Open tasks (3)", "> EU shift ends; watch the p99")
	require.Equal(t, next.Id, e.workflowOf(lead, w.ChannelID).LeadID)

	require.Empty(t, e.run(next, w.ChannelID, "/devops stage next").Text)
	require.Empty(t, e.run(next, w.ChannelID, "/devops close Fixed by rollback").Text)
	retro := lastPost(t, next, w.ChannelID).Message
	requireContains(t, retro, "Retrospective — Incident 1", "first status update after", "| triage |", "| investigating |",
		"Tasks:** 0 done, 5 open", "**Handoff** (@\u200b"+lead.Username+")", "> Fixed by rollback",
		"**status updates:** 1", "**Severity changes:** sev1 → sev2 (@\u200b"+lead.Username, "**Roles:** commander @\u200b"+next.Username)

	var stats struct {
		Items []struct {
			Type                string `json:"type"`
			Started             int    `json:"started"`
			Closed              int    `json:"closed"`
			MedianToCloseMs     int64  `json:"median_to_close_ms"`
			MeanToFirstStatusMs int64  `json:"mean_to_first_status_ms"`
		} `json:"items"`
	}
	e.start(lead, "incident Another one")
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/stats?team_id="+e.team.Id+"&days=7", nil, &stats))
	require.Len(t, stats.Items, 1)
	require.Equal(t, 2, stats.Items[0].Started)
	require.Equal(t, 1, stats.Items[0].Closed)
	require.Positive(t, stats.Items[0].MedianToCloseMs)
	require.Positive(t, stats.Items[0].MeanToFirstStatusMs)
	requireContains(t, e.run(lead, e.square.Id, "/devops stats --days 7").Text, "| incident | 2 | 1 | 1 |")
	requireContains(t, e.run(lead, e.square.Id, "/devops stats --days many").Text, "`--days` takes a whole number")
}

func TestRemindersSurvivePluginRestart(t *testing.T) {
	setPluginSetting(t, "remindercadence", "sev1=3s, sev2=1h, default=0")
	defer setPluginSetting(t, "remindercadence", "sev1=15m, sev2=30m, sev3=2h, sev4=1d, default=1d")
	e := newEnv(t)
	lead := e.user("lead")
	w := e.start(lead, "incident Reminder check --severity sev1")
	quiet := e.start(lead, "incident No reminder here --severity sev2")

	// Restart the plugin between scheduling and firing: the reminder lives in the database.
	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	eventually(t, 20*time.Second, func() bool {
		return postsContaining(t, lead, w.ChannelID, "no status update for") >= 1
	}, "the first reminder")
	requireContains(t, lastPost(t, lead, w.ChannelID).Message, "@"+lead.Username, "/devops snooze")

	// A snooze postpones the next reminder.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops snooze 10m").Text)
	count := postsContaining(t, lead, w.ChannelID, "no status update for")
	time.Sleep(5 * time.Second)
	require.Equal(t, count, postsContaining(t, lead, w.ChannelID, "no status update for"), "snoozed: no reminder")
	require.Zero(t, postsContaining(t, lead, quiet.ChannelID, "no status update for"), "sev2 is not due yet")
	requireContains(t, e.run(lead, w.ChannelID, "/devops snooze forever").Text, "is not a duration")

	// Each reminder is posted once, however many times the job ran.
	db, err := srv.DB()
	require.NoError(t, err)
	var events int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_timeline WHERE workflow_id = $1 AND type = 'reminder'`, w.ID).Scan(&events))
	require.Equal(t, count, events)
}

func TestClosedChannelsAreArchivedAfterTheSetting(t *testing.T) {
	setPluginSetting(t, "archiveafterdays", "1")
	defer setPluginSetting(t, "archiveafterdays", "0")
	e := newEnv(t)
	lead := e.user("lead")
	old := e.start(lead, "incident Old news")
	fresh := e.start(lead, "incident Fresh close")
	for _, w := range []*workflowJSON{old, fresh} {
		require.Empty(t, e.run(lead, w.ChannelID, "/devops close done").Text)
	}
	db, err := srv.DB()
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE devops_workflows SET closed_at = closed_at - 2 * 86400000 WHERE id = $1`, old.ID)
	require.NoError(t, err)

	deleted := func(channelID string) bool {
		var deleteAt int64
		require.NoError(t, db.QueryRow(`SELECT deleteat FROM channels WHERE id = $1`, channelID).Scan(&deleteAt))
		return deleteAt != 0
	}
	eventually(t, 20*time.Second, func() bool { return deleted(old.ChannelID) }, "the old workflow's channel to be archived")
	require.False(t, deleted(fresh.ChannelID), "a workflow closed today stays")
}
