package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// remindersPerTick bounds one tick's work; the rest is picked up on the next tick.
const remindersPerTick = 200

// cadence is how long a workflow may go without a status update: the template's
// cadence for its severity, else the setting's, else the setting's default. Zero is off.
func (s *Service) cadence(w *Workflow, tmpl *Template) time.Duration {
	if tmpl != nil {
		for _, key := range []string{w.Severity, "default"} {
			if v, ok := tmpl.Cadence[key]; ok && key != "" {
				d, _ := ParseDuration(v) // validated when the settings were saved
				return d
			}
		}
	}
	settings := s.settings()
	if d, ok := settings.ReminderCadence[w.Severity]; ok && w.Severity != "" {
		return d
	}
	return settings.ReminderCadence["default"]
}

// nextReminder is when a workflow should be reminded, counting from a moment.
func (s *Service) nextReminder(w *Workflow, tmpl *Template, from time.Time) int64 {
	d := s.cadence(w, tmpl)
	if d <= 0 || w.Status != StatusActive {
		return 0
	}
	return from.Add(d).UnixMilli()
}

// RunScheduled does the periodic work: status reminders, archiving and the
// schedules' occurrences. The plugin runs
// it from a cluster job, so one node does it per tick; the conditional updates make a
// repeated tick harmless too.
func (s *Service) RunScheduled(ctx context.Context, now time.Time) (reminded, archived int, err error) {
	if err = s.cleanStaleStarts(ctx, now); err != nil {
		return 0, 0, err
	}
	if err = s.rejoinStarters(ctx, now); err != nil {
		return 0, 0, err
	}
	if err = s.AddLeftoverInvites(ctx, now); err != nil {
		return 0, 0, err
	}
	if err = s.redeliverReminders(ctx, now); err != nil {
		return 0, 0, err
	}
	if reminded, err = s.remind(ctx, now); err != nil {
		return reminded, 0, err
	}
	if reminded, err = s.personalWork(ctx, now, reminded); err != nil {
		return reminded, 0, err
	}
	archived, err = s.archiveClosed(ctx, now)
	if _, serr := s.runSchedules(ctx, now); err == nil {
		err = serr
	}
	return reminded, archived, err
}

// personalWork is the inbox's scheduled part (inbox.go): direct messages a crashed
// node claimed, due tasks' reminders, the daily digests. It adds what it sent to sent.
func (s *Service) personalWork(ctx context.Context, now time.Time, sent int) (int, error) {
	if err := s.redeliverDMs(ctx, now); err != nil {
		return sent, err
	}
	n, err := s.remindDueTasks(ctx, now)
	if sent += n; err != nil {
		return sent, err
	}
	n, err = s.sendDigests(ctx, now)
	return sent + n, err
}

func (s *Service) remind(ctx context.Context, now time.Time) (int, error) {
	due, err := s.store.DueReminders(ctx, now.UnixMilli(), remindersPerTick)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, w := range due {
		tmpl, err := s.templateOf(ctx, w)
		if err != nil {
			return sent, err
		}
		since := w.CreatedAt
		if w.LastStatus != nil {
			since = w.LastStatus.At
		}
		r := Reminder{ID: model.NewId(), WorkflowID: w.ID, ChannelID: w.ChannelID, ClaimedAt: now.UnixMilli(),
			Message: fmt.Sprintf("⏰ %s: no status update for %s (%s cadence: %s). Post one with `/%s status <text>`, or `/%s snooze 30m`.",
				s.mention(w.LeadID), humanDuration(now.Sub(time.UnixMilli(since))), orNone(w.Severity), humanDuration(s.cadence(w, tmpl)),
				s.settings().CommandTrigger, s.settings().CommandTrigger)}
		ev := TimelineEvent{WorkflowID: w.ID, Type: EventReminder, Summary: "Status reminder to " + s.mention(w.LeadID),
			Data: map[string]string{"reminder_id": r.ID}}
		ok, err := s.store.ClaimReminder(ctx, w.NextReminderAt, s.nextReminder(w, tmpl, now), r, ev)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // a status update, a snooze or another tick got there first
		}
		s.deliverReminder(ctx, r)
		sent++
	}
	return sent, nil
}

