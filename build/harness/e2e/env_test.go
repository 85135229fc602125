package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

var uniq atomic.Int64

// name returns a name unique within the test run, for teams and users.
func name(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, uniq.Add(1))
}

// member is a logged-in user of a test team.
type member struct {
	*model.User
	client *model.Client4
}

// env is a team with a town square and some users, created per test.
type env struct {
	t      *testing.T
	team   *model.Team
	square *model.Channel
}

func newEnv(t *testing.T) *env {
	t.Helper()
	team, err := srv.CreateTeam(name("team"))
	require.NoError(t, err)
	square, _, err := srv.Admin.GetChannelByName(context.Background(), "town-square", team.Id, "")
	require.NoError(t, err)
	return &env{t: t, team: team, square: square}
}

func (e *env) user(prefix string) *member {
	e.t.Helper()
	u, c, err := srv.CreateUser(name(prefix), e.team.Id)
	require.NoError(e.t, err)
	// The suite creates hundreds of people on one server; Mattermost refuses new users
	// beyond its safe limit of active ones (ERROR_SAFETY_LIMITS_EXCEEDED), so each is
	// deactivated when its test ends.
	e.t.Cleanup(func() {
		if _, err := srv.Admin.UpdateUserActive(context.Background(), u.Id, false); err != nil {
			e.t.Logf("deactivate %s: %v", u.Username, err)
		}
	})
	return &member{User: u, client: c}
}

// run executes a slash command as m in a channel and returns the response text.
func (e *env) run(m *member, channelID, cmd string) *model.CommandResponse {
	e.t.Helper()
	resp, _, err := m.client.ExecuteCommandWithTeam(context.Background(), channelID, e.team.Id, cmd)
	require.NoError(e.t, err, "command %q", cmd)
	return resp
}

// shown is all a command's answer shows a client: its text and its props (the
// channel names and display names a list passes along), for checks that something
// is, or is not, in an answer.
func shown(t *testing.T, resp *model.CommandResponse) string {
	t.Helper()
	props, err := json.Marshal(resp.Props)
	require.NoError(t, err)
	return resp.Text + "\n" + string(props)
}

func requireContains(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		require.True(t, strings.Contains(s, p), "expected %q in:\n%s", p, s)
	}
}
