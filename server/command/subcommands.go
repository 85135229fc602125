package command

import (
	"github.com/mattermost/mattermost/server/public/model"
)

// subcommands is the table every part of the door reads: dispatch, help and autocomplete.
func (h *Handler) subcommands() []*subcommand {
	return []*subcommand{
		{name: "help", usage: "help", help: "Show this command reference.", run: (*Handler).help},
	}
}

func (h *Handler) help(c *call) *model.CommandResponse {
	return ephemeral("%s", h.reference(c.trigger))
}