// ReminderPostProp marks a reminder's post with the reminder's id.
const ReminderPostProp = "devops_reminder_id"

// reminderRedeliverAfter is how long a claimed reminder may stay unconfirmed before a
// tick takes it for lost in a crash: far longer than a tick takes to post.
const reminderRedeliverAfter = 30 * time.Second

// reminderGiveUpAfter is when a reminder that could not be posted (its channel gone)
// is dropped: by then it is stale, and the next one is on its way.
const reminderGiveUpAfter = time.Hour

// deliverReminder posts a claimed reminder and forgets it. When either step fails the
// reminder stays pending, for redeliverReminders.
func (s *Service) deliverReminder(ctx context.Context, r Reminder) {
	p := &model.Post{ChannelId: r.ChannelID, Message: r.Message}
	p.AddProp(ReminderPostProp, r.ID)
	// A reminder's actions need only the workflow's id: it is posted while active.
	s.withActions(p, &Workflow{ID: r.WorkflowID, ChannelID: r.ChannelID, Status: StatusActive}, nil, anchor{Kind: anchorReminder}, nil)
	if _, err := s.send(p, shortenLong); err != nil {
		s.mm.LogError("Could not post a reminder; a later tick retries", "workflow_id", r.WorkflowID)
		return
	}
	if err := s.store.ReminderPosted(ctx, r.ID); err != nil {
		s.mm.LogError("Could not mark a reminder posted; a later tick checks its post", "workflow_id", r.WorkflowID, "err", err.Error())
	}
}

// redeliverReminders finishes reminders a crashed node claimed: posted unless their
// post is already in the channel, so none is lost and none doubled.
func (s *Service) redeliverReminders(ctx context.Context, now time.Time) error {
	pending, err := s.store.PendingReminders(ctx, now.Add(-reminderRedeliverAfter).UnixMilli(), remindersPerTick)
	if err != nil {
		return err
	}
	for _, r := range pending {
		err := s.finishPending(now, pendingPost{ID: r.ID, ClaimedAt: r.ClaimedAt, Prop: ReminderPostProp, What: "reminder",
			Channel: func() (string, error) { return r.ChannelID, nil },
			Forget:  func() error { return s.store.ReminderPosted(ctx, r.ID) },
			Deliver: func() { s.deliverReminder(ctx, r) }}, "workflow_id", r.WorkflowID)
		if err != nil {
			return err
		}
	}
	return nil
}

// pendingPost is a post a tick claimed and may not have posted: its node may have died
// in between. The post carries Prop = ID, so a later tick can tell.
type pendingPost struct {
	ID        string
	ClaimedAt int64
	Prop      string
	What      string // for the log: "reminder"
	Channel   func() (string, error)
	Forget    func() error // the claim is done with
	Deliver   func()       // post it (and forget it)
}

// finishPending posts a pending post unless it is already in its channel; one that
// could not be posted for reminderGiveUpAfter is dropped. keyValuePairs name it in
// the log.
func (s *Service) finishPending(now time.Time, p pendingPost, keyValuePairs ...any) error {
	if now.Sub(time.UnixMilli(p.ClaimedAt)) > reminderGiveUpAfter {
		s.mm.LogError("Dropping a "+p.What+" that could not be posted for an hour", keyValuePairs...)
		return p.Forget()
	}
	channelID, err := p.Channel()
	if err != nil {
		s.mm.LogError("Could not find where a pending "+p.What+" goes", append(keyValuePairs, "err", err.Error())...)
		return nil
	}
	posts, err := s.mm.PostsSince(channelID, p.ClaimedAt)
	if err != nil {
		s.mm.LogError("Could not check a pending "+p.What+"'s post", append(keyValuePairs, "err", err.Error())...)
		return nil
	}
	if slices.ContainsFunc(posts, func(q *model.Post) bool { return q.GetProp(p.Prop) == p.ID }) {
		return p.Forget()
	}
	p.Deliver()
	return nil
}

