package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The acceptance bounds for a burst of failed production deploys.
const (
	burstDeploys     = 24
	burstAnswerBound = 15 * time.Second
	helpAnswerBound  = time.Second
)

// 24 failed production deploys of distinct services arrive at once, with the default
// pool of 8 connections: each opens its incident (a channel, a workflow, invitations)
// and every delivery is answered within seconds, while /devops help stays quick. A
// transaction held across an incident's start once made the slowest wait 60.7 s.
func TestBurstOfFailedDeploysIsAnsweredQuickly(t *testing.T) {
	e := newEnv(t)
	h := useWebhook(t, nil)
	dev := e.withDiscipline("dev", "developer")
	e.withDiscipline("ops", "operations") // incidents invite operations: more work per start
	v := version()
	rel := e.start(dev, "release Release "+v)

	gate, stop := make(chan struct{}), make(chan struct{})
	var helpTimes []time.Duration
	maxConnections := 0
	var sampling sync.WaitGroup
	sampling.Go(func() {
		<-gate
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			began := time.Now()
			resp, _, err := dev.client.ExecuteCommandWithTeam(context.Background(), e.square.Id, e.team.Id, "/devops help")
			if err == nil && resp != nil {
				helpTimes = append(helpTimes, time.Since(began))
			}
			maxConnections = max(maxConnections, pluginConnections(t))
		}
	})

	type delivery struct {
		status  int
		res     hookResult
		elapsed time.Duration
	}
	deliveries := make([]delivery, burstDeploys)
	var wg sync.WaitGroup
	for i := range deliveries {
		wg.Go(func() {
			<-gate
			began := time.Now()
			status, res := h.post("deploy", deployEvent{WorkflowID: rel.ID, Service: fmt.Sprintf("burst-%02d", i),
				Version: v, Environment: "production", Status: "failed"})
			deliveries[i] = delivery{status, res, time.Since(began)}
		})
	}
	close(gate)
	wg.Wait()
	close(stop)
	sampling.Wait()

	var times []time.Duration
	incidents := map[string]bool{}
	for i, d := range deliveries {
		require.Equal(t, http.StatusOK, d.status, "delivery %d: %s", i, d.res.Error)
		require.NotNil(t, d.res.Incident, "delivery %d", i)
		require.Empty(t, d.res.Incident.Error, "delivery %d", i)
		require.True(t, d.res.Incident.Opened, "delivery %d: a distinct service opens its own incident", i)
		incidents[d.res.Incident.WorkflowID] = true
		times = append(times, d.elapsed)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	slowestHelp := time.Duration(0)
	for _, d := range helpTimes {
		slowestHelp = max(slowestHelp, d)
	}
	t.Logf("%d failed deploys at once: median %v, slowest %v; /devops help ×%d meanwhile, slowest %v; plugin connections at most %d",
		burstDeploys, times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond),
		len(helpTimes), slowestHelp.Round(time.Millisecond), maxConnections)

	require.Less(t, times[len(times)-1], burstAnswerBound, "every delivery is answered within the bound")
	require.GreaterOrEqual(t, len(helpTimes), 2, "/devops help ran during the burst")
	require.Less(t, slowestHelp, helpAnswerBound, "/devops help stays quick during the burst")
	require.Positive(t, maxConnections, "the plugin's own pool is in use")
	require.LessOrEqual(t, maxConnections, 8, "the default pool of 8")
	require.Len(t, incidents, burstDeploys)

	// Exactly the expected incidents exist: one per service, active, none half-started.
	db, err := srv.DB()
	require.NoError(t, err)
	rows, err := db.Query(`SELECT title, status FROM devops_workflows WHERE team_id = $1 AND type = 'incident'`, e.team.Id)
	require.NoError(t, err)
	defer rows.Close()
	var titles, want []string
	for rows.Next() {
		var title, status string
		require.NoError(t, rows.Scan(&title, &status))
		require.Equal(t, "active", status, title)
		titles = append(titles, title)
	}
	require.NoError(t, rows.Err())
	for i := range burstDeploys {
		want = append(want, fmt.Sprintf("Failed deploy: burst-%02d %s to production", i, v))
	}
	require.ElementsMatch(t, want, titles)
}
