package app

import (
	"context"
	"fmt"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Joining a workflow from the posts the plugin writes outside it: a broadcast channel
// hears of every public workflow that starts and of its status updates, each with a
// Join button (issue 14), so whoever reads along can step in with one tap.

// Join adds the actor to a workflow's channel, as Mattermost would let them join the
// channel themselves: a public workflow's channel, for whoever Mattermost lets read
// and join the team's public channels. A private workflow, or a public one to someone
// who may not read the team's public channels (guests, by default), gets the same
// refusal, so the answer says nothing about a workflow its asker may not see.
func (s *Service) Join(ctx context.Context, actorID, id string) (*Workflow, error) {
	w, err := s.Get(ctx, actorID, id)
	if e, ok := AsError(err); ok && e.Kind == KindNotFound {
		return nil, forbidden("You cannot join this workflow: it is private, or Mattermost does not let you read this team's public channels. Ask a member of its channel to add you.")
	}
	if err != nil {
		return nil, err
	}
	if w.Viewer.ChannelMember {
		return w, conflict("You are already in ~%s.", w.ChannelName)
	}
	if w.Private || !s.mm.HasPermissionToTeam(actorID, w.TeamID, model.PermissionJoinPublicChannels) {
		return nil, forbidden("Mattermost does not let you join public channels in this team (permission `%s`). Ask a member of ~%s to add you.",
			model.PermissionJoinPublicChannels.Id, w.ChannelName)
	}
	// On the joiner's own behalf: Mattermost writes "joined the channel", and the join
	// hook briefs them in the channel they are about to look at.
	if err := s.mm.AddChannelMember(w.ChannelID, actorID, actorID); err != nil {
		return nil, errors.Wrap(err, "add the joiner to the workflow's channel")
	}
	return w, nil
}

// joinButton is the Join button of a post about workflow w outside its channel.
func joinButton(w *Workflow) *model.SlackAttachment {
	return &model.SlackAttachment{Actions: []*model.PostAction{{
		Id: ActionJoin, Name: "Join ~" + w.ChannelName, Type: model.PostActionTypeButton, Style: "primary",
		Integration: &model.PostActionIntegration{URL: PluginPath + ActionPath(ActionJoin), Context: map[string]any{ContextWorkflow: w.ID}},
	}}}
}

// broadcast posts message about a public workflow in its type's broadcast channels,
// each with a Join button; a private workflow is never broadcast. It returns the
// first refusal, for the door (the change it announces is saved).
func (s *Service) broadcast(w *Workflow, message string) error {
	if w.Private {
		return nil
	}
	var first error
	for _, ch := range s.settings().BroadcastChannels[w.Type] {
		p := &model.Post{ChannelId: ch, Message: fmt.Sprintf("~%s: %s", w.ChannelName, message)}
		p.AddProp(model.PostPropsAttachments, []*model.SlackAttachment{joinButton(w)})
		// A broadcast points to the channel: shortened, the full text is a click away.
		if _, err := s.send(p, shortenLong); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// broadcastStart tells the type's broadcast channels that a public workflow started.
func (s *Service) broadcastStart(w *Workflow, tmpl *Template, starter string) {
	msg := fmt.Sprintf("🆕 **Started:** %s, by @%s, stage **%s**", Headline(tmpl.Name, w.Seq, w.Title), starter, w.Stage)
	if w.Severity != "" {
		msg += fmt.Sprintf(" · **%s**", w.Severity)
	}
	if err := s.broadcast(w, msg); err != nil {
		s.mm.LogError("Could not broadcast a workflow's start", "workflow_id", w.ID, "err", err.Error())
	}
}
