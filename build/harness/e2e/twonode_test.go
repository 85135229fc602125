package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/app"
)

// startSecondNode starts another Mattermost server on srv's database and file store,
// with the plugin running on it, for the rest of the test. Without a license the two
// are not clustered (see harness.StartNode): what they share is the database — the
// plugin's tables, Mattermost's, its configuration — and the plugin API's cluster
// mutexes and jobs, which live there too.
func startSecondNode(t *testing.T) *harness.Server {
	t.Helper()
	node, err := srv.StartNode(nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		node.Stop()
		_ = os.RemoveAll(node.Dir)
	})
	return node
}

// on is the member logged in on another node.
func (m *member) on(t *testing.T, node *harness.Server) *member {
	t.Helper()
	c, err := node.NewClient(m.Username)
	require.NoError(t, err)
	return &member{User: m.User, client: c}
}

// setBothNodes saves plugin settings through srv and makes the node read them: the
// two are not clustered, so a saved configuration reaches the other node only when
// it reloads it.
func setBothNodes(t *testing.T, node *harness.Server, settings map[string]any) {
	t.Helper()
	setPluginSettings(t, settings)
	require.NoError(t, node.ReloadConfig())
	time.Sleep(300 * time.Millisecond) // the plugin applies the change asynchronously
}

