package command

import (
	"github.com/mattermost/mattermost/server/public/model"
)

// autocomplete builds the suggestion tree from the subcommand table. Hiding an entry
// here is never a permission check: the service decides on every call.
func (h *Handler) autocomplete(trigger string) *model.AutocompleteData {
	root := model.NewAutocompleteData(trigger, "[command]", "DevOps Channels workflow commands")
	for _, s := range h.subs {
		root.AddCommand(model.NewAutocompleteData(s.name, hintOf(s.usage, s.name), s.help))
	}
	return root
}

func hintOf(usage, name string) string {
	if len(usage) > len(name) {
		return usage[len(name)+1:]
	}
	return ""
}
