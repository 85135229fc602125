package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// soakWorkers is how many people drive the soak at once.
const soakWorkers = 8

// soakFaultEvery is how often the soak restarts the plugin or kills the server.
const soakFaultEvery = 15 * time.Second

// soakLog is what one worker saw acknowledged: a command counts only when its answer
// came back as success, so it must be recorded exactly once whatever happened after.
type soakLog struct {
	starts, statuses, tasks []string
	failed                  int
	// hung are commands that had no answer within soakCommandTimeout.
	hung []string
}

// soakCommandTimeout is how long a command may go unanswered before the soak calls
// it hung: a fault makes commands fail, never wait forever.
const soakCommandTimeout = time.Minute

// TestSoak runs `make soak`: for DEVOPS_SOAK (a duration, e.g. 10m) eight people
// start workflows, post status updates, add tasks and read info and lists, while
// every 15 s the plugin is restarted or the server killed (SIGKILL) and started
// again, in turn, each time just after six quiet workflows were made due for a
// reminder. Afterwards every acknowledged start, status update and task is recorded
// exactly once, nothing is recorded twice, no workflow channel is left without its
// workflow, every quiet workflow was reminded and every reminder posted once. `make test` runs the same faults once each (TestPluginRestartMidLoad,
// TestServerKilledMidLoad); this is the long version.
func TestSoak(t *testing.T) {
	spec := os.Getenv("DEVOPS_SOAK")
	if spec == "" {
		t.Skip("the soak runs with `make soak` (DEVOPS_SOAK=<duration>)")
	}
	duration, err := time.ParseDuration(spec)
	require.NoError(t, err, "DEVOPS_SOAK is a duration, e.g. 10m")
	// Should anything hang after all, fail with every goroutine's stack rather than
	// wait forever.
	watchdog := time.AfterFunc(duration+5*time.Minute, func() {
		debug.SetTraceback("all")
		panic("soak: still running 5 minutes after its end")
	})
	defer watchdog.Stop()
	// DEVOPS_SOAK_NODES=2 (make soak NODES=2): every other person works through a
	// second server on the same database, and the faults take turns on the two.
	var node *harness.Server
	if os.Getenv("DEVOPS_SOAK_NODES") == "2" {
		node = startSecondNode(t)
	}
	e := newEnv(t)
	workers := make([]*member, soakWorkers)
	for i := range workers {
		workers[i] = e.user("soak")
		if node != nil && i%2 == 1 {
			workers[i] = workers[i].on(t, node)
		}
		workers[i].client.HTTPClient = &http.Client{Timeout: soakCommandTimeout}
	}
	// Every incident invites this operations person, added after each start answers:
	// a fault may cut those adds off, and the scheduler must finish them.
	ops := e.withDiscipline("ops", "operations")

	db, err := srv.DB()
	require.NoError(t, err)
	quietLead := e.user("quiet")
	var quiet []string
	for i := range 6 {
		quiet = append(quiet, e.start(quietLead, fmt.Sprintf("incident quiet %d", i)).ID)
	}

	began := time.Now()
	deadline := began.Add(duration)
	logs := make([]soakLog, soakWorkers)
	var wg sync.WaitGroup
	for i, m := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logs[i] = soakWorker(e, m, i, deadline)
		}()
	}
	faults := map[string]int{}
	for n := 0; time.Until(deadline) > soakFaultEvery; n++ {
		time.Sleep(soakFaultEvery)
		_, err := db.Exec(`UPDATE devops_workflows SET next_reminder_at = $1 WHERE id = ANY($2)`, model.GetMillis(), pq.Array(quiet))
		require.NoError(t, err)
		time.Sleep(time.Duration(n%4) * 300 * time.Millisecond) // land the fault at different points of a tick
		// In turn: a plugin restart, a server kill and, with two nodes, a kill of the second.
		kinds := 2
		if node != nil {
			kinds = 3
		}
		switch n % kinds {
		case 0:
			require.NoError(t, srv.RestartPlugin(harness.PluginID))
			faults["plugin restarts"]++
		case 1:
			require.NoError(t, srv.Restart())
			faults["server kills"]++
		default:
			// SIGKILL the second node; the first carries on while it starts again.
			require.NoError(t, node.Restart())
			faults["second node kills"]++
		}
	}
	wg.Wait()

	var all soakLog
	for _, l := range logs {
		all.starts = append(all.starts, l.starts...)
		all.statuses = append(all.statuses, l.statuses...)
		all.tasks = append(all.tasks, l.tasks...)
		all.failed += l.failed
		all.hung = append(all.hung, l.hung...)
	}
	t.Logf("soak: %s, %d workers, faults %v; acknowledged %d starts, %d status updates, %d tasks; %d commands failed during faults",
		time.Since(began).Round(time.Second), soakWorkers, faults, len(all.starts), len(all.statuses), len(all.tasks), all.failed)
	require.Empty(t, all.hung, "commands unanswered for %s", soakCommandTimeout)
	require.NotEmpty(t, all.starts)
	require.NotEmpty(t, all.statuses)
	require.NotEmpty(t, all.tasks)
	require.NotZero(t, faults["server kills"], "the soak is long enough for a server kill (DEVOPS_SOAK ≥ 31s)")
	if node != nil {
		require.NotZero(t, faults["second node kills"], "the soak is long enough to kill the second node (DEVOPS_SOAK ≥ 61s)")
	}

	requireConsistent(t, e, all.starts)
	requireExactlyOnce(t, "status update", `SELECT tl.summary, count(*) FROM devops_timeline tl
		JOIN devops_workflows w ON w.id = tl.workflow_id
		WHERE w.team_id = $1 AND tl.type = 'status_update' AND tl.summary LIKE 'soak-%' GROUP BY tl.summary`, e.team.Id, all.statuses)
	requireExactlyOnce(t, "task", `SELECT tk.text, count(*) FROM devops_tasks tk
		JOIN devops_workflows w ON w.id = tk.workflow_id
		WHERE w.team_id = $1 AND tk.text LIKE 'soak-%' GROUP BY tk.text`, e.team.Id, all.tasks)
	requireRemindersPostedOnce(t, e, quiet)
	requireInvitedOnce(t, e, ops)
}

