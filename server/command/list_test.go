package command

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

func TestListLinksEachWorkflowByItsChannel(t *testing.T) {
	items := []*app.Workflow{
		{ChannelName: "inc-2-db-failover", Stage: "triage", Severity: "sev1", LeadUsername: "leia",
			ChannelDisplayName: "Incident 2: DB failover", ViewerInChannel: true},
		{ChannelName: "sec-1", Stage: "assessment", Private: true, LeadUsername: "han",
			ChannelDisplayName: "Security issue 1: Token leak", ViewerInChannel: true},
		{ChannelName: "rel-3-v1-2", Stage: "qa", ChannelDisplayName: "Release 3: v1.2"},
		{ChannelName: "inc-1-gone", Stage: "triage", LeadUsername: "leia"}, // its channel row is gone
	}
	text := renderList(items, app.ListFilter{Status: app.StatusActive, Mine: true}, true)
	require.Equal(t, "#### Active workflows you are in\n"+
		"| Workflow | Stage | Severity | Lead |\n|:--|:--|:--|:--|\n"+
		"| ~inc-2-db-failover | triage | sev1 | @leia |\n"+
		"| ~sec-1 🔒 | assessment | — | @han |\n"+
		"| ~rel-3-v1-2 | qa | — | — |\n"+
		"| ~inc-1-gone | triage | — | @leia |\n"+
		"\nShowing the newest 4; filter by type or use the panel for more.", text)

	require.Equal(t, map[string]any{"rel-3-v1-2": map[string]any{"display_name": "Release 3: v1.2"}}, channelMentions(items),
		"only the channels the viewer is not in, and only those that exist")
}

func TestListOutdatedSaysWhatItKeeps(t *testing.T) {
	items := []*app.Workflow{{ChannelName: "inc-4-old", Stage: "mitigated", Severity: "sev2", LeadUsername: "leia"}}
	text := renderList(items, app.ListFilter{Status: app.StatusActive, Outdated: true}, false)
	require.Equal(t, "#### Active workflows on an older template than their type's current one\n"+
		"| Workflow | Stage | Severity | Lead |\n|:--|:--|:--|:--|\n"+
		"| ~inc-4-old | mitigated | sev2 | @leia |\n", text)
	require.Equal(t, " you are in on an older template than their type's current one",
		listSuffix(app.ListFilter{Mine: true, Outdated: true}))
}