func orNone(severity string) string {
	if severity == "" {
		return "default"
	}
	return severity
}

// Snooze postpones a workflow's next status reminder; the lead or an admin may.
func (s *Service) Snooze(ctx context.Context, actorID, id, duration string) (*Workflow, error) {
	d, err := ParseDuration(duration)
	if err != nil {
		return nil, invalid("%s.", strings.TrimSuffix(err.Error(), "."))
	}
	if d < time.Minute || d > 7*24*time.Hour {
		return nil, invalid("Snooze for between 1m and 7d.")
	}
	w, _, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if err := s.requireLead(w, tmpl, actorID, "snooze reminders"); err != nil {
			return nil, err
		}
		w.NextReminderAt = time.Now().Add(d).UnixMilli()
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return w, s.post(w, fmt.Sprintf("😴 Status reminders snoozed for %s by %s.", humanDuration(d), s.mention(actorID)))
}

// archiveClosed archives the channels of workflows closed longer than the setting.
func (s *Service) archiveClosed(ctx context.Context, now time.Time) (int, error) {
	after := s.settings().ArchiveAfter
	if after <= 0 {
		return 0, nil
	}
	closed, err := s.store.ClosedBefore(ctx, now.Add(-after).UnixMilli(), remindersPerTick)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range closed {
		ok, err := s.store.MarkArchived(ctx, w.ID, now.UnixMilli())
		if err != nil {
			return n, err
		}
		if !ok {
			continue
		}
		if err := s.mm.ArchiveChannel(w.ChannelID); err != nil {
			s.mm.LogError("Could not archive a closed workflow's channel", "channel_id", w.ChannelID, "err", err.Error())
			continue
		}
		n++
	}
	return n, nil
}

// staleStartAfter is how old a start reservation must be before it is taken for the
// leftover of a node that died mid-start (a live start takes well under a second).
const staleStartAfter = 2 * time.Minute

// rejoinWithin is how far back rejoinStarters looks: a crash is noticed on the next
// ticks, and an older workflow's lead has long found their way in or chosen not to.
const rejoinWithin = 24 * time.Hour

// rejoinStarters adds back starters whom a crash kept out of their workflow's
// channel. A start records the workflow while the starter is being added, so a node
// that dies in those milliseconds leaves a workflow whose lead is not in its channel.
// Workflows younger than staleStartAfter are left to the start still running; a
// starter who joined and left (Mattermost's membership history) stays out.
func (s *Service) rejoinStarters(ctx context.Context, now time.Time) error {
	missing, err := s.store.StartersNeverJoined(ctx, now.Add(-rejoinWithin).UnixMilli(), now.Add(-staleStartAfter).UnixMilli())
	if err != nil {
		return err
	}
	for _, w := range missing {
		if err := s.mm.AddChannelMember(w.ChannelID, w.CreatedBy, ""); err != nil {
			s.mm.LogError("Could not add a starter to their workflow's channel", "workflow_id", w.ID, "user_id", w.CreatedBy, "err", err.Error())
		}
	}
	return nil
}

// cleanStaleStarts finishes what a crashed start left: the reservation is dropped and
// its channel, if it was created, archived.
func (s *Service) cleanStaleStarts(ctx context.Context, now time.Time) error {
	stale, err := s.store.StaleReservations(ctx, now.Add(-staleStartAfter).UnixMilli())
	if err != nil {
		return err
	}
	for _, w := range stale {
		if ch, err := s.mm.GetChannelByName(w.TeamID, w.ChannelName); err == nil && ch.DeleteAt == 0 && ch.CreateAt >= w.CreatedAt {
			if _, err := s.store.GetWorkflowByChannel(ctx, ch.Id); errors.Is(err, ErrNotFound) {
				if err := s.mm.ArchiveChannel(ch.Id); err != nil {
					s.mm.LogError("Could not archive a crashed start's channel", "channel_id", ch.Id, "err", err.Error())
					continue
				}
			}
		}
		if err := s.store.DropReservation(ctx, w.ID); err != nil {
			return err
		}
	}
	return nil
}