// requireInvitedOnce waits until no invite of the team is left (a fault's leftovers
// are taken over after 30 s), then checks that the invited person joined every
// recorded incident's channel exactly once.
func requireInvitedOnce(t *testing.T, e *env, invited *member) {
	t.Helper()
	db, err := srv.DB()
	require.NoError(t, err)
	eventually(t, 2*time.Minute, func() bool {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_invites i JOIN devops_workflows w ON w.id = i.workflow_id
			WHERE w.team_id = $1`, e.team.Id).Scan(&n))
		return n == 0
	}, "every invite to be settled")
	var channels, missing, twice int
	require.NoError(t, db.QueryRow(`SELECT count(*),
		count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM channelmembers cm WHERE cm.channelid = w.channel_id AND cm.userid = $2)),
		count(*) FILTER (WHERE (SELECT count(*) FROM channelmemberhistory h WHERE h.channelid = w.channel_id AND h.userid = $2) > 1)
		FROM devops_workflows w WHERE w.team_id = $1 AND w.status = 'active' AND w.type = 'incident' AND w.created_by <> $2`,
		e.team.Id, invited.Id).Scan(&channels, &missing, &twice))
	t.Logf("soak: @%s invited into %d incidents", invited.Username, channels)
	require.Zero(t, missing, "incidents whose invited operations person is not in the channel")
	require.Zero(t, twice, "incidents the invited person joined more than once")
}

// requireRemindersPostedOnce waits until no reminder of the team is left claimed,
// then checks that each quiet workflow was reminded and that each reminder recorded
// on a timeline has exactly one post.
func requireRemindersPostedOnce(t *testing.T, e *env, quiet []string) {
	t.Helper()
	db, err := srv.DB()
	require.NoError(t, err)
	eventually(t, 90*time.Second, func() bool {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_reminders r JOIN devops_workflows w ON w.id = r.workflow_id
			WHERE w.team_id = $1`, e.team.Id).Scan(&n))
		return n == 0
	}, "every claimed reminder to be settled")
	rows, err := db.Query(`SELECT w.id, w.channel_id, tl.data->>'reminder_id' FROM devops_timeline tl
		JOIN devops_workflows w ON w.id = tl.workflow_id WHERE w.team_id = $1 AND tl.type = 'reminder'`, e.team.Id)
	require.NoError(t, err)
	reminded := map[string]int{}
	byChannel := map[string][]string{}
	for rows.Next() {
		var workflow, channel, id string
		require.NoError(t, rows.Scan(&workflow, &channel, &id))
		reminded[workflow]++
		byChannel[channel] = append(byChannel[channel], id)
	}
	require.NoError(t, rows.Close())
	for _, id := range quiet {
		require.NotZero(t, reminded[id], "quiet workflow %s was reminded", id)
	}
	total := 0
	for channel, ids := range byChannel {
		count := reminderPosts(t, srv.Admin, channel)
		for _, id := range ids {
			require.Equal(t, 1, count[id], "reminder %s posted once in %s", id, channel)
		}
		total += len(ids)
	}
	t.Logf("soak: %d reminders over %d quiet workflows, each posted once", total, len(quiet))
}

