package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/app"
)

// pinnedViewJSON is what GET /workflows/{id} says of the template a workflow runs on.
type pinnedViewJSON struct {
	Stage    string `json:"stage"`
	Status   string `json:"status"`
	Template struct {
		Stages []struct {
			Name string `json:"name"`
		} `json:"stages"`
	} `json:"template"`
	Pinned     app.PinnedTemplate `json:"pinned_template"`
	LastStatus *struct {
		Text string `json:"text"`
	} `json:"last_status"`
}

func (v *pinnedViewJSON) stageNames() []string {
	out := make([]string, len(v.Template.Stages))
	for i, st := range v.Template.Stages {
		out[i] = st.Name
	}
	return out
}

// view reads a workflow through the REST door as m, requiring success.
func view(t *testing.T, m *member, id string) *pinnedViewJSON {
	t.Helper()
	var v pinnedViewJSON
	var refused apiError
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/workflows/"+id, nil, &v), refused.Error)
	return &v
}

// setTemplates saves the template settings and puts the defaults back when the test ends.
func setTemplates(t *testing.T, overrides, enabled string) {
	t.Helper()
	setPluginSettings(t, map[string]any{"templateoverrides": overrides, "enabledtypes": enabled})
	t.Cleanup(func() { setPluginSettings(t, map[string]any{"templateoverrides": "", "enabledtypes": ""}) })
}

var incidentStages = []string{"triage", "investigating", "mitigated", "resolved"}

// An incident in mitigated moves on to resolved whatever a later override of the
// incident's stages says, and after the override is reverted; the override applies
// to incidents started while it is in force, which keep it in turn.
func TestRunningWorkflowsKeepTheirTemplate(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	w := e.start(lead, "incident Checkout errors while the template changes")
	for range 2 {
		require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	}
	require.Equal(t, "mitigated", view(t, lead, w.ID).Stage)
	require.True(t, view(t, lead, w.ID).Pinned.Current)
	require.NotContains(t, e.run(lead, w.ChannelID, "/devops info").Text, "**Template:**", "on its type's current template: no note")

	setTemplates(t, `{"incident": {"stages": [{"name": "open"}, {"name": "done"}]}}`, "")
	short := e.start(lead, "incident Started under the short template")
	require.Equal(t, []string{"open", "done"}, view(t, lead, short.ID).stageNames(), "an override applies to new starts")

	v := view(t, lead, w.ID)
	require.Equal(t, incidentStages, v.stageNames(), "a running incident keeps its own stages")
	require.False(t, v.Pinned.Current)
	require.Equal(t, []string{"stages"}, v.Pinned.Changed)
	require.Positive(t, v.Pinned.RecordedAt)
	requireContains(t, e.run(lead, w.ChannelID, "/devops info").Text,
		"**Template:** Incident (incident) as of ", "the current template differs: stages")
	outdated := e.run(lead, e.square.Id, "/devops list --outdated").Text
	requireContains(t, outdated, "~"+w.ChannelName)
	require.NotContains(t, outdated, "~"+short.ChannelName)

	requireContains(t, e.run(lead, w.ChannelID, "/devops stage").Text, "Stage **mitigated** (3 of 4)", "Next: **resolved**")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	require.Equal(t, "resolved", view(t, lead, w.ID).Stage, "its own next stage, not the override's first")
	requireContains(t, e.run(lead, w.ChannelID, "/devops stage open").Text, `Unknown stage "open"`)

	// Reverted: the incident is still right, and now current; the short one keeps its two stages.
	setPluginSettings(t, map[string]any{"templateoverrides": ""})
	v = view(t, lead, w.ID)
	require.Equal(t, "resolved", v.Stage)
	require.Equal(t, incidentStages, v.stageNames())
	require.True(t, v.Pinned.Current)
	require.Equal(t, []string{"open", "done"}, view(t, lead, short.ID).stageNames())
	require.Empty(t, e.run(lead, short.ChannelID, "/devops stage next").Text)
	require.Equal(t, "done", view(t, lead, short.ID).Stage)
	outdated = e.run(lead, e.square.Id, "/devops list --outdated").Text
	requireContains(t, outdated, "~"+short.ChannelName)
	require.NotContains(t, outdated, "~"+w.ChannelName)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops close Fixed").Text)
	require.Equal(t, "closed", view(t, lead, w.ID).Status)
}

