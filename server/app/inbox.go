package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// A personal inbox (issue 17): what waits for one person across a team's workflows,
// asked for (`/devops todo`, GET /me/todo) or brought to them (a due task's reminder,
// the daily digest at the start of their own working hours).

// InboxWorkflow is the workflow an inbox item is about, with the link that opens its
// channel.
type InboxWorkflow struct {
	WorkflowID  string `json:"workflow_id"`
	TeamID      string `json:"team_id"`
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	// DisplayName is the channel's name as Mattermost shows it ("Incident 3: Checkout errors").
	DisplayName string `json:"display_name"`
	Type        string `json:"type"`
	Seq         int    `json:"seq"`
	Title       string `json:"title"`
	Private     bool   `json:"private"`
	// URL opens the channel: SiteURL/<team>/channels/<channel>.
	URL string `json:"url"`
}

// InboxTask is an open task assigned to the person.
type InboxTask struct {
	InboxWorkflow
	Number      int      `json:"number"`
	Text        string   `json:"text"`
	DueAt       int64    `json:"due_at"`
	Overdue     bool     `json:"overdue"`
	AssigneeIDs []string `json:"assignee_ids"`
}

// InboxSignoff is a gate the person's discipline could sign off now.
type InboxSignoff struct {
	InboxWorkflow
	Stage      string     `json:"stage"`
	Discipline Discipline `json:"discipline"`
}

// InboxStatus is a workflow the person leads whose status update is due.
type InboxStatus struct {
	InboxWorkflow
	// DueAt is when the update fell due: the last one (or the start) plus the cadence.
	DueAt int64 `json:"due_at"`
}

// Inbox is what waits for a person in one team.
type Inbox struct {
	TeamID    string         `json:"team_id"`
	Tasks     []InboxTask    `json:"tasks"`
	Signoffs  []InboxSignoff `json:"signoffs"`
	StatusDue []InboxStatus  `json:"status_due"`
	// Pages are the open pages of this team that reached the person, newest first
	// (`/devops todo` only; the daily digest leaves them to the page's own message).
	Pages []InboxPage `json:"pages"`
	Count int         `json:"count"`
}

// InboxPage is an open page that reached the person and waits for an acknowledgement.
type InboxPage struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	CreatedAt int64  `json:"created_at"`
	// WorkflowID is the page's workflow, "" when none or one the person cannot read
	// (then Private, and the message is withheld, as GET /pages/{id} does).
	WorkflowID string `json:"workflow_id,omitempty"`
	Private    bool   `json:"private,omitempty"`
}

// InboxRow is a workflow the store found for an inbox, for the service to judge
// (gates and cadences live in templates, which the service reads).
type InboxRow struct {
	Workflow
	DisplayName string `json:"display_name"`
}

// InboxFacts is what the store reads for an inbox in one round trip.
type InboxFacts struct {
	Viewer Viewer `json:"viewer"`
	// TeamName is the team's URL name, for links.
	TeamName string      `json:"team_name"`
	Tasks    []InboxTask `json:"tasks"`
	// Gated are active workflows whose channel the person is in and whose template
	// gates some stage on their discipline.
	Gated []InboxRow `json:"gated"`
	// Led are the active workflows they lead.
	Led []InboxRow `json:"led"`
}

// InboxQuery selects an inbox's facts.
type InboxQuery struct {
	TeamID, UserID string
	// ReadsPublic as in ListFilter: without it only their own channels' workflows show.
	ReadsPublic bool
	// Limit bounds each section.
	Limit int
}

// inboxLimit bounds each section of an inbox: more is a backlog, not a to-do list.
const inboxLimit = 50

// Inbox is what waits for the actor across the team's workflows they may read.
func (s *Service) Inbox(ctx context.Context, actorID, teamID string) (*Inbox, error) {
	if teamID == "" || !model.IsValidId(teamID) {
		return nil, invalid("team_id is required.")
	}
	// The server's address (a round trip to the server for its configuration) is read
	// while the database answers.
	var siteURL string
	read := s.work.Go("read the site URL", func() error {
		siteURL = s.mm.SiteURL()
		return nil
	})
	facts, err := readAsTeamReader(s, actorID, teamID, func(readsPublic bool) (*InboxFacts, error) {
		return s.store.InboxFacts(ctx, InboxQuery{TeamID: teamID, UserID: actorID, ReadsPublic: readsPublic, Limit: inboxLimit})
	})
	if readErr := <-read; readErr != nil && err == nil {
		err = readErr
	}
	if err != nil {
		return nil, err
	}
	if !facts.Viewer.TeamMember {
		return nil, forbidden("You are not a member of that team.")
	}
	in, err := s.inboxOf(ctx, facts, teamID, siteURL, time.Now())
	if err != nil {
		return nil, err
	}
	if err := s.addOpenPages(ctx, in, actorID); err != nil {
		return nil, err
	}
	return in, nil
}

