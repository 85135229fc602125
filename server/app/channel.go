package app

import (
	"context"
	"fmt"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// channelChanges are the system posts Mattermost writes when someone changes a
// channel itself, and what each is called in a workflow's timeline.
var channelChanges = map[string]string{
	model.PostTypeChangeChannelPrivacy: "privacy",
	model.PostTypeChannelDeleted:       "archived",
	model.PostTypeChannelRestored:      "restored",
	model.PostTypeMoveChannel:          "moved",
}

// ChannelChanged keeps a workflow in step with a change Mattermost made to its
// channel, seen through the system post Mattermost writes for it. Who may read the
// workflow already follows the channel at every read (the store reads the channel's
// current type); this records the change in the timeline, stores the new privacy and
// team, and tells the webapps on both sides of the change.
func (s *Service) ChannelChanged(ctx context.Context, post *model.Post) error {
	change, ok := channelChanges[post.Type]
	if !ok {
		return nil
	}
	before, err := s.workflowOfChannel(ctx, post.ChannelId)
	if err != nil || before == nil {
		return err
	}
	ch, err := s.mm.GetChannel(post.ChannelId)
	if err != nil {
		return errors.Wrap(err, "read the changed channel")
	}
	w, err := s.store.UpdateWorkflow(ctx, before.ID, func(w *Workflow) ([]TimelineEvent, error) {
		w.Private = ch.Type == model.ChannelTypePrivate
		w.TeamID = ch.TeamId
		return []TimelineEvent{{Type: EventChannelChanged, ActorID: post.UserId, Data: map[string]string{"change": change},
			Summary: s.channelChangeSummary(change, w.Private, post.UserId)}}, nil
	})
	if err != nil {
		return err
	}
	data := changeData(w, ChangeChannel)
	// Whoever could list it before (a team, when it was public) learns it changed, and
	// so does whoever may list it now.
	if !before.Private || before.TeamID != w.TeamID {
		s.mm.Publish(eventWorkflowChanged, data, "", before.TeamID)
	}
	s.publish(w, ChangeChannel)
	return nil
}

func (s *Service) channelChangeSummary(change string, private bool, actorID string) string {
	by := s.mention(actorID)
	switch change {
	case "privacy":
		if private {
			return fmt.Sprintf("Channel made private by %s: only its members see the workflow now", by)
		}
		return fmt.Sprintf("Channel made public by %s: the team sees the workflow now", by)
	case "moved":
		return fmt.Sprintf("Channel moved to another team by %s", by)
	default:
		return fmt.Sprintf("Channel %s by %s", change, by)
	}
}