// Narrowing "Enabled workflow types" and removing a custom type govern new starts
// only: running workflows of those types are read, updated, moved, reminded and
// closed as before, by their lead and by an admin, while a new start is refused
// saying why.
func TestDisabledTypesKeepTheirRunningWorkflows(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	setTemplates(t, `{"postmortem": {"name": "Postmortem", "channel_pattern": "pm-{seq}-{slug}", "lead_role": "facilitator",
		"stages": [{"name": "draft"}, {"name": "review"}, {"name": "published"}]}}`, "")
	inc := e.start(lead, "incident Payments down while types change --severity sev1")
	pm := e.start(lead, "postmortem Payments outage review")

	// Only releases may start now, and the postmortem type is gone altogether.
	setPluginSettings(t, map[string]any{"templateoverrides": "", "enabledtypes": "release"})

	refused := e.run(lead, e.square.Id, "/devops start incident Another payments problem").Text
	requireContains(t, refused, "New incident workflows cannot be started", "Enabled workflow types", "Types you can start: release")
	var apiRefusal apiError
	require.Equal(t, http.StatusForbidden, api(t, lead, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Yet another payments problem"}, &apiRefusal))
	requireContains(t, apiRefusal.Error, "New incident workflows cannot be started")
	requireContains(t, e.run(lead, e.square.Id, "/devops start postmortem Another review").Text, `Unknown workflow type "postmortem"`)
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&q=another", nil, &page))
	require.Empty(t, page.Items, "a refused start makes nothing")

	// The disabled incident works as before.
	v := view(t, lead, inc.ID)
	require.True(t, v.Pinned.Current && v.Pinned.Defined && !v.Pinned.Enabled)
	requireContains(t, e.run(lead, inc.ChannelID, "/devops info").Text, "stage **triage**")
	require.Empty(t, e.run(lead, inc.ChannelID, "/devops status Rolled back the payments deploy").Text)
	require.Equal(t, "Rolled back the payments deploy", view(t, lead, inc.ID).LastStatus.Text)
	require.Empty(t, e.run(lead, inc.ChannelID, "/devops stage next").Text)
	require.Equal(t, "investigating", view(t, lead, inc.ID).Stage)
	require.Empty(t, e.run(lead, inc.ChannelID, "/devops task add Check the payment provider").Text)
	requireContains(t, e.run(lead, inc.ChannelID, "/devops tasks").Text, "Check the payment provider")
	require.Empty(t, e.run(lead, inc.ChannelID, "/devops snooze 30m").Text)
	requireContains(t, e.run(lead, e.square.Id, "/devops list incident").Text, "~"+inc.ChannelName)

	// Its reminders still come when due (made due here rather than waited for), and
	// what they ask for works.
	db, err := srv.DB()
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE devops_workflows SET next_reminder_at = $2 WHERE id = $1`, inc.ID, time.Now().Add(-time.Second).UnixMilli())
	require.NoError(t, err)
	eventually(t, 20*time.Second, func() bool {
		return postsContaining(t, lead, inc.ChannelID, "no status update for") >= 1
	}, "a reminder of a disabled type's incident")
	requireContains(t, lastPost(t, lead, inc.ChannelID).Message, "/devops status")
	require.Empty(t, e.run(lead, inc.ChannelID, "/devops status Payments recovered").Text)

	// The removed postmortem type: read, moved and closed by its lead.
	v = view(t, lead, pm.ID)
	require.Equal(t, []string{"draft", "review", "published"}, v.stageNames())
	require.False(t, v.Pinned.Current || v.Pinned.Defined)
	requireContains(t, e.run(lead, pm.ChannelID, "/devops info").Text, "**Template:** Postmortem (postmortem)", "the type is no longer defined")
	requireContains(t, e.run(lead, e.square.Id, "/devops list --outdated").Text, "~"+pm.ChannelName)
	require.Empty(t, e.run(lead, pm.ChannelID, "/devops stage next").Text)
	require.Equal(t, "review", view(t, lead, pm.ID).Stage)
	require.Empty(t, e.run(lead, pm.ChannelID, "/devops close Reviewed").Text)
	require.Equal(t, "closed", view(t, lead, pm.ID).Status)

	// A system admin closes the disabled type's incident through the REST door.
	var closed workflowJSON
	require.Equal(t, http.StatusOK, api(t, admin(), http.MethodPost, "/api/v1/workflows/"+inc.ID+"/close", map[string]any{"summary": "Closed by an admin"}, &closed))
	require.Equal(t, "closed", closed.Status)
}

// Workflows made before template versions are pinned, when the plugin activates, to
// the template in force then: a later change of the override does not reach them.
func TestWorkflowsFromBeforeVersionsArePinnedOnActivation(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	setTemplates(t, `{"incident": {"stages": [{"name": "triage"}, {"name": "fixing"}, {"name": "verified"}]}}`, "")
	w := e.start(lead, "incident Made by the previous version")
	db, err := srv.DB()
	require.NoError(t, err)
	// As the plugin before versions left it.
	_, err = db.Exec(`UPDATE devops_workflows SET template_version = '' WHERE id = $1`, w.ID)
	require.NoError(t, err)

	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	var version string
	require.NoError(t, db.QueryRow(`SELECT template_version FROM devops_workflows WHERE id = $1`, w.ID).Scan(&version))
	require.NotEmpty(t, version, "pinned on activation")

	setPluginSettings(t, map[string]any{"templateoverrides": ""})
	require.Equal(t, []string{"triage", "fixing", "verified"}, view(t, lead, w.ID).stageNames())
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	require.Equal(t, "fixing", view(t, lead, w.ID).Stage)
}
