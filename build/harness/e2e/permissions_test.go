package e2e

// Mattermost decides: who may start a workflow (create its channel), who may read one
// (read its channel) and what a UI offers come from Mattermost's own permissions —
// its permission scheme, guests, a channel converted by an admin — asked through the
// plugin API, on the real server.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

// patchRole changes a role's permissions on the server for the rest of the test
// (a permission scheme change, as System Console → Permissions makes it) and puts
// them back after.
func patchRole(t *testing.T, roleName string, change func(perms []string) []string) {
	t.Helper()
	ctx := context.Background()
	role, _, err := srv.Admin.GetRoleByName(ctx, roleName)
	require.NoError(t, err)
	before := slices.Clone(role.Permissions)
	after := change(slices.Clone(before))
	_, _, err = srv.Admin.PatchRole(ctx, role.Id, &model.RolePatch{Permissions: &after})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _, err := srv.Admin.PatchRole(context.Background(), role.Id, &model.RolePatch{Permissions: &before})
		require.NoError(t, err)
	})
}

func without(names ...string) func([]string) []string {
	return func(perms []string) []string {
		return slices.DeleteFunc(perms, func(p string) bool { return slices.Contains(names, p) })
	}
}

func with(names ...string) func([]string) []string {
	return func(perms []string) []string { return append(perms, names...) }
}

// listed is what GET /workflows lists to m in the env's team, by title.
func (e *env) listed(m *member) []string {
	e.t.Helper()
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id, nil, &page))
	var titles []string
	for _, w := range page.Items {
		titles = append(titles, w.Title)
	}
	return titles
}

