package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// workflowOfChannel is the workflow of a channel, or nil when it is not one.
func (s *Service) workflowOfChannel(ctx context.Context, channelID string) (*Workflow, error) {
	w, err := s.store.GetWorkflowByChannel(ctx, channelID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return w, err
}

// Brief tells someone who joined a workflow channel what it is about: a private
// message with the state, the lead, the last status and the open tasks for their
// discipline. The starter is not briefed (the channel is theirs).
//
// Someone added by another person (an invite, a role, a handoff, a task) may well be
// away: their briefing is a direct message, which lasts and notifies, where an
// ephemeral post is seen only by a client open at that moment. Someone who joined by
// themselves is looking at the channel and gets it there.
func (s *Service) Brief(ctx context.Context, channelID, userID, addedBy string) error {
	w, err := s.workflowOfChannel(ctx, channelID)
	if err != nil || w == nil || userID == w.CreatedBy || userID == s.mm.BotID() {
		return err
	}
	u, err := s.mm.GetUser(userID)
	if err != nil || u.IsBot {
		return errors.Wrap(err, "get joiner")
	}
	tmpl, err := s.templateOf(ctx, w)
	if err != nil {
		return err
	}
	d, err := s.disciplineOf(ctx, u)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "👋 **Welcome to %s**\n", Headline(tmpl.Name, w.Seq, w.Title))
	fmt.Fprintf(&b, "Stage **%s** (%d of %d)", w.Stage, tmpl.StageIndex(w.Stage)+1, len(tmpl.Stages))
	if w.Severity != "" {
		fmt.Fprintf(&b, " · severity **%s**", w.Severity)
	}
	fmt.Fprintf(&b, " · %s: %s", tmpl.LeadRole, s.mention(w.LeadID))
	if w.Status == StatusClosed {
		b.WriteString(" · **closed**")
	}
	b.WriteString("\n")
	if w.LastStatus != nil {
		fmt.Fprintf(&b, "**Last status** (%s ago):\n%s\n", humanDuration(time.Since(time.UnixMilli(w.LastStatus.At))), Quoted(w.LastStatus.Text))
	} else {
		b.WriteString("No status update yet.\n")
	}
	tasks, err := s.store.ListTasks(ctx, w.ID)
	if err != nil {
		return err
	}
	var mine []string
	for _, t := range tasks {
		if !t.Done && (t.IsAssignee(userID) || d != "" && t.Discipline == d) {
			mine = append(mine, fmt.Sprintf("#%d %s", t.Number, Inline(t.Text)))
		}
	}
	switch {
	case len(mine) > 0:
		fmt.Fprintf(&b, "**Open tasks for you (%s):** %s\n", disciplineLabel(d), strings.Join(firstN(mine, 10), " · "))
	case d == "":
		fmt.Fprintf(&b, "Set your discipline with `/%s discipline <name>` to see the tasks for you.\n", s.settings().CommandTrigger)
	default:
		fmt.Fprintf(&b, "No open tasks for %s right now.\n", d)
	}
	fmt.Fprintf(&b, "`/%[1]s info` · `/%[1]s tasks` · `/%[1]s who`", s.settings().CommandTrigger)
	if addedBy == "" || addedBy == userID {
		s.ephemeral(userID, channelID, b.String())
		return nil
	}
	return s.direct(userID, fmt.Sprintf("%s added you to ~%s.\n", s.mention(addedBy), w.ChannelName)+b.String())
}

// MemberLeft tells the lead when a role holder leaves the workflow's channel.
func (s *Service) MemberLeft(ctx context.Context, channelID, userID string) error {
	w, err := s.workflowOfChannel(ctx, channelID)
	if err != nil || w == nil || w.Status != StatusActive {
		return err
	}
	var roles []string
	for role, id := range w.Roles {
		if id == userID {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		return nil
	}
	// Nobody acted through a door here: a post Mattermost refuses is logged (by post).
	if userID == w.LeadID {
		_ = s.post(w, fmt.Sprintf("⚠️ The lead %s left the channel. A channel admin can name a new one with `/%s role <role> @user`.",
			s.mention(userID), s.settings().CommandTrigger))
		return nil
	}
	_ = s.post(w, fmt.Sprintf("⚠️ %s: %s (%s) left the channel. Give the role to someone else with `/%s role <role> @user`.",
		s.mention(w.LeadID), s.mention(userID), strings.Join(roles, ", "), s.settings().CommandTrigger))
	return nil
}

// Pin adds a post to its workflow's timeline when someone reacts with the timeline
// emoji. Pinning the same post again does nothing.
func (s *Service) Pin(ctx context.Context, postID, userID, emoji string) error {
	if emoji != s.settings().TimelineEmoji {
		return nil
	}
	post, err := s.mm.GetPost(postID)
	if err != nil {
		return errors.Wrap(err, "get pinned post")
	}
	w, err := s.workflowOfChannel(ctx, post.ChannelId)
	if err != nil || w == nil {
		return err
	}
	author := s.mention(post.UserId)
	err = s.store.AddTimelineEvent(ctx, TimelineEvent{WorkflowID: w.ID, Type: EventPinned, ActorID: userID, PostID: postID,
		Summary: fmt.Sprintf("%s: %s", author, truncateRunes(cleanText(post.Message), 280))})
	if errors.Is(err, ErrDuplicate) {
		return nil
	}
	if err != nil {
		return err
	}
	s.publish(w, ChangeTimeline)
	return nil
}
