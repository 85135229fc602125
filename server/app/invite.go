package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// DisciplineInvite is one discipline a start invites: everyone with it in the team,
// or with a Limit, the first Limit of them in InviteOrder.
type DisciplineInvite struct {
	Discipline Discipline
	Limit      int
}

// InviteOrder is the stated order in which a limited discipline's people are
// invited, for the first post and the README.
const InviteOrder = "verified first (mapped, then granted), then self-declared, each by username"

// InvitePlan is whom a start invites besides its starter: the template's disciplines
// (each with its limit) and named users, added on AddedBy's behalf.
type InvitePlan struct {
	AddedBy     string
	Disciplines []DisciplineInvite
	Usernames   []string
}

// Invitee is someone a start is adding to its channel.
type Invitee struct {
	UserID     string     `json:"user_id"`
	Username   string     `json:"username"`
	Discipline Discipline `json:"discipline"` // empty for a template's named user
}

// LeftOut is the part of a discipline a limit kept out: how many, and the first names.
type LeftOut struct {
	Discipline Discipline `json:"discipline"`
	Limit      int        `json:"limit"`
	Count      int        `json:"count"`
	Usernames  []string   `json:"usernames"`
}

// Invitation is what the store recorded for a start to add: the invited in order,
// and who was left out.
type Invitation struct {
	Invited []Invitee
	LeftOut []LeftOut
}

// PendingInvite is an invite a drain took over from a start that did not finish it.
// ToAdd is false when there is nothing to do but forget it: the workflow is no longer
// active, or the person has been in the channel (and may have left).
type PendingInvite struct {
	WorkflowID, ChannelID, UserID, AddedBy string
	Position                               int
	ToAdd                                  bool
}

// invitePlan is whom the template invites. When rotations exist, a discipline whose
// team has one will invite its on-call here instead of the first Limit people; until
// then a limit is the only way to keep a large discipline out of every start.
func invitePlan(tmpl *Template, starterID string) InvitePlan {
	plan := InvitePlan{AddedBy: starterID, Usernames: tmpl.AutoInvite.Usernames}
	for _, d := range tmpl.AutoInvite.Disciplines {
		plan.Disciplines = append(plan.Disciplines, DisciplineInvite{Discipline: d, Limit: tmpl.AutoInvite.Limits[d]})
	}
	return plan
}

// invitesAtOnce is how many people are being added to one channel at the same time:
// the plugin API adds one person per call (it has no batch add), and a few calls in
// flight hide most of each one's round trip without crowding the server.
const invitesAtOnce = 4

// staleInviteAfter is how long an invite may stay claimed before a drain takes it for
// the leftover of a node that died: far longer than a start takes to add 200 people.
const staleInviteAfter = 30 * time.Second

// invitesPerDrain bounds one drain's work; the rest waits for the next tick.
const invitesPerDrain = 500

// addInvitees adds people to a workflow's channel on addedBy's behalf, a few at a
// time, then forgets their invites. Whoever Mattermost refuses is named in one post
// with the reason and how to add them, and forgotten too: retrying would only repeat
// the refusal.
func (s *Service) addInvitees(ctx context.Context, workflowID, channelID, addedBy string, userIDs []string) {
	type refusal struct{ userID, reason string }
	var (
		mu      sync.Mutex
		refused []refusal
		wg      sync.WaitGroup
		slots   = make(chan struct{}, invitesAtOnce)
	)
	for _, id := range userIDs {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			// Someone added meanwhile by another door (a task, a role, themselves) can make
			// Mattermost refuse the add as a duplicate: they are in, which is what counts.
			if err := s.mm.AddChannelMember(channelID, id, addedBy); err != nil && !s.mm.IsChannelMember(channelID, id) {
				mu.Lock()
				refused = append(refused, refusal{id, err.Error()})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := s.store.InvitesAdded(ctx, workflowID, userIDs); err != nil {
		// The rows stay claimed; a later drain finds everyone in the channel's history.
		s.mm.LogError("Could not forget added invites; a later drain will", "workflow_id", workflowID, "err", err.Error())
	}
	if len(refused) == 0 {
		return
	}
	names := make([]string, len(refused))
	for i, r := range refused {
		names[i] = s.mention(r.userID)
		s.mm.LogError("Could not add an invited person to a workflow channel", "workflow_id", workflowID, "user_id", r.userID, "err", r.reason)
	}
	msg := fmt.Sprintf("⚠️ Could not add %s to this channel (%s). Add them with `/invite %s`, or the channel's **Add members**.",
		joinWords(names, "and"), refused[0].reason, names[0])
	if err := s.postIn(channelID, msg, 0); err != nil {
		s.mm.LogError("Could not post the people not added", "workflow_id", workflowID, "err", err.Error())
	}
}

// AddLeftoverInvites adds the people whose start did not finish adding them (its node
// died): the scheduler runs it every tick, and the plugin when it activates. Someone
// already in the channel, or who was and left, is not added again.
func (s *Service) AddLeftoverInvites(ctx context.Context, now time.Time) error {
	pending, err := s.store.ClaimStaleInvites(ctx, now.Add(-staleInviteAfter).UnixMilli(), now.UnixMilli(), invitesPerDrain)
	if err != nil {
		return err
	}
	type batch struct {
		workflowID, channelID, addedBy string
		toAdd, done                    []string
	}
	var order []*batch
	byWorkflow := map[string]*batch{}
	for _, p := range pending {
		b := byWorkflow[p.WorkflowID]
		if b == nil {
			b = &batch{workflowID: p.WorkflowID, channelID: p.ChannelID, addedBy: p.AddedBy}
			byWorkflow[p.WorkflowID] = b
			order = append(order, b)
		}
		if p.ToAdd {
			b.toAdd = append(b.toAdd, p.UserID)
		} else {
			b.done = append(b.done, p.UserID)
		}
	}
	for _, b := range order {
		if len(b.done) > 0 {
			if err := s.store.InvitesAdded(ctx, b.workflowID, b.done); err != nil {
				return err
			}
		}
		if len(b.toAdd) > 0 {
			s.addInvitees(ctx, b.workflowID, b.channelID, b.addedBy, b.toAdd)
		}
	}
	return nil
}

// namedAtMost is how many invited people the first post names; it counts the rest,
// so a start that invites hundreds stays well inside a post.
const namedAtMost = 50

// invitedLines are the first post's lines on whom the start is adding and whom a
// limit left out, with how to add them.
func invitedLines(w *Workflow, inv Invitation) string {
	var b strings.Builder
	if n := len(inv.Invited); n > 0 {
		names := make([]string, 0, min(n, namedAtMost))
		for _, p := range inv.Invited[:min(n, namedAtMost)] {
			names = append(names, "@"+p.Username)
		}
		more := ""
		if n > namedAtMost {
			more = fmt.Sprintf(" and %d more", n-namedAtMost)
		}
		fmt.Fprintf(&b, "**Adding %s:** %s%s\n", people(n), strings.Join(names, ", "), more)
	}
	for _, l := range inv.LeftOut {
		names := make([]string, len(l.Usernames))
		for i, u := range l.Usernames {
			names[i] = "@" + u
		}
		if rest := l.Count - len(names); rest > 0 {
			names = append(names, fmt.Sprintf("%d more", rest))
		}
		fmt.Fprintf(&b, "**Not invited:** %s of %s (the template invites the first %d, %s): %s. Add someone with `/invite @name ~%s`.\n",
			people(l.Count), l.Discipline, l.Limit, InviteOrder, joinWords(names, "and"), w.ChannelName)
	}
	return b.String()
}

func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}
