package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// 16 people change one workflow at once: nothing is lost, and the final state is what
// a serial replay of the successful operations gives.
func TestSixteenUpdatersOnOneWorkflow(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	w := e.start(lead, "incident Concurrency drill")
	members := make([]*member, 16)
	for i := range members {
		members[i] = e.user("m")
		_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, members[i].Id)
		require.NoError(t, err)
	}
	initialTasks := len(e.tasks(lead, w.ID))

	var stageOK, handoffOK atomic.Int32
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := func(who *member, cmd string) string {
				resp, _, err := who.client.ExecuteCommandWithTeam(context.Background(), w.ChannelID, e.team.Id, cmd)
				require.NoError(t, err)
				return resp.Text
			}
			require.Empty(t, run(m, fmt.Sprintf("/devops task add Check shard %d", i)))
			require.Empty(t, run(m, fmt.Sprintf("/devops status shard %d checked", i)))
			if i%4 == 0 && run(lead, "/devops stage next") == "" {
				stageOK.Add(1)
			}
			// Everyone tries to take the lead from the original lead at once: one wins.
			if i%8 == 1 && run(lead, "/devops handoff @"+m.Username) == "" {
				handoffOK.Add(1)
			}
		}()
	}
	wg.Wait()

	got := e.workflowOf(lead, w.ChannelID)
	stages := []string{"triage", "investigating", "mitigated", "resolved"}
	require.Equal(t, stages[min(int(stageOK.Load()), 3)], got.Stage)
	require.EqualValues(t, 1, handoffOK.Load(), "exactly one handoff from the original lead succeeds")
	require.NotEqual(t, lead.Id, got.LeadID)

	tasks := e.tasks(lead, w.ID)
	numbers := map[int]bool{}
	for _, task := range tasks {
		require.False(t, numbers[task.Number], "task number %d twice", task.Number)
		numbers[task.Number] = true
	}
	// Checklists of the stages entered come on top of the 16 added tasks.
	checklists := map[string]int{"investigating": 2, "mitigated": 2, "resolved": 2}
	want := initialTasks + 16
	for _, st := range stages[1 : min(int(stageOK.Load()), 3)+1] {
		want += checklists[st]
	}
	require.Len(t, tasks, want)

	db, err := srv.DB()
	require.NoError(t, err)
	counts := map[string]int{}
	rows, err := db.Query(`SELECT type, count(*) FROM devops_timeline WHERE workflow_id = $1 GROUP BY type`, w.ID)
	require.NoError(t, err)
	for rows.Next() {
		var typ string
		var n int
		require.NoError(t, rows.Scan(&typ, &n))
		counts[typ] = n
	}
	require.NoError(t, rows.Close())
	require.Equal(t, 16, counts["status_update"])
	require.Equal(t, 16, counts["task_added"])
	require.Equal(t, int(stageOK.Load()), counts["stage_changed"])
	require.Equal(t, 1, counts["handoff"])
	require.Equal(t, 1, counts["created"])
}

// A start whose node died between creating the channel and recording the workflow is
// finished by the scheduler: the channel archived, the reservation gone.
func TestCrashedStartIsCleanedUp(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	db, err := srv.DB()
	require.NoError(t, err)
	ch, _, err := srv.Admin.CreateChannel(context.Background(), &model.Channel{TeamId: e.team.Id, Name: "inc-77-crashed", DisplayName: "crashed", Type: model.ChannelTypeOpen})
	require.NoError(t, err)
	id := model.NewId()
	old := ch.CreateAt - 1000
	_, err = db.Exec(`INSERT INTO devops_workflows (id, team_id, channel_id, channel_name, type, seq, title, stage, status,
		lead_id, created_by, created_at, updated_at, stage_entered_at)
		VALUES ($1, $2, $1, 'inc-77-crashed', 'incident', 77, 'crashed', 'triage', 'starting', $3, $3, $4, $4, $4)`,
		id, e.team.Id, lead.Id, old)
	require.NoError(t, err)
	// Not visible while it is a reservation.
	requireContains(t, e.run(lead, e.square.Id, "/devops list").Text, "No active workflows")

	// Age it past the threshold; the scheduler (1s tick in tests) cleans it up.
	_, err = db.Exec(`UPDATE devops_workflows SET created_at = created_at - 600000 WHERE id = $1`, id)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE channels SET createat = $2 WHERE id = $1`, ch.Id, old-600000+500)
	require.NoError(t, err)
	eventually(t, 20*time.Second, func() bool {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_workflows WHERE id = $1`, id).Scan(&n))
		return n == 0
	}, "the reservation to be dropped")
	var deleteAt int64
	require.NoError(t, db.QueryRow(`SELECT deleteat FROM channels WHERE id = $1`, ch.Id).Scan(&deleteAt))
	require.NotZero(t, deleteAt, "the crashed start's channel is archived")
}

