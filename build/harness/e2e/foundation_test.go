package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

func TestPluginActivatesWithBot(t *testing.T) {
	statuses, _, err := srv.Admin.GetPluginStatuses(context.Background())
	require.NoError(t, err)
	var found bool
	for _, st := range statuses {
		if st.PluginId == harness.PluginID {
			found = true
			require.Equal(t, model.PluginStateRunning, st.State, st.Error)
		}
	}
	require.True(t, found, "plugin is installed")

	bot, _, err := srv.Admin.GetUserByUsername(context.Background(), "devops", "")
	require.NoError(t, err)
	require.True(t, bot.IsBot, "devops is a bot account")
}

func TestHelpForNormalUser(t *testing.T) {
	e := newEnv(t)
	dev := e.user("dev")
	resp := e.run(dev, e.square.Id, "/devops help")
	require.Equal(t, model.CommandResponseTypeEphemeral, resp.ResponseType)
	requireContains(t, resp.Text, "DevOps Channels", "/devops help")

	bare := e.run(dev, e.square.Id, "/devops")
	require.Equal(t, resp.Text, bare.Text, "no subcommand shows help")

	unknown := e.run(dev, e.square.Id, "/devops frobnicate")
	requireContains(t, unknown.Text, "Unknown command `frobnicate`", "/devops help")
}

func TestMigrationsRunOnceAndSurviveRestart(t *testing.T) {
	db, err := srv.DB()
	require.NoError(t, err)
	versions := func() []int {
		rows, err := db.Query(`SELECT version FROM devops_migrations ORDER BY version`)
		require.NoError(t, err)
		defer rows.Close()
		var out []int
		for rows.Next() {
			var v int
			require.NoError(t, rows.Scan(&v))
			out = append(out, v)
		}
		return out
	}
	before := versions()
	require.NotEmpty(t, before)
	for _, table := range []string{"devops_workflows", "devops_sequences", "devops_roles", "devops_signoffs", "devops_disciplines", "devops_timeline"} {
		var exists bool
		require.NoError(t, db.QueryRow(`SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists))
		require.True(t, exists, "table %s exists", table)
	}

	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	require.Equal(t, before, versions(), "a restart applies nothing twice")
}

func TestAPIRequiresMattermostSession(t *testing.T) {
	anon := model.NewAPIv4Client(srv.URL)
	status, body, err := harness.PluginRequest(anon, http.MethodGet, "/api/v1/ping", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, status)
	require.JSONEq(t, `{"error":"not authenticated: log in to Mattermost"}`, string(body))

	e := newEnv(t)
	dev := e.user("dev")
	status, body, err = harness.PluginRequest(dev.client, http.MethodGet, "/api/v1/ping", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(body))
	requireContains(t, string(body), dev.Id)
}