// Without Mattermost's permission to create a kind of channel in the team, nothing
// that would create one starts — the command, the REST door, the dialog — and the
// refusal names the permission; the types offered say so too.
func TestStartNeedsMattermostsChannelCreationPermission(t *testing.T) {
	e := newEnv(t)
	sec := e.withDiscipline("sec", "security")
	patchRole(t, model.TeamUserRoleId, without(model.PermissionCreatePublicChannel.Id, model.PermissionCreatePrivateChannel.Id))

	resp := e.run(sec, e.square.Id, "/devops start incident Checkout is down")
	requireContains(t, resp.Text, "Mattermost does not let you create public channels in this team", "`create_public_channel`")
	var refusal apiError
	require.Equal(t, http.StatusForbidden, api(t, sec, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Checkout is down"}, &refusal))
	requireContains(t, refusal.Error, "`create_public_channel`")
	var out map[string]any
	require.Equal(t, http.StatusOK, api(t, sec, http.MethodPost, "/api/v1/dialog/start",
		map[string]any{"type": "dialog_submission", "callback_id": "start", "team_id": e.team.Id, "channel_id": e.square.Id,
			"submission": map[string]any{"type": "security", "title": "Leaked key"}}, &out))
	requireContains(t, fmt.Sprint(out["error"]), "`create_private_channel`")
	resp = e.run(sec, e.square.Id, "/devops start")
	requireContains(t, resp.Text, "You may not start any workflow type in this team")
	require.Empty(t, e.listed(sec), "nothing was started")
	channels, _, err := srv.Admin.GetPublicChannelsForTeam(context.Background(), e.team.Id, 0, 100, "")
	require.NoError(t, err)
	require.Len(t, channels, 2, "town square and off-topic only: no channel was made")

	// Private channels still forbidden, public ones allowed again: the types follow.
	patchRole(t, model.TeamUserRoleId, with(model.PermissionCreatePublicChannel.Id))
	var templates struct {
		Items []struct {
			Type     string `json:"type"`
			CanStart bool   `json:"can_start"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, sec, http.MethodGet, "/api/v1/templates?team_id="+e.team.Id, nil, &templates))
	canStart := map[string]bool{}
	for _, tmpl := range templates.Items {
		canStart[tmpl.Type] = tmpl.CanStart
	}
	require.True(t, canStart["incident"], "public incidents: allowed")
	require.False(t, canStart["security"], "security issues are private: not allowed")
	resp = e.run(sec, e.square.Id, "/devops start security Leaked key")
	requireContains(t, resp.Text, "`create_private_channel`")
	resp = e.run(sec, e.square.Id, "/devops start incident Checkout is down --private")
	requireContains(t, resp.Text, "`create_private_channel`")
	e.start(sec, "incident Checkout is down")
	require.Equal(t, []string{"Checkout is down"}, e.listed(sec))
}

// makeGuest turns m into a guest the way Mattermost stores one (system role
// system_guest; team and channel memberships schemeguest), as the license-free
// server cannot through its API. Without a license a guest cannot log in, so their
// existing session is made a guest's too.
func (e *env) makeGuest(m *member) {
	e.t.Helper()
	db, err := srv.DB()
	require.NoError(e.t, err)
	for _, q := range []string{
		`UPDATE users SET roles = 'system_guest' WHERE id = $1`,
		`UPDATE teammembers SET schemeguest = true, schemeuser = false WHERE userid = $1`,
		`UPDATE channelmembers SET schemeguest = true, schemeuser = false WHERE userid = $1`,
		`UPDATE sessions SET roles = 'system_guest' WHERE userid = $1`,
	} {
		_, err := db.Exec(q, m.Id)
		require.NoError(e.t, err, q)
	}
	_, err = srv.Admin.InvalidateCaches(context.Background())
	require.NoError(e.t, err)
	me, _, err := m.client.GetMe(context.Background(), "")
	require.NoError(e.t, err)
	require.True(e.t, me.IsGuest(), "Mattermost sees a guest")
}

// A guest reads only the workflows of channels they are in, by every read, and may
// start none; slash commands are not theirs at all in Mattermost.
func TestGuestsSeeOnlyTheirChannelsWorkflows(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	theirs := e.start(lead, "incident Guest can help here")
	other := e.start(lead, "incident Internal only matter")
	guest := e.user("guest")
	_, _, err := lead.client.AddChannelMember(context.Background(), theirs.ChannelID, guest.Id)
	require.NoError(t, err)
	e.makeGuest(guest)

	require.Equal(t, []string{"Guest can help here"}, e.listed(guest))
	for _, suffix := range []string{"", "/timeline", "/tasks", "/members"} {
		status, _ := get(t, guest, "/api/v1/workflows/"+other.ID+suffix)
		require.Equal(t, http.StatusNotFound, status, "another channel's workflow%s", suffix)
		status, _ = get(t, guest, "/api/v1/workflows/"+theirs.ID+suffix)
		require.Equal(t, http.StatusOK, status, "their channel's workflow%s", suffix)
	}
	status, body := get(t, guest, "/api/v1/workflows?team_id="+e.team.Id+"&channel_id="+other.ChannelID)
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, other.ID)
	var stats struct {
		Items []struct {
			Type    string `json:"type"`
			Started int    `json:"started"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, guest, http.MethodGet, "/api/v1/stats?team_id="+e.team.Id, nil, &stats))
	require.Len(t, stats.Items, 1)
	require.Equal(t, 1, stats.Items[0].Started, "stats count only what the guest may read")

	var refusal apiError
	require.Equal(t, http.StatusForbidden, api(t, guest, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Guest started"}, &refusal))
	requireContains(t, refusal.Error, "`create_public_channel`")
	// The command door, where Mattermost lets a guest use it, answers the same.
	listed := shown(t, e.run(guest, theirs.ChannelID, "/devops list"))
	requireContains(t, listed, theirs.ChannelName)
	require.NotContains(t, listed, other.ChannelName)
	requireContains(t, e.run(guest, theirs.ChannelID, "/devops start incident Guest started").Text, "`create_public_channel`")

	// A team member outside both channels still reads both public workflows.
	outsider := e.user("outsider")
	require.ElementsMatch(t, []string{"Guest can help here", "Internal only matter"}, e.listed(outsider))
}

// An admin converts a public workflow's channel to private in Mattermost: at once a
// team member outside it reads it nowhere; converted back, they read it again; the
// timeline records both, and the channel's archiving and restoring.
func TestPrivacyFollowsTheChannel(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	w := e.start(lead, "incident Payments latency")
	outsider := e.user("outsider")
	ctx := context.Background()
	reads := func() map[string]int {
		out := map[string]int{}
		for _, suffix := range []string{"", "/timeline", "/tasks", "/members"} {
			status, _ := get(t, outsider, "/api/v1/workflows/"+w.ID+suffix)
			out["GET"+suffix] = status
		}
		if slices.Contains(e.listed(outsider), w.Title) {
			out["list"] = 1
		}
		if resp := e.run(outsider, e.square.Id, "/devops list"); len(resp.Text) > 0 && strings.Contains(shown(t, resp), w.ChannelName) {
			out["/devops list"] = 1
		}
		return out
	}
	public := map[string]int{"GET": 200, "GET/timeline": 200, "GET/tasks": 200, "GET/members": 200, "list": 1, "/devops list": 1}
	require.Equal(t, public, reads())

	_, _, err := srv.Admin.UpdateChannelPrivacy(ctx, w.ChannelID, model.ChannelTypePrivate)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"GET": 404, "GET/timeline": 404, "GET/tasks": 404, "GET/members": 404}, reads(),
		"private at once, by every read")
	require.True(t, e.workflowOf(lead, w.ChannelID).Private)

	_, _, err = srv.Admin.UpdateChannelPrivacy(ctx, w.ChannelID, model.ChannelTypeOpen)
	require.NoError(t, err)
	require.Equal(t, public, reads())

	// Archived and restored by an admin in Mattermost: both in the timeline too.
	_, err = srv.Admin.DeleteChannel(ctx, w.ChannelID)
	require.NoError(t, err)
	_, _, err = srv.Admin.RestoreChannel(ctx, w.ChannelID)
	require.NoError(t, err)

	var timeline struct {
		Items []struct {
			Type    string `json:"type"`
			Summary string `json:"summary"`
		} `json:"items"`
	}
	eventually(t, 10*time.Second, func() bool {
		require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID+"/timeline", nil, &timeline))
		n := 0
		for _, ev := range timeline.Items {
			if ev.Type == "channel_changed" {
				n++
			}
		}
		return n == 4
	}, "both conversions, the archive and the restore in the timeline")
	var summaries []string
	for _, ev := range timeline.Items {
		if ev.Type == "channel_changed" {
			summaries = append(summaries, ev.Summary)
		}
	}
	requireContains(t, fmt.Sprint(summaries), "Channel made private by @", "Channel made public by @",
		"Channel archived by @", "Channel restored by @")
}

