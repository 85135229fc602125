package e2e

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Connections of the plugin's pool that the server side ends (a failover, a proxy's
// idle timeout, an administrator) cost no command an error: the pool replaces them,
// and the prepared statements are prepared again on the new ones.
func TestPoolSurvivesTerminatedConnections(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	w := e.start(lead, `incident "Pool survivor"`)
	db, err := srv.DB()
	require.NoError(t, err)
	info := func() { requireContains(t, e.run(lead, w.ChannelID, "/devops info").Text, "Pool survivor") }

	for round := range 3 {
		// Eight at once, so that several of the pool's connections are open and idle.
		answers := make([]string, 8)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				resp, _, err := lead.client.ExecuteCommandWithTeam(context.Background(), w.ChannelID, e.team.Id, "/devops info")
				if err == nil {
					answers[i] = resp.Text
				}
			})
		}
		wg.Wait()
		for _, a := range answers {
			require.Contains(t, a, "Pool survivor")
		}
		var killed int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = 'devops-channels') k`).Scan(&killed))
		require.Greater(t, killed, 1, "round %d: the plugin had connections to end", round)
		for range 10 {
			info()
		}
	}
}
