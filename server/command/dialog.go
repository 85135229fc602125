package command

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// StartDialogPath is where Mattermost submits the start form (relative to the plugin).
const StartDialogPath = "/api/v1/dialog/start"

// openStartDialog shows the start form: `/devops start` with no arguments.
func (h *Handler) openStartDialog(c *call) *model.CommandResponse {
	templates, err := h.svc.Templates(context.Background(), c.args.UserId, c.args.TeamId)
	if err != nil {
		return h.fail(c, err)
	}
	var types []*model.PostActionOptions
	sevSet := map[string]bool{}
	for _, t := range templates {
		if !t.CanStart {
			continue
		}
		types = append(types, &model.PostActionOptions{Text: t.Name, Value: t.Type})
		for _, s := range t.Severities {
			sevSet[s] = true
		}
	}
	if len(types) == 0 {
		return ephemeral("You may not start any workflow type in this team: each needs a discipline it allows (yours: `/%[1]s discipline`) "+
			"and Mattermost's permission to create its kind of channel here, which a team or system admin gives.", c.trigger)
	}
	sevs := make([]string, 0, len(sevSet))
	for s := range sevSet {
		sevs = append(sevs, s)
	}
	sort.Strings(sevs)
	err = h.users.OpenDialog(model.OpenDialogRequest{
		TriggerId: c.args.TriggerId,
		URL:       c.args.SiteURL + app.PluginPath + StartDialogPath,
		Dialog: model.Dialog{
			CallbackId:  "start",
			Title:       "Start a workflow",
			SubmitLabel: "Start",
			Elements: []model.DialogElement{
				{DisplayName: "Type", Name: "type", Type: "select", Options: types},
				{DisplayName: "Title", Name: "title", Type: "text", MaxLength: app.MaxTitleRunes,
					Placeholder: "Checkout errors in EU", HelpText: "Releases: put the version in the title, e.g. Release 2.4.0."},
				{DisplayName: "Severity", Name: "severity", Type: "text", Optional: true, MaxLength: 64,
					HelpText: fmt.Sprintf("Leave empty for the type's default. Known: %s.", strings.Join(sevs, ", "))},
				{DisplayName: "Private", Name: "private", Type: "bool", Optional: true,
					Placeholder: "Only invited members see it (security issues are always private)"},
			},
		},
	})
	if err != nil {
		return h.fail(c, err)
	}
	return done()
}

// openDialog shows a form about this channel's workflow: a command that takes text,
// run without it.
func (h *Handler) openDialog(c *call, dialog string) *model.CommandResponse {
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		return h.svc.OpenDialog(ctx, c.args.UserId, c.args.TriggerId, dialog, w.ID, "")
	})
}