// A start whose node died between recording the workflow and adding its starter
// leaves a workflow whose lead is not in its channel; the scheduler adds them. A
// starter who left on their own stays out.
func TestStarterKeptOutByACrashIsAddedBack(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	db, err := srv.DB()
	require.NoError(t, err)
	ctx := context.Background()
	crashed := e.start(lead, "incident Starter never joined")
	left := e.start(lead, "incident Starter walked out")
	for _, w := range []*workflowJSON{crashed, left} {
		_, err := srv.Admin.RemoveUserFromChannel(ctx, w.ChannelID, lead.Id)
		require.NoError(t, err)
	}
	// As if the starter had never been added: Mattermost's history of the channel
	// has no row for them.
	_, err = db.Exec(`DELETE FROM channelmemberhistory WHERE channelid = $1 AND userid = $2`, crashed.ChannelID, lead.Id)
	require.NoError(t, err)
	// Age both past the time a start may still be running; the scheduler ticks every
	// second in tests.
	_, err = db.Exec(`UPDATE devops_workflows SET created_at = created_at - 600000 WHERE id IN ($1, $2)`, crashed.ID, left.ID)
	require.NoError(t, err)
	eventually(t, 20*time.Second, func() bool {
		_, _, err := srv.Admin.GetChannelMember(ctx, crashed.ChannelID, lead.Id, "")
		return err == nil
	}, "the starter to be added back")
	_, r, err := srv.Admin.GetChannelMember(ctx, left.ChannelID, lead.Id, "")
	require.Error(t, err, "the same tick left the one who walked out alone")
	require.Equal(t, http.StatusNotFound, r.StatusCode)
}

// A node that dies after claiming a reminder leaves the claim behind: a later tick
// posts the reminder, unless its post is already in the channel (the node died after
// posting). Either way each reminder is posted once; one that could not be posted for
// an hour is dropped.
func TestReminderClaimedByACrashedNodeIsPostedOnce(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	db, err := srv.DB()
	require.NoError(t, err)
	ctx := context.Background()
	lost := e.start(lead, "incident Reminder lost in a crash")
	posted := e.start(lead, "incident Reminder posted before a crash")
	lostID, postedID := model.NewId(), model.NewId()
	post := &model.Post{ChannelId: posted.ChannelID, Message: "⏰ posted just before the node died"}
	post.AddProp("devops_reminder_id", postedID)
	_, _, err = lead.client.CreatePost(ctx, post)
	require.NoError(t, err)
	claimed := model.GetMillis() - 60_000
	staleID := model.NewId()
	_, err = db.Exec(`INSERT INTO devops_reminders (id, workflow_id, channel_id, message, claimed_at)
		VALUES ($1, $2, $3, '⏰ no status update for an hour', $5), ($4, $6, $7, '⏰ posted just before the node died', $5),
			($8, $2, $3, '⏰ two hours old', $5::bigint - 7200000)`,
		lostID, lost.ID, lost.ChannelID, postedID, claimed, posted.ID, posted.ChannelID, staleID)
	require.NoError(t, err)

	eventually(t, 20*time.Second, func() bool {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_reminders WHERE id IN ($1, $2, $3)`, lostID, postedID, staleID).Scan(&n))
		return n == 0
	}, "the claims to be settled")
	inLost, inPosted := reminderPosts(t, lead.client, lost.ChannelID), reminderPosts(t, lead.client, posted.ChannelID)
	require.Equal(t, 1, inLost[lostID], "the lost reminder is posted")
	require.Equal(t, 1, inPosted[postedID], "the posted one is not posted again")
	require.Zero(t, inLost[staleID], "the stale one is dropped")
}

// reminderPosts counts the newest 200 posts of a channel, as c sees them, by the
// reminder id they carry (the plugin's devops_reminder_id prop).
func reminderPosts(t *testing.T, c *model.Client4, channelID string) map[string]int {
	t.Helper()
	posts, _, err := c.GetPostsForChannel(context.Background(), channelID, 0, 200, "", false, false)
	require.NoError(t, err)
	count := map[string]int{}
	for _, p := range posts.Posts {
		if id, ok := p.GetProp("devops_reminder_id").(string); ok {
			count[id]++
		}
	}
	return count
}

// requireFailedStartLeavesNothing starts a workflow while breakIt has broken
// something, mends it, and checks that the user got a clear error and that nothing of
// the start is left: no live channel, no workflow row, no timeline event. Then a start
// works again.
func requireFailedStartLeavesNothing(t *testing.T, title string, breakIt, mend func(db *sql.DB, lead *member)) {
	t.Helper()
	e := newEnv(t)
	lead := e.user("lead")
	db, err := srv.DB()
	require.NoError(t, err)
	before := teamChannelCount(t, e)

	breakIt(db, lead)
	resp := e.run(lead, e.square.Id, "/devops start incident "+title)
	mend(db, lead)
	requireContains(t, resp.Text, "Something went wrong on the server; it has been logged")

	var live, rows, events int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM channels WHERE teamid = $1 AND deleteat = 0`, e.team.Id).Scan(&live))
	require.Equal(t, before, live, "the channel made for the failed start is archived")
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_workflows WHERE team_id = $1`, e.team.Id).Scan(&rows))
	require.Zero(t, rows, "no workflow row, not even a reservation")
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_timeline WHERE summary LIKE '%by @' || $1 || '%'`, lead.Username).Scan(&events))
	require.Zero(t, events, "no timeline event")

	e.start(lead, "incident "+title)
}

