package command

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/config"
)

// Mattermost refuses to register a command whose suggestion tree it finds invalid
// (a node may hold subcommands or arguments, not both): the discipline node offers
// each discipline, grant and revoke as subcommands.
func TestAutocompleteIsValidAndOffersGrantAndRevoke(t *testing.T) {
	settings, err := config.Defaults().Parse()
	require.NoError(t, err)
	h := New(nil, func() *app.Settings { return settings }, nil)
	tree := h.autocomplete("devops")
	require.NoError(t, tree.IsValid())
	var discipline []string
	for _, sub := range tree.SubCommands {
		if sub.Trigger == "discipline" {
			for _, s := range sub.SubCommands {
				discipline = append(discipline, s.Trigger)
			}
		}
	}
	require.Equal(t, append(app.DisciplineNames(), "grant", "revoke"), discipline)
}
