package app

import (
	"fmt"
	"slices"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// A task's assignee must learn of it: the channel's post "→ @dev" notifies nobody
// outside the channel. So someone assigned from outside is added to the channel on
// the actor's behalf, where Mattermost lets the actor add members, and every
// assignee but the actor gets a direct message that names the task and its due time.

// mayBringIn refuses an assignment Mattermost would not let the actor complete: an
// assignee outside the channel whom the actor may not add to it. Called while the
// change is decided, so nothing is saved when it refuses.
func (s *Service) mayBringIn(w *Workflow, actorID, assigneeID string) error {
	if assigneeID == "" || s.mm.IsChannelMember(w.ChannelID, assigneeID) {
		return nil
	}
	permission := model.PermissionManagePublicChannelMembers
	if w.Private {
		permission = model.PermissionManagePrivateChannelMembers
	}
	if s.mm.HasPermissionToChannel(actorID, w.ChannelID, permission) {
		return nil
	}
	return forbidden("%s is not in ~%s, and Mattermost does not let you add members to it (permission `%s`). Ask a channel admin to add them, or assign someone in the channel.",
		s.mention(assigneeID), w.ChannelName, permission.Id)
}

// tellAssignees adds the task's assignees named in userIDs who are outside the
// channel to it and sends each (but the actor) a direct message about the task. The
// task is saved already: a failure is logged.
func (s *Service) tellAssignees(w *Workflow, t *Task, actorID string, userIDs []string) {
	for _, id := range userIDs {
		if id == "" || id == actorID {
			continue
		}
		if !s.mm.IsChannelMember(w.ChannelID, id) {
			if err := s.mm.AddChannelMember(w.ChannelID, id, actorID); err != nil {
				s.mm.LogError("Could not add a task's assignee to the channel", "user_id", id, "err", err.Error())
			}
		}
		msg := fmt.Sprintf("📋 %s gave you **task #%d** in ~%s: %s", s.mention(actorID), t.Number, w.ChannelName, Inline(t.Text))
		if others := len(t.AssigneeIDs) - 1; others > 0 {
			msg += fmt.Sprintf(" (with %s)", s.mentionAll(slices.DeleteFunc(slices.Clone(t.AssigneeIDs), func(x string) bool { return x == id })))
		}
		msg += dueSuffix(t.DueAt, s.Location(id)) // their time: the message is theirs alone
		msg += fmt.Sprintf("\n`/%s task done %d` in the channel when it is done.", s.settings().CommandTrigger, t.Number)
		if err := s.direct(id, msg); err != nil {
			s.mm.LogError("Could not tell a task's assignee", "user_id", id, "err", err.Error())
		}
	}
}

// direct sends a bot's direct message to a user: it stays in their channel list and
// counts as a mention, unlike an ephemeral post a reload loses.
func (s *Service) direct(userID, message string) error {
	channelID, err := s.mm.DirectChannel(userID)
	if err != nil {
		return errors.Wrap(err, "open a direct channel")
	}
	_, err = s.send(&model.Post{ChannelId: channelID, Message: message}, shortenLong)
	return err
}