func mustExec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	_, err := db.Exec(query)
	require.NoError(t, err)
}

// A database failure while a workflow is being recorded.
func TestDatabaseFailureMidStartLeavesNothing(t *testing.T) {
	// Recording the workflow writes its first timeline event; take the table away.
	requireFailedStartLeavesNothing(t, "Doomed by the database",
		func(db *sql.DB, _ *member) {
			mustExec(t, db, `ALTER TABLE devops_timeline RENAME TO devops_timeline_away`)
		},
		func(db *sql.DB, _ *member) {
			mustExec(t, db, `ALTER TABLE devops_timeline_away RENAME TO devops_timeline`)
		})
}

// The starter joins the channel while the workflow is recorded; when Mattermost
// refuses the join, the workflow recorded meanwhile is removed with its timeline.
func TestStarterJoinFailureLeavesNothing(t *testing.T) {
	// Mattermost stores the membership in channelmembers: refuse the lead's next one.
	fn := "refuse_join_" + model.NewId()
	requireFailedStartLeavesNothing(t, "Nobody home",
		func(db *sql.DB, lead *member) {
			mustExec(t, db, `CREATE FUNCTION `+fn+`() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				IF NEW.userid = '`+lead.Id+`' THEN RAISE EXCEPTION 'join refused by the test'; END IF; RETURN NEW; END $$`)
			mustExec(t, db, `CREATE TRIGGER `+fn+` BEFORE INSERT ON channelmembers FOR EACH ROW EXECUTE FUNCTION `+fn+`()`)
		},
		func(db *sql.DB, _ *member) {
			mustExec(t, db, `DROP TRIGGER `+fn+` ON channelmembers; DROP FUNCTION `+fn+`()`)
		})
}

// loadStarts starts workflows one after another until stop is closed, recording the
// channel names the server acknowledged; errors (the server is down) are expected.
func loadStarts(e *env, m *member, stop <-chan struct{}, prefix string) (acked *[]string, done <-chan struct{}) {
	names := []string{}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for i := 0; i < 400; i++ {
			select {
			case <-stop:
				return
			default:
			}
			resp, _, err := m.client.ExecuteCommandWithTeam(context.Background(), e.square.Id, e.team.Id,
				fmt.Sprintf("/devops start incident %s load %d --force", prefix, i))
			if err == nil && strings.HasPrefix(resp.Text, "Started ~") {
				names = append(names, strings.TrimSuffix(strings.TrimPrefix(resp.Text, "Started ~"), "."))
			} else if err != nil {
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	return &names, finished
}

// requireConsistent checks a team after faults: every acknowledged start exists once,
// every workflow has one channel and one "created" event, and no live channel of the
// team is an unrecorded leftover.
func requireConsistent(t *testing.T, e *env, acked []string) {
	t.Helper()
	db, err := srv.DB()
	require.NoError(t, err)
	recorded := map[string]bool{}
	rows, err := db.Query(`SELECT w.channel_name, w.status, (SELECT count(*) FROM devops_timeline tl WHERE tl.workflow_id = w.id AND tl.type = 'created')
		FROM devops_workflows w WHERE w.team_id = $1`, e.team.Id)
	require.NoError(t, err)
	for rows.Next() {
		var name, status string
		var created int
		require.NoError(t, rows.Scan(&name, &status, &created))
		if status == "starting" {
			continue // a start cut off by the fault; the scheduler cleans it up
		}
		require.False(t, recorded[name], "workflow channel %s recorded twice", name)
		recorded[name] = true
		require.Equal(t, 1, created, "one created event for %s", name)
	}
	require.NoError(t, rows.Close())
	for _, name := range acked {
		require.True(t, recorded[name], "acknowledged start %s is recorded", name)
	}
	var orphans int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM channels c WHERE c.teamid = $1 AND c.deleteat = 0
		AND c.name LIKE 'inc-%' AND NOT EXISTS (SELECT 1 FROM devops_workflows w WHERE w.channel_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM devops_workflows w WHERE w.status = 'starting' AND w.channel_name = c.name)`, e.team.Id).Scan(&orphans))
	require.Zero(t, orphans, "no live workflow channel without its workflow")
}

func TestPluginRestartMidLoad(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	stop := make(chan struct{})
	acked, done := loadStarts(e, lead, stop, "plugin")
	time.Sleep(1500 * time.Millisecond)
	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	<-done
	require.NotEmpty(t, *acked)
	requireConsistent(t, e, *acked)
}

func TestServerKilledMidLoad(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	stop := make(chan struct{})
	acked, done := loadStarts(e, lead, stop, "server")
	time.Sleep(1500 * time.Millisecond)
	require.NoError(t, srv.Restart()) // SIGKILL, then start again on the same database
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	<-done
	require.NotEmpty(t, *acked)
	requireConsistent(t, e, *acked)

	// The restarted server serves the plugin as before.
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&per_page=200", nil, &page))
	require.GreaterOrEqual(t, len(page.Items), len(*acked))
}
