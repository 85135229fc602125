package app

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// Who may do what with a workflow is Mattermost's to say wherever Mattermost has a
// word for it: creating its channel, reading it, managing it. The plugin asks through
// the plugin API (Platform.HasPermissionTo…) and never reads role columns, so guests,
// admins and custom permission schemes count exactly as in Mattermost itself. The
// plugin's own rules (the lead, disciplines, gates) come on top, never instead.

// mayCreateChannel refuses a start whose channel Mattermost would not let the actor
// create in the team: the workflow's channel is made on their behalf.
func (s *Service) mayCreateChannel(actorID, teamID string, tmpl *Template, private bool) error {
	permission, kind := model.PermissionCreatePublicChannel, "public"
	if private {
		permission, kind = model.PermissionCreatePrivateChannel, "private"
	}
	if s.mm.HasPermissionToTeam(actorID, teamID, permission) {
		return nil
	}
	return forbidden("Starting a %s creates a %s channel, and Mattermost does not let you create %s channels in this team (permission `%s`). Ask a team or system admin.",
		strings.ToLower(tmpl.Name), kind, kind, permission.Id)
}

// readsPublicChannels is whether Mattermost lets a user read the team's public
// channels they are not in: team members may by default, guests may not.
func (s *Service) readsPublicChannels(userID, teamID string) bool {
	return s.mm.HasPermissionToTeam(userID, teamID, model.PermissionReadPublicChannel)
}

// readAsTeamReader runs a read that depends on readsPublicChannels without waiting
// for Mattermost's answer: the read runs as for a reader of public channels while
// Mattermost is asked, and runs again without only when the answer is no (guests,
// or a scheme that denies it). The common case costs one round trip, not two.
func readAsTeamReader[T any](s *Service, actorID, teamID string, read func(readsPublic bool) (T, error)) (T, error) {
	var may bool
	asked := s.work.Go("ask whether a reader may read public channels", func() error {
		may = s.readsPublicChannels(actorID, teamID)
		return nil
	})
	out, err := read(true)
	if askErr := <-asked; askErr != nil { // it panicked
		var none T
		return none, askErr
	}
	if may {
		return out, err
	}
	return read(false)
}