// soakWorker starts a workflow of its own, then until the deadline updates it and
// reads, starting another now and then. Failures are expected while a fault lasts.
func soakWorker(e *env, m *member, worker int, deadline time.Time) soakLog {
	var l soakLog
	ctx := context.Background()
	run := func(channelID, cmd string) (string, bool) {
		began := time.Now()
		resp, _, err := m.client.ExecuteCommandWithTeam(ctx, channelID, e.team.Id, cmd)
		if err != nil {
			if time.Since(began) >= soakCommandTimeout {
				l.hung = append(l.hung, fmt.Sprintf("%s at %s", cmd, began.Format(time.TimeOnly)))
			}
			l.failed++
			time.Sleep(100 * time.Millisecond)
			return "", false
		}
		return resp.Text, true
	}
	start := func(i int) string {
		text, ok := run(e.square.Id, fmt.Sprintf("/devops start incident soak worker %d run %d --force", worker, i))
		if !ok || !strings.HasPrefix(text, "Started ~") {
			return ""
		}
		name := strings.TrimSuffix(strings.TrimPrefix(text, "Started ~"), ".")
		l.starts = append(l.starts, name)
		ch, _, err := srv.Admin.GetChannelByName(ctx, name, e.team.Id, "")
		if err != nil {
			return ""
		}
		return ch.Id
	}
	channel := ""
	for i := 0; time.Now().Before(deadline); i++ {
		if channel == "" || i%25 == 0 {
			if id := start(i); id != "" {
				channel = id
			}
			continue
		}
		token := fmt.Sprintf("soak-%d-%d", worker, i)
		switch i % 4 {
		case 0:
			if text, ok := run(channel, "/devops status "+token+" all green"); ok && text == "" {
				l.statuses = append(l.statuses, token+" all green")
			}
		case 1:
			if text, ok := run(channel, "/devops task add "+token); ok && text == "" {
				l.tasks = append(l.tasks, token)
			}
		case 2:
			run(channel, "/devops info")
		case 3:
			run(e.square.Id, "/devops list")
		}
	}
	return l
}

// requireExactlyOnce checks that every text query counts (grouped by text) appears
// once at most, and that every acknowledged one appears.
func requireExactlyOnce(t *testing.T, what, query, teamID string, acked []string) {
	t.Helper()
	db, err := srv.DB()
	require.NoError(t, err)
	rows, err := db.Query(query, teamID)
	require.NoError(t, err)
	recorded := map[string]int{}
	for rows.Next() {
		var text string
		var n int
		require.NoError(t, rows.Scan(&text, &n))
		require.Equal(t, 1, n, "%s %q recorded %d times", what, text, n)
		recorded[text] = n
	}
	require.NoError(t, rows.Close())
	for _, text := range acked {
		require.Equal(t, 1, recorded[text], "acknowledged %s %q is recorded", what, text)
	}
}