// addOpenPages adds to an inbox the open pages of its team that reached the person.
func (s *Service) addOpenPages(ctx context.Context, in *Inbox, actorID string) error {
	pages, err := s.store.OpenPagesFor(ctx, actorID, inboxLimit)
	if err != nil {
		return errors.Wrap(err, "read open pages")
	}
	in.Pages = []InboxPage{}
	for _, p := range pages {
		if p.TeamID != in.TeamID {
			continue
		}
		s.withholdUnreadable(ctx, actorID, p)
		in.Pages = append(in.Pages, InboxPage{ID: p.ID, Message: p.Message, CreatedAt: p.CreatedAt, WorkflowID: p.WorkflowID, Private: p.Private})
	}
	in.Count += len(in.Pages)
	return nil
}

// inboxOf judges an inbox's facts: which gates the person can sign, which status
// updates are due.
func (s *Service) inboxOf(ctx context.Context, facts *InboxFacts, teamID, siteURL string, now time.Time) (*Inbox, error) {
	base := fmt.Sprintf("%s/%s/channels/", strings.TrimRight(siteURL, "/"), facts.TeamName)
	link := func(w InboxWorkflow) InboxWorkflow {
		w.URL = base + w.ChannelName
		return w
	}
	in := &Inbox{TeamID: teamID, Tasks: []InboxTask{}, Signoffs: []InboxSignoff{}, StatusDue: []InboxStatus{}}
	for _, t := range facts.Tasks {
		t.InboxWorkflow = link(t.InboxWorkflow)
		t.Overdue = t.DueAt > 0 && t.DueAt <= now.UnixMilli()
		in.Tasks = append(in.Tasks, t)
	}
	v := facts.Viewer
	ud := NewUserDiscipline(v.Discipline, v.DisciplineSource, "", 0)
	if v.Discipline != "" && s.maySignOff(ud) {
		for _, row := range facts.Gated {
			tmpl, err := s.templateOf(ctx, &row.Workflow)
			if err != nil {
				return nil, err
			}
			// The stage `/devops signoff` without a stage would sign: the nearest gate
			// ahead that waits for this discipline.
			st, err := s.signoffStage(&row.Workflow, tmpl, "", v.Discipline)
			if err != nil {
				continue
			}
			in.Signoffs = append(in.Signoffs, InboxSignoff{InboxWorkflow: link(row.inboxWorkflow()), Stage: st.Name, Discipline: v.Discipline})
		}
	}
	for _, row := range facts.Led {
		tmpl, err := s.templateOf(ctx, &row.Workflow)
		if err != nil {
			return nil, err
		}
		if due := s.statusDueAt(&row.Workflow, tmpl); due > 0 && due <= now.UnixMilli() {
			in.StatusDue = append(in.StatusDue, InboxStatus{InboxWorkflow: link(row.inboxWorkflow()), DueAt: due})
		}
	}
	// Open pages are added by Inbox (addOpenPages), not here: the digest leaves them
	// to the page's own direct message, which already pushed to the person's phone.
	in.Count = len(in.Tasks) + len(in.Signoffs) + len(in.StatusDue)
	return in, nil
}

func (r InboxRow) inboxWorkflow() InboxWorkflow {
	return InboxWorkflow{WorkflowID: r.ID, TeamID: r.TeamID, ChannelID: r.ChannelID, ChannelName: r.ChannelName,
		DisplayName: r.DisplayName, Type: r.Type, Seq: r.Seq, Title: r.Title, Private: r.Private}
}

// statusDueAt is when a workflow's next status update is due: its last one (or its
// start) plus its cadence; 0 when it has no cadence.
func (s *Service) statusDueAt(w *Workflow, tmpl *Template) int64 {
	d := s.cadence(w, tmpl)
	if d <= 0 {
		return 0
	}
	since := w.CreatedAt
	if w.LastStatus != nil {
		since = w.LastStatus.At
	}
	return since + d.Milliseconds()
}

