package e2e

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// A workflow whose channel name is already taken in the team (archived channels
// too) gets the name with a suffix; the start settles it in its reservation.
func TestStartTakesAFreeChannelName(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead := e.withDiscipline("lead", "operations")
	taken, _, err := srv.Admin.CreateChannel(ctx, &model.Channel{TeamId: e.team.Id, Type: model.ChannelTypeOpen, Name: "inc-1-payments-down", DisplayName: "Taken"})
	require.NoError(t, err)
	_, err = srv.Admin.DeleteChannel(ctx, taken.Id) // archived names stay taken
	require.NoError(t, err)

	w := e.start(lead, `incident "Payments down"`)
	require.Regexp(t, regexp.MustCompile(`^inc-1-payments-down-[a-z0-9]{6}$`), w.ChannelName)
	second := e.start(lead, `incident "Search slow"`)
	require.Equal(t, "inc-2-search-slow", second.ChannelName, "a free name is kept")
}

// pluginConnections counts the database connections of the plugin's own pool,
// which tag themselves with application_name.
func pluginConnections(t *testing.T) int {
	t.Helper()
	db, err := srv.DB()
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND application_name = 'devops-channels'`).Scan(&n))
	return n
}

// With DatabasePoolSize 0 the plugin reaches the database through the server's
// connection (the plugin API's RPC driver); everything works the same, only slower.
func TestDatabaseThroughTheServersConnection(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	require.Positive(t, pluginConnections(t), "by default the plugin has a pool of its own")
	t.Cleanup(func() {
		setPluginSettings(t, map[string]any{"DatabasePoolSize": 8})
		require.NoError(t, srv.RestartPlugin(harness.PluginID))
		require.Positive(t, pluginConnections(t))
	})
	setPluginSettings(t, map[string]any{"DatabasePoolSize": 0})
	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	require.Eventually(t, func() bool { return pluginConnections(t) == 0 }, 10*time.Second, 100*time.Millisecond,
		"the old pool closes when the plugin stops, and no new one opens")

	w := e.start(lead, `incident "Checkout errors" --severity sev2`)
	resp := e.run(lead, w.ChannelID, "/devops status Rolled back the deploy")
	require.NotContains(t, resp.Text, "rror")
	info := e.run(lead, w.ChannelID, "/devops info")
	requireContains(t, info.Text, "Checkout errors")
	requireContains(t, info.Text, "severity **sev2**")
	list := e.run(lead, e.square.Id, "/devops list")
	requireContains(t, list.Text, "~"+w.ChannelName)
	// Disciplines read a list of user ids as one array parameter.
	requireContains(t, e.run(lead, w.ChannelID, "/devops who").Text, "| @"+lead.Username+" | operations (declared) |")
	require.Zero(t, pluginConnections(t), "all of it through the server's connection")
}