// TestTwoNodes runs the plugin on two Mattermost servers sharing one PostgreSQL
// database and checks what must hold across servers: concurrent starts, the duplicate
// guard, reminders with both schedulers running, webhook replays and failed-deploy
// bursts.
func TestTwoNodes(t *testing.T) {
	node := startSecondNode(t)

	t.Run("concurrent starts split across the nodes", func(t *testing.T) {
		e := newEnv(t)
		const starts = 16
		answers := make([]string, starts)
		var wg sync.WaitGroup
		people := make([]*member, starts)
		for i := range people {
			people[i] = e.user("starter")
			if i%2 == 1 {
				people[i] = people[i].on(t, node)
			}
		}
		gate := make(chan struct{})
		for i := range starts {
			wg.Go(func() {
				<-gate
				resp, _, err := people[i].client.ExecuteCommandWithTeam(context.Background(), e.square.Id, e.team.Id,
					fmt.Sprintf("/devops start incident Node test %s", model.NewId()))
				if err == nil {
					answers[i] = resp.Text
				}
			})
		}
		close(gate)
		wg.Wait()
		for i, a := range answers {
			requireContains(t, a, "Started ~")
			require.NotEmpty(t, a, "start %d", i)
		}
		db, err := srv.DB()
		require.NoError(t, err)
		var rows, seqs, channels, maxSeq, created int
		require.NoError(t, db.QueryRow(`SELECT count(*), count(DISTINCT seq), count(DISTINCT channel_id), max(seq),
			(SELECT count(*) FROM devops_timeline tl JOIN devops_workflows x ON x.id = tl.workflow_id WHERE x.team_id = $1 AND tl.type = 'created')
			FROM devops_workflows WHERE team_id = $1 AND status = 'active'`, e.team.Id).Scan(&rows, &seqs, &channels, &maxSeq, &created))
		require.Equal(t, []int{starts, starts, starts, starts, starts}, []int{rows, seqs, channels, maxSeq, created},
			"workflows, distinct numbers, distinct channels, the highest number, created events")
	})

	t.Run("the duplicate guard holds across the nodes", func(t *testing.T) {
		e := newEnv(t)
		const starts = 12
		answers := make([]string, starts)
		people := make([]*member, starts)
		for i := range people {
			people[i] = e.user("twin")
			if i%2 == 1 {
				people[i] = people[i].on(t, node)
			}
		}
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range starts {
			wg.Go(func() {
				<-gate
				resp, _, err := people[i].client.ExecuteCommandWithTeam(context.Background(), e.square.Id, e.team.Id,
					"/devops start incident Checkout down on both nodes")
				if err == nil {
					answers[i] = resp.Text
				}
			})
		}
		close(gate)
		wg.Wait()
		started, refused := 0, 0
		for _, a := range answers {
			switch {
			case strings.HasPrefix(a, "Started ~"):
				started++
			case strings.Contains(a, "A similar incident is already active"):
				refused++
			}
		}
		require.Equal(t, []int{1, starts - 1}, []int{started, refused}, "answers: %q", answers)
		// The refused took no number: the next start is the second.
		w := e.start(people[0], "incident Something else entirely")
		require.Equal(t, 2, w.Seq)
	})

	t.Run("reminders are posted once with both schedulers running", func(t *testing.T) {
		setBothNodes(t, node, map[string]any{"remindercadence": "sev1=2s, sev2=1h, default=0"})
		t.Cleanup(func() {
			setBothNodes(t, node, map[string]any{"remindercadence": "sev1=15m, sev2=30m, sev3=2h, sev4=1d, default=1d"})
		})
		e := newEnv(t)
		lead := e.user("lead")
		var ws []*workflowJSON
		for i := range 3 {
			ws = append(ws, e.start(lead, fmt.Sprintf("incident Chased from two nodes %d --severity sev1", i+1)))
		}
		time.Sleep(7 * time.Second) // three or so cadences, seven ticks of each node
		for _, w := range ws {
			require.Empty(t, e.run(lead, w.ChannelID, "/devops snooze 1h").Text)
		}
		time.Sleep(time.Second) // a reminder claimed before the snooze is posted by now
		db, err := srv.DB()
		require.NoError(t, err)
		for _, w := range ws {
			posts := reminderPosts(t, lead.client, w.ChannelID)
			require.GreaterOrEqual(t, len(posts), 2, "reminded again and again")
			for id, n := range posts {
				require.Equal(t, 1, n, "reminder %s posted once", id)
			}
			var events int
			require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_timeline WHERE workflow_id = $1 AND type = 'reminder'`, w.ID).Scan(&events))
			require.Equal(t, len(posts), events, "one timeline event per reminder posted")
		}
	})

	t.Run("a webhook signature used on one node is refused on the other", func(t *testing.T) {
		h := useWebhook(t, nil)
		require.NoError(t, node.ReloadConfig())
		other := &webhook{t: t, secret: h.secret, base: node.URL}
		require.Eventually(t, func() bool {
			_, res, _ := other.send("probe", other.headers(time.Now(), []byte("{}")), []byte("{}"))
			return strings.Contains(res.Error, "Unknown event")
		}, 15*time.Second, 50*time.Millisecond, "the second node did not apply the webhook settings")
		t.Cleanup(func() { _ = node.ReloadConfig() })

		e := newEnv(t)
		dev := e.withDiscipline("dev", "developer")
		v := version()
		rel := e.start(dev, "release Release "+v)
		body := []byte(`{"workflow_id":"` + rel.ID + `","service":"checkout-api","version":"` + v + `","environment":"staging","status":"succeeded"}`)
		signed := h.headers(time.Now(), body)
		status, res, _ := h.send("deploy", signed, body)
		require.Equal(t, http.StatusOK, status, res.Error)
		status, res, _ = other.send("deploy", signed, body)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Contains(t, res.Error, "already used")
		require.Len(t, eventsOfType(timelineOf(t, dev, rel.ID), "deploy"), 1)

		// Failed production deploys of two services, four each, sent at once and split
		// across the nodes: one incident per service.
		services := []string{"pay-" + strings.ToLower(model.NewId()[:6]), "cart-" + strings.ToLower(model.NewId()[:6])}
		var wg sync.WaitGroup
		var mu sync.Mutex
		opened := map[string]map[string]bool{}
		gate := make(chan struct{})
		for i := range 8 {
			sender := h
			if i%2 == 1 {
				sender = other
			}
			service := services[i/4]
			wg.Go(func() {
				<-gate
				status, res := sender.post("deploy", deployEvent{WorkflowID: rel.ID, Service: service, Version: v, Environment: "production", Status: "failed"})
				mu.Lock()
				defer mu.Unlock()
				if status == http.StatusOK && res.Incident != nil && res.Incident.WorkflowID != "" {
					if opened[service] == nil {
						opened[service] = map[string]bool{}
					}
					opened[service][res.Incident.WorkflowID] = true
				}
			})
		}
		close(gate)
		wg.Wait()
		db, err := srv.DB()
		require.NoError(t, err)
		for _, service := range services {
			require.Len(t, opened[service], 1, "every delivery of %s names one incident", service)
			var n int
			require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_workflows WHERE type = 'incident' AND title LIKE $1`,
				"Failed deploy: "+service+" %").Scan(&n))
			require.Equal(t, 1, n, "one incident for %s", service)
		}
	})

	t.Run("schedules fire once with both schedulers running", func(t *testing.T) {
		e := newEnv(t)
		owner := e.withDiscipline("owner", "project-manager")
		db, err := srv.DB()
		require.NoError(t, err)
		// Five schedules due at the same moment, made on either node.
		var schedules []*app.Schedule
		for i := range 5 {
			who := owner
			if i%2 == 1 {
				who = owner.on(t, node)
			}
			schedules = append(schedules, e.schedule(who, "sprint", fmt.Sprintf("Node sprint %d.{n}", i), "1d", 3*time.Second))
		}
		for _, sc := range schedules {
			eventually(t, 60*time.Second, func() bool { return len(occurrences(t, db, sc.ID)) > 0 }, "the occurrence to start")
		}
		time.Sleep(4 * time.Second) // four ticks more of each node
		for _, sc := range schedules {
			require.Len(t, occurrences(t, db, sc.ID), 1)
		}
		require.Equal(t, len(schedules), workflowsInTeam(t, db, e.team.Id, "sprint"), "one workflow per occurrence, not one per node")
	})

	t.Run("pages escalate once per step with both nodes ticking", func(t *testing.T) {
		e := newEnv(t)
		admin := e.teamAdmin("twoadmin")
		people := []*member{e.user("p"), e.user("q"), e.user("r")}
		names := []string{people[0].Username, people[1].Username, people[2].Username}
		var ids []string
		for i := range 6 {
			rot := fmt.Sprintf("two-%d", i)
			e.rotation(admin, map[string]any{"name": rot, "members": names, "escalate_after": "2s"})
			sender := e.user("sender")
			if i%2 == 1 {
				sender = sender.on(t, node) // paged through the second node
			}
			var p pageJSON
			require.Equal(t, http.StatusCreated, api(t, sender, http.MethodPost, "/api/v1/pages",
				map[string]any{"team_id": e.team.Id, "target": "rotation:" + rot, "message": "both nodes " + rot}, &p))
			ids = append(ids, p.ID)
		}
		// Both nodes' pagers run; every page goes through its three members and on.
		eventually(t, 30*time.Second, func() bool {
			for _, id := range ids {
				if len(getPage(t, admin, id).Notified) < 4 {
					return false
				}
			}
			return true
		}, "every page to reach its fourth step")
		for _, id := range ids {
			require.Equal(t, http.StatusOK, api(t, people[0], http.MethodPost, "/api/v1/pages/"+id+"/ack", nil, nil))
		}
		time.Sleep(time.Second) // a delivery claimed before the acknowledgement is sent by now
		for _, id := range ids {
			p := getPage(t, admin, id)
			steps := map[int]bool{}
			for _, n := range p.Notified {
				require.False(t, steps[n.Step], "page %s step %d notified once", id, n.Step)
				steps[n.Step] = true
			}
			sent := 0
			for _, m := range people {
				seen := map[string]int{}
				for _, dm := range pageDMs(t, m, id) {
					seen[fmt.Sprint(dm.GetProp(app.PageStepProp))]++
					sent++
				}
				for step, n := range seen {
					require.Equal(t, 1, n, "@%s got step %s of page %s once", m.Username, step, id)
				}
			}
			require.Len(t, p.Notified, sent, "one direct message per step notified, none lost")
		}
	})

	// Last: it leaves the second node dead.
	t.Run("one node killed mid-load, the other carries on", func(t *testing.T) {
		e := newEnv(t)
		one, two := e.user("one"), e.user("two")
		stop := make(chan struct{})
		ackedOne, doneOne := loadStarts(e, one, stop, "first node")
		ackedTwo, doneTwo := loadStarts(e, two.on(t, node), stop, "second node")
		time.Sleep(1500 * time.Millisecond)
		node.Kill() // SIGKILL: no clean shutdown, starts cut off wherever they were
		killedAt := time.Now().UnixMilli()
		time.Sleep(2 * time.Second)
		close(stop)
		<-doneOne
		<-doneTwo
		require.NotEmpty(t, *ackedTwo, "the second node started workflows before it died")
		db, err := srv.DB()
		require.NoError(t, err)
		var after int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_workflows WHERE team_id = $1 AND title LIKE 'first node%' AND created_at > $2`,
			e.team.Id, killedAt).Scan(&after))
		require.Positive(t, after, "the first node went on starting workflows")
		requireConsistent(t, e, append(append([]string{}, *ackedOne...), *ackedTwo...))
	})
}