// RenderInbox is an inbox as the person reads it, with times in loc; "" when nothing
// waits. Each item links to its channel.
func (s *Service) RenderInbox(in *Inbox, loc *time.Location, now time.Time) string {
	if in.Count == 0 {
		return ""
	}
	trigger := s.settings().CommandTrigger
	var b strings.Builder
	if len(in.Pages) > 0 {
		fmt.Fprintf(&b, "**Pages waiting for your acknowledgement** (%d)\n", len(in.Pages))
		for _, p := range in.Pages {
			msg := Inline(p.Message)
			if p.Private {
				msg = "a page into a private workflow"
			}
			fmt.Fprintf(&b, "- 📟 %s · since %s · `/%s ack` answers the newest\n", msg, FormatTime(p.CreatedAt, loc), trigger)
		}
	}
	if len(in.Tasks) > 0 {
		fmt.Fprintf(&b, "**Tasks assigned to you** (%d)\n", len(in.Tasks))
		for _, t := range in.Tasks {
			fmt.Fprintf(&b, "- %s **#%d** %s", inboxLink(t.InboxWorkflow), t.Number, Inline(t.Text))
			switch {
			case t.Overdue:
				fmt.Fprintf(&b, " · **overdue** by %s (due %s)", humanDuration(now.Sub(time.UnixMilli(t.DueAt))), FormatTime(t.DueAt, loc))
			case t.DueAt > 0:
				fmt.Fprintf(&b, " · due %s", FormatTime(t.DueAt, loc))
			}
			switch others := len(t.AssigneeIDs) - 1; {
			case others == 1:
				b.WriteString(" · with 1 other")
			case others > 1:
				fmt.Fprintf(&b, " · with %d others", others)
			}
			b.WriteString("\n")
		}
	}
	if len(in.Signoffs) > 0 {
		fmt.Fprintf(&b, "**Sign-offs waiting for %s** (%d)\n", in.Signoffs[0].Discipline, len(in.Signoffs))
		for _, g := range in.Signoffs {
			fmt.Fprintf(&b, "- %s · **%s** gate · `/%s signoff %s` in the channel\n", inboxLink(g.InboxWorkflow), g.Stage, trigger, g.Stage)
		}
	}
	if len(in.StatusDue) > 0 {
		fmt.Fprintf(&b, "**Status updates due in workflows you lead** (%d)\n", len(in.StatusDue))
		for _, st := range in.StatusDue {
			fmt.Fprintf(&b, "- %s · due since %s · `/%s status <text>` in the channel\n", inboxLink(st.InboxWorkflow), FormatTime(st.DueAt, loc), trigger)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// inboxLink is a markdown link to an item's channel, named as its channel is.
func inboxLink(w InboxWorkflow) string {
	name := w.DisplayName
	if name == "" {
		name = w.Title
	}
	lock := ""
	if w.Private {
		lock = " 🔒"
	}
	return fmt.Sprintf("[%s](%s)%s", Inline(name), w.URL, lock)
}

// Due reminders: when an assigned open task's due time passes, each assignee gets one
// direct message with a Done button and the timeline records it — once across nodes
// and restarts: the tick claims the task by a conditional update (due_reminded_at),
// in the transaction that records the messages to send (devops_pending_dms) and the
// event; a message a dead node claimed is sent by a later tick unless it was sent.

// DueTask is an open task whose due time passed, with its workflow.
type DueTask struct {
	Task     Task     `json:"task"`
	Workflow Workflow `json:"workflow"`
}

// PendingDM is a direct message claimed by a tick and not yet known to be sent. A
// due reminder names its task (WorkflowID, TaskNumber) for the Done button.
type PendingDM struct {
	ID         string
	UserID     string
	Message    string
	WorkflowID string
	TaskNumber int
	ClaimedAt  int64
}

// PendingDMProp marks a claimed direct message's post with the claim's id.
const PendingDMProp = "devops_dm_id"

// EventTaskDue is the timeline's record of a due reminder.
const EventTaskDue = "task_due"

func (s *Service) remindDueTasks(ctx context.Context, now time.Time) (int, error) {
	due, err := s.store.DueTasks(ctx, now.UnixMilli(), remindersPerTick)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range due {
		t, w := d.Task, d.Workflow
		dms := make([]PendingDM, 0, len(t.AssigneeIDs))
		for _, u := range t.AssigneeIDs {
			msg := fmt.Sprintf("⏰ **Task #%d** in ~%s is due: %s · due %s", t.Number, w.ChannelName, Inline(t.Text), FormatTime(t.DueAt, s.Location(u)))
			dms = append(dms, PendingDM{ID: model.NewId(), UserID: u, Message: msg, WorkflowID: w.ID, TaskNumber: t.Number, ClaimedAt: now.UnixMilli()})
		}
		names := make([]string, 0, len(t.AssigneeIDs))
		for _, u := range t.AssigneeIDs {
			names = append(names, s.mention(u))
		}
		ev := TimelineEvent{WorkflowID: w.ID, Type: EventTaskDue, At: now.UnixMilli(),
			Summary: fmt.Sprintf("Task #%d is due; reminded %s", t.Number, strings.Join(names, ", ")),
			Data:    map[string]string{"task": fmt.Sprint(t.Number)}}
		ok, err := s.store.ClaimDueReminder(ctx, t.ID, t.DueAt, now.UnixMilli(), dms, ev)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // done, re-dated or claimed by another tick meanwhile
		}
		for _, dm := range dms {
			s.deliverDM(ctx, dm)
		}
		s.publish(&w, ChangeTimeline)
		sent++
	}
	return sent, nil
}

// deliverDM sends a claimed direct message and forgets it; when either step fails it
// stays pending, for redeliverDMs.
func (s *Service) deliverDM(ctx context.Context, dm PendingDM) {
	channelID, err := s.mm.DirectChannel(dm.UserID)
	if err != nil {
		s.mm.LogError("Could not open a direct channel; a later tick retries", "user_id", dm.UserID, "err", err.Error())
		return
	}
	p := &model.Post{ChannelId: channelID, Message: dm.Message}
	p.AddProp(PendingDMProp, dm.ID)
	if dm.TaskNumber > 0 {
		task := &Task{Number: dm.TaskNumber}
		s.withActions(p, &Workflow{ID: dm.WorkflowID, Status: StatusActive}, nil, anchor{Kind: anchorTask, Task: dm.TaskNumber}, []*Task{task})
	}
	if _, err := s.send(p, shortenLong); err != nil {
		s.mm.LogError("Could not send a direct message; a later tick retries", "user_id", dm.UserID)
		return
	}
	if err := s.store.DMSent(ctx, dm.ID); err != nil {
		s.mm.LogError("Could not mark a direct message sent; a later tick checks for it", "user_id", dm.UserID, "err", err.Error())
	}
}

// redeliverDMs finishes direct messages a crashed node claimed: sent unless already
// in the person's direct channel, so none is lost and none doubled.
func (s *Service) redeliverDMs(ctx context.Context, now time.Time) error {
	pending, err := s.store.PendingDMs(ctx, now.Add(-reminderRedeliverAfter).UnixMilli(), remindersPerTick)
	if err != nil {
		return err
	}
	for _, dm := range pending {
		err := s.finishPending(now, pendingPost{ID: dm.ID, ClaimedAt: dm.ClaimedAt, Prop: PendingDMProp, What: "direct message",
			Channel: func() (string, error) { return s.mm.DirectChannel(dm.UserID) },
			Forget:  func() error { return s.store.DMSent(ctx, dm.ID) },
			Deliver: func() { s.deliverDM(ctx, dm) }}, "user_id", dm.UserID)
		if err != nil {
			return err
		}
	}
	return nil
}

// The daily digest: a direct message at the start of each person's own working hours
// (the "Default working hours" setting, read in their Mattermost time zone, weekdays),
// only when something waits, once per person per local day however many nodes tick:
// the claim is a row per person and local date (devops_digests). Sent on the first
// tick in the first digestWindow of their working hours, so a server that was down at
// nine sends it when it is back, if that is still the morning; a digest that comes at
// 15:00 would be a surprise, not a start of the day. On unless the person says
// `/devops digest off`.

// DigestCandidate is a person who may have something waiting, in a team.
type DigestCandidate struct {
	UserID string
	TeamID string
	// LastDigest is the local date of their latest digest claim, "" when none is recent.
	LastDigest string
}

// digestWindow is how long after the start of someone's working hours their digest
// may still be sent.
const digestWindow = 2 * time.Hour

// digestTime reports whether a local time is in the digest window: working hours, and
// at most digestWindow after they began.
func (s *Service) digestTime(local time.Time) bool {
	if !s.inWorkingHours(local) {
		return false
	}
	since := (local.Hour()*60 + local.Minute() - s.settings().WorkStart + 24*60) % (24 * 60)
	return time.Duration(since)*time.Minute < digestWindow
}

// digestsPerTick bounds the people one tick sends digests to.
const digestsPerTick = 500

func (s *Service) sendDigests(ctx context.Context, now time.Time) (int, error) {
	candidates, err := s.store.DigestCandidates(ctx, now.Add(-36*time.Hour).UnixMilli())
	if err != nil {
		return 0, err
	}
	teams := map[string][]string{}
	last := map[string]string{}
	var order []string
	for _, c := range candidates {
		if _, ok := teams[c.UserID]; !ok {
			order = append(order, c.UserID)
		}
		teams[c.UserID] = append(teams[c.UserID], c.TeamID)
		last[c.UserID] = c.LastDigest
	}
	sent := 0
	for _, userID := range order {
		if sent >= digestsPerTick {
			break
		}
		u, err := s.mm.GetUserCached(userID)
		if err != nil || u.DeleteAt != 0 || u.IsBot {
			continue
		}
		loc := userLocation(u)
		local := now.In(loc)
		if !s.digestTime(local) {
			continue
		}
		day := local.Format(DayLayout)
		if last[userID] == day {
			continue // claimed today already (the claim's insert decides in a race)
		}
		msg, err := s.digestMessage(ctx, userID, teams[userID], loc, now)
		if err != nil {
			s.mm.LogError("Could not read a digest", "user_id", userID, "err", err.Error())
			continue
		}
		var dm *PendingDM
		if msg != "" {
			dm = &PendingDM{ID: model.NewId(), UserID: userID, Message: msg, ClaimedAt: now.UnixMilli()}
		}
		claimed, err := s.store.ClaimDigest(ctx, userID, day, now.UnixMilli(), dm)
		if err != nil {
			return sent, err
		}
		if claimed && dm != nil {
			s.deliverDM(ctx, *dm)
			sent++
		}
	}
	return sent, nil
}

// digestMessage is a person's digest over their teams; "" when nothing waits.
func (s *Service) digestMessage(ctx context.Context, userID string, teamIDs []string, loc *time.Location, now time.Time) (string, error) {
	var parts []string
	siteURL := s.mm.SiteURL()
	for _, teamID := range teamIDs {
		facts, err := s.store.InboxFacts(ctx, InboxQuery{TeamID: teamID, UserID: userID, ReadsPublic: s.readsPublicChannels(userID, teamID), Limit: inboxLimit})
		if err != nil {
			return "", err
		}
		if !facts.Viewer.TeamMember {
			continue
		}
		in, err := s.inboxOf(ctx, facts, teamID, siteURL, now)
		if err != nil {
			return "", err
		}
		if text := s.RenderInbox(in, loc, now); text != "" {
			if len(teamIDs) > 1 {
				text = fmt.Sprintf("##### %s\n%s", facts.TeamName, text)
			}
			parts = append(parts, text)
		}
	}
	if len(parts) == 0 {
		return "", nil
	}
	trigger := s.settings().CommandTrigger
	return fmt.Sprintf("☀️ **Good morning — what waits for you today** (%s)\n%s\n\n_`/%s todo` shows this any time; `/%s digest off` stops these messages._",
		now.In(loc).Format("Monday "+DayLayout), strings.Join(parts, "\n"), trigger, trigger), nil
}

// SetDigest turns the actor's daily digest on or off.
func (s *Service) SetDigest(ctx context.Context, actorID string, on bool) error {
	return errors.Wrap(s.store.SetDigest(ctx, actorID, on, time.Now().UnixMilli()), "save digest preference")
}

// DigestOn reports whether the actor's daily digest is on (it is unless they said off).
func (s *Service) DigestOn(ctx context.Context, actorID string) (bool, error) {
	on, err := s.store.DigestOn(ctx, actorID)
	return on, errors.Wrap(err, "read digest preference")
}
