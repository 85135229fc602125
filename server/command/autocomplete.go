package command

import (
	"github.com/mattermost/mattermost/server/public/model"
)

// Dynamic autocomplete lists, served by the REST door (relative to the plugin).
// A list's variant is a path, never a query: Mattermost escapes a query in a
// relative fetch URL into the path and then drops it.
const (
	StagesListPath      = "api/v1/autocomplete/stages"
	GatedStagesListPath = "api/v1/autocomplete/stages/gated"
	RolesListPath       = "api/v1/autocomplete/roles"
	// FieldsListPath lists the custom fields of the channel's workflow; FieldValuesListPath
	// the values of the field the command names so far (a select's options).
	FieldsListPath      = "api/v1/autocomplete/fields"
	FieldValuesListPath = "api/v1/autocomplete/fields/values"
)

// autocomplete builds the suggestion tree from the subcommand table. Hiding an entry
// here is never a permission check: the service decides on every call.
func (h *Handler) autocomplete(trigger string) *model.AutocompleteData {
	root := model.NewAutocompleteData(trigger, "[command]", "DevOps Channels workflow commands")
	for _, s := range h.subs {
		sub := model.NewAutocompleteData(s.name, hintOf(s.usage, s.name), s.help)
		switch s.name {
		case "start", "list":
			var types []model.AutocompleteListItem
			for _, t := range h.settings().Templates.All() {
				types = append(types, model.AutocompleteListItem{Item: t.Type, HelpText: t.Name})
			}
			sub.AddStaticListArgument("Workflow type", s.name == "start", types)
			if s.name == "start" {
				sub.AddTextArgument("Title", "<title> [--severity S] [--private] [--force] or --from <message link> [title]", "")
			}
		case "help":
			var names []model.AutocompleteListItem
			for _, other := range h.subs {
				names = append(names, model.AutocompleteListItem{Item: other.name, HelpText: other.help})
			}
			sub.AddStaticListArgument("Command", false, names)
		case "stage":
			sub.AddDynamicListArgument("Stage", StagesListPath, false)
		case "signoff":
			sub.AddDynamicListArgument("Gated stage", GatedStagesListPath, false)
		case "set":
			sub.AddDynamicListArgument("Field", FieldsListPath, false)
			sub.AddDynamicListArgument("Value", FieldValuesListPath, false)
		case "role":
			sub.AddDynamicListArgument("Role", RolesListPath, true)
			sub.AddTextArgument("User", "@user", "")
		case "rotation", "oncall":
			addOncallAutocomplete(sub)
		case "discipline":
			// Subcommands, not a list argument: Mattermost allows one or the other.
			var items []model.AutocompleteListItem
			for _, d := range h.settings().DisciplineSet().Names() {
				items = append(items, model.AutocompleteListItem{Item: d})
				sub.AddCommand(model.NewAutocompleteData(d, "", "Declare your discipline: "+d))
			}
			grant := model.NewAutocompleteData("grant", "@user <discipline>", "Grant a verified discipline (a system admin, or a verified holder of it)")
			grant.AddTextArgument("User", "@user", "")
			grant.AddStaticListArgument("Discipline", true, items)
			revoke := model.NewAutocompleteData("revoke", "@user", "Revoke a granted discipline (a system admin, or a verified holder of it)")
			revoke.AddTextArgument("User", "@user", "")
			sub.AddCommand(grant)
			sub.AddCommand(revoke)
		}
		root.AddCommand(sub)
	}
	return root
}

func hintOf(usage, name string) string {
	if len(usage) > len(name) {
		return usage[len(name)+1:]
	}
	return ""
}