// A permission scheme change is what the UI shows and what the server does: with
// manage_channel_roles given to every channel member, a plain member is offered the
// lead's actions and may take them; taken back, neither.
func TestPermissionsFollowThePermissionScheme(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	w := e.start(lead, "incident Scheme follows")
	plain := e.user("plain")
	_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, plain.Id)
	require.NoError(t, err)
	offered := func() bool {
		var view struct {
			Permissions struct {
				ChangeStage bool `json:"change_stage"`
				Close       bool `json:"close"`
			} `json:"permissions"`
		}
		require.Equal(t, http.StatusOK, api(t, plain, http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &view))
		require.Equal(t, view.Permissions.ChangeStage, view.Permissions.Close)
		return view.Permissions.ChangeStage
	}
	require.False(t, offered())
	requireContains(t, e.run(plain, w.ChannelID, "/devops stage next").Text, "Only the commander")

	patchRole(t, model.ChannelUserRoleId, with(model.PermissionManageChannelRoles.Id))
	require.True(t, offered(), "the scheme now lets channel members manage the channel")
	require.Empty(t, e.run(plain, w.ChannelID, "/devops stage next").Text, "done: the bot's post is the answer")
	require.Equal(t, "investigating", e.workflowOf(plain, w.ChannelID).Stage)
}
