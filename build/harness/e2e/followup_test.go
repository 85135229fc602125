package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

type followupJSON struct {
	Number         int    `json:"number"`
	Text           string `json:"text"`
	Followup       bool   `json:"followup"`
	WorkflowID     string `json:"workflow_id"`
	WorkflowStatus string `json:"workflow_status"`
}

func (e *env) followups(m *member) []followupJSON {
	e.t.Helper()
	var page struct {
		Items []followupJSON `json:"items"`
	}
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/followups?team_id="+e.team.Id, nil, &page))
	return page.Items
}

// A follow-up outlives its workflow's close: it stays in the team's list, one can be
// added in the retrospective, finishing one after the close lands on the closed
// workflow's timeline; plain tasks of a closed workflow stay closed to changes.
func TestFollowupsOutliveTheClose(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	w := e.start(lead, "incident Checkout errors in EU")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task add Page the database team").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task add Write the postmortem --followup").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops close Rolled back").Text)

	items := e.followups(lead)
	require.Len(t, items, 1)
	require.Equal(t, "Write the postmortem", items[0].Text)
	require.Equal(t, "closed", items[0].WorkflowStatus)
	requireContains(t, e.run(lead, e.square.Id, "/devops followups").Text, "Open follow-ups (1)", "~"+w.ChannelName, "Write the postmortem", "(closed)")

	// Added in the retrospective, after the close: a follow-up too.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task add Add an alert on the error rate").Text)
	require.Len(t, e.followups(lead), 2)

	var plain, postmortem int
	for _, task := range e.tasks(lead, w.ID) {
		switch task.Text {
		case "Page the database team":
			plain = task.Number
		case "Write the postmortem":
			postmortem = task.Number
		}
	}
	requireContains(t, e.run(lead, w.ChannelID, "/devops task done "+itoa(plain)).Text, "closed")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task done "+itoa(postmortem)).Text)
	require.Len(t, e.followups(lead), 1)

	var events []struct {
		Type    string `json:"type"`
		Summary string `json:"summary"`
	}
	var page struct {
		Items *[]struct {
			Type    string `json:"type"`
			Summary string `json:"summary"`
		} `json:"items"`
	}
	page.Items = &events
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID+"/timeline?per_page=200", nil, &page))
	found := false
	for _, ev := range events {
		if ev.Type == "task_done" && strings.Contains(ev.Summary, "Follow-up #"+itoa(postmortem)+" done after the close") {
			found = true
		}
	}
	require.True(t, found, "finishing the follow-up is on the closed workflow's timeline: %+v", events)

	// Someone outside the team gets no list.
	var refusal apiError
	require.Equal(t, http.StatusForbidden, api(t, newEnv(t).user("stranger"), http.MethodGet, "/api/v1/followups?team_id="+e.team.Id, nil, &refusal))
}

func itoa(n int) string {
	return strconv.Itoa(n)
}

// The markdown export holds the title, the people, every status update whole, the
// timeline, tasks and follow-ups; `/devops export` attaches it to the channel; a
// private workflow's export exists only for those who can read its channel.
func TestExportContentAndPrivacy(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	w := e.start(lead, "incident Checkout errors in EU --severity sev2")
	long := "Impact: checkout fails for 30% of EU users.\nMitigation: rolling back 2.4.0. " + strings.Repeat("Watching the p99 closely. ", 15) + "END-OF-UPDATE"
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status First look: errors from the payment gateway").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status "+long).Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task add Write the postmortem --followup").Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops set service checkout-api").Text)
	helper := e.user("helper")
	require.Empty(t, e.run(lead, w.ChannelID, "/devops task add Compare the gateway's logs --to @"+lead.Username+",@"+helper.Username).Text)
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)

	status, raw, err := harness.PluginRequest(lead.client, http.MethodGet, "/api/v1/workflows/"+w.ID+"/export?format=markdown", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(raw))
	md := string(raw)
	requireContains(t, md, "# Checkout errors in EU\n", "| **Workflow** | Incident ", "| **Severity** | sev2 |", "## People and roles", "@"+lead.Username,
		"## Stage durations", "| triage |", "| investigating |", "## Status updates", "First look: errors from the payment gateway",
		"END-OF-UPDATE", "> Mitigation: rolling back 2.4.0.", "## Timeline", "Stage changed", "## Tasks", "## Follow-ups", "Write the postmortem")
	// The template's custom fields, set or not, and every assignee of a task.
	requireContains(t, md, "## Fields", "- **Service:** checkout-api", "- **Customer:** —",
		"| Compare the gateway's logs | triage | @"+lead.Username+", @"+helper.Username+" |")

	var refusal apiError
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID+"/export?format=pdf", nil, &refusal))
	require.Contains(t, refusal.Error, "format:")

	// Attached to the channel as a file by the bot.
	requireContains(t, e.run(lead, w.ChannelID, "/devops export").Text, "Attached `incident-")
	posts, _, err := lead.client.GetPostsForChannel(context.Background(), w.ChannelID, 0, 5, "", false, false)
	require.NoError(t, err)
	var filePost *model.Post
	for _, p := range posts.ToSlice() {
		if len(p.FileIds) > 0 {
			filePost = p
			break
		}
	}
	require.NotNil(t, filePost, "a post with the file")
	requireContains(t, filePost.Message, "Postmortem export")
	data, _, err := lead.client.GetFile(context.Background(), filePost.FileIds[0])
	require.NoError(t, err)
	requireContains(t, string(data), "END-OF-UPDATE", "Checkout errors in EU")

	// Private: an outsider in the team gets 404, as for a workflow that does not
	// exist, and nothing of it; a member reads it.
	seclead := e.withDiscipline("seclead", "security")
	insider := e.user("insider")
	outsider := e.user("outsider")
	sec := e.start(seclead, "security Leaked token in CI")
	_, _, err = seclead.client.AddChannelMember(context.Background(), sec.ChannelID, insider.Id)
	require.NoError(t, err)
	require.Empty(t, e.run(seclead, sec.ChannelID, "/devops status Token revoked; rotating secrets").Text)
	require.Empty(t, e.run(seclead, sec.ChannelID, "/devops task add Rotate the CI secrets --followup").Text)
	for _, path := range []string{"/api/v1/workflows/" + sec.ID + "/export?format=markdown", "/api/v1/workflows/" + model.NewId() + "/export"} {
		status, body := get(t, outsider, path)
		require.Equal(t, http.StatusNotFound, status)
		require.NotContains(t, body, "Leaked token")
		require.NotContains(t, body, "rotating secrets")
		require.Equal(t, `{"error":"No such workflow."}`, strings.TrimSpace(body))
	}
	status, body := get(t, insider, "/api/v1/workflows/"+sec.ID+"/export")
	require.Equal(t, http.StatusOK, status)
	requireContains(t, body, "Leaked token in CI", "Token revoked; rotating secrets", "| **Visibility** | private |")
	for _, f := range e.followups(outsider) {
		require.NotEqual(t, sec.ID, f.WorkflowID, "a private workflow's follow-ups are not listed to outsiders")
	}
	var insiders []string
	for _, f := range e.followups(insider) {
		insiders = append(insiders, f.Text)
	}
	require.Contains(t, insiders, "Rotate the CI secrets")
}
