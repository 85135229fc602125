package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// StartRequest asks for a new workflow.
type StartRequest struct {
	TeamID   string `json:"team_id"`
	Type     string `json:"type"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Private  bool   `json:"private"`
	Force    bool   `json:"force"` // start even when a similar workflow is active
	// FromPostID names a message to start from: the title defaults to its first line,
	// the first post quotes and links it, and its thread gets a link to the channel.
	FromPostID string `json:"from_post_id"`
	// scheduled is set by a schedule's occurrence (schedule.go), never by a door.
	scheduled *scheduledStart
}

// websocket event names (the webapp listens for custom_<plugin id>_<name>).
const (
	eventWorkflowChanged = "workflow_changed"
)

// Start creates a workflow: checks who may start it, allocates a sequence number,
// creates and fills the channel, records the workflow and announces it. A failure
// after the channel exists archives the channel, so nothing is left half-made.
func (s *Service) Start(ctx context.Context, actorID string, req StartRequest) (*Workflow, error) {
	settings := s.settings()
	tmpl, err := settings.Templates.Startable(req.Type)
	if err != nil {
		return nil, err
	}
	var src *source
	if req.FromPostID != "" {
		var err error
		if src, err = s.startSource(actorID, req.TeamID, req.FromPostID); err != nil {
			return nil, err
		}
		if strings.TrimSpace(req.Title) == "" {
			req.Title = src.title()
		}
	}
	title := cleanText(req.Title)
	if title == "" {
		return nil, invalid("Give the %s a title, e.g. `%s`.", strings.ToLower(tmpl.Name), exampleTitle(tmpl))
	}
	if err := checkLength("title", title, MaxTitleRunes); err != nil {
		return nil, err
	}
	severity := strings.ToLower(strings.TrimSpace(req.Severity))
	switch {
	case severity == "":
		severity = tmpl.DefaultSeverity
	case len(tmpl.Severities) == 0:
		return nil, invalid("A %s has no severities; leave out --severity.", strings.ToLower(tmpl.Name))
	case !tmpl.HasSeverity(severity):
		return nil, invalid("Unknown severity %q for a %s. Severities: %s.", req.Severity, strings.ToLower(tmpl.Name), strings.Join(tmpl.Severities, ", "))
	}
	if !model.IsValidId(req.TeamID) {
		return nil, forbidden("You can start workflows only in a team you belong to.")
	}
	private := tmpl.Private || req.Private
	// One round trip for every check before anything is written; Mattermost is asked
	// meanwhile whether the starter may create the channel.
	mayCreate := s.work.Go("ask whether the starter may create the channel", func() error {
		return s.mayCreateChannel(actorID, req.TeamID, tmpl, private)
	})
	type facts struct {
		starter *Viewer
		active  []*Workflow
	}
	read, err := readAsTeamReader(s, actorID, req.TeamID, func(readsPublic bool) (facts, error) {
		starter, active, err := s.store.StartFacts(ctx, req.TeamID, tmpl.Type, actorID, readsPublic, similarCandidates)
		return facts{starter, active}, err
	})
	if err != nil {
		return nil, err
	}
	starter, active := read.starter, read.active
	if !starter.TeamMember {
		return nil, forbidden("You can start workflows only in a team you belong to.")
	}
	if err := <-mayCreate; err != nil {
		return nil, err
	}
	if err := s.startRefusal(tmpl, s.viewerDiscipline(starter).Discipline, actorID); err != nil {
		return nil, err
	}
	// The guard answers a duplicate from what StartFacts read, and again in the
	// reservation, which sees every start reserved before this one: two starts at the
	// same moment make one workflow, on one server or several.
	guard := func(active []*Workflow) error {
		if dup := findSimilar(active, title); dup != nil && !req.Force {
			return conflict("A similar %s is already active: ~%s (%q). Join it, or add --force to start another.",
				strings.ToLower(tmpl.Name), dup.ChannelName, dup.Title)
		}
		return nil
	}
	if err := guard(active); err != nil {
		return nil, err
	}
	return s.open(ctx, opening{tmpl: tmpl, title: title, severity: severity, private: private, teamID: req.TeamID, starterID: actorID,
		starterName: starter.Username, guard: guard, src: src, scheduled: req.scheduled})
}

// opening is a workflow about to be opened, its starter's checks passed: by a person
// (Start) or by an integration on behalf of a team (the alert intake), which has no
// starter, so the workflow has no lead until someone takes it (TakeLead).
type opening struct {
	tmpl            *Template
	title, severity string
	private         bool
	teamID          string // Start's request names it
	starterID       string // "" for an integration: the bot creates, nobody leads
	starterName     string
	guard           func(active []*Workflow) error
	src             *source
	// intro replaces the first post's "Started by" line, and extra follows the stages.
	intro, extra string
	// invite are people added besides the template's (a service's owners).
	invite []string
	// scheduled is set when a schedule's occurrence starts it (schedule.go).
	scheduled *scheduledStart
}

// open reserves, creates the channel, records and announces a workflow (see Start).
func (s *Service) open(ctx context.Context, o opening) (*Workflow, error) {
	tmpl, title, severity, private, src, guard := o.tmpl, o.title, o.severity, o.private, o.src, o.guard
	actorID := o.starterID
	if actorID == "" {
		actorID = s.mm.BotID()
	}
	teamID := o.teamID
	now := time.Now().UnixMilli()
	w := &Workflow{
		ID: model.NewId(), TeamID: teamID, Type: tmpl.Type, TemplateVersion: tmpl.Version, Title: title, Severity: severity,
		Stage: tmpl.Stages[0].Name, Status: StatusActive, Private: private, LeadID: o.starterID, CreatedBy: actorID,
		Roles: map[string]string{tmpl.LeadRole: o.starterID}, Signoffs: []Signoff{},
		CreatedAt: now, UpdatedAt: now, StageEnteredAt: now,
	}
	w.NewTasks = checklist(tmpl, w.Stage, actorID)
	o.scheduled.apply(w, actorID)
	w.NextReminderAt = s.nextReminder(w, tmpl, time.UnixMilli(now))
	// Reserve, create the channel, activate: a node that dies in between leaves a
	// reservation the scheduler cleans up (cleanStaleStarts), never a stray channel.
	name := func(seq int) (string, string) {
		w.Seq = seq
		n := channelName(w, tmpl)
		return n, n + "-" + strings.ToLower(model.NewId()[:6])
	}
	if err := s.store.ReserveWorkflow(ctx, w, Reservation{Name: name, Guard: guard, Candidates: similarCandidates, Template: tmpl}); err != nil {
		return nil, err
	}
	channel, err := s.createChannel(w, tmpl, actorID)
	if err != nil {
		s.dropReservation(ctx, w.ID)
		return nil, err
	}
	w.ChannelID = channel.Id
	// The starter joins while the workflow is recorded, the template's people invited
	// and the first post written: none of these waits on the others. The bot adds
	// them, as it made the channel: Mattermost then writes its system post ("added to
	// the channel by @devops") after answering, where a join of one's own writes
	// "joined the channel" first, which made the join the start's longest step (22 ms
	// of 30 at the median, make bench). The first post is dated when the channel was
	// made, so it stands first in the channel whichever finishes first.
	joined := s.work.Go("add the starter to a new workflow's channel", func() error {
		if o.starterID == "" {
			return nil // the bot posts without being a member
		}
		return s.mm.AddChannelMember(channel.Id, actorID, "")
	})
	created := TimelineEvent{Type: EventCreated, At: now, ActorID: actorID, Data: map[string]string{"stage": w.Stage},
		Summary: fmt.Sprintf("%s started by @%s in stage %s", tmpl.Name, o.starterName, w.Stage)}
	firstTasks := w.NewTasks // numbered when recorded; the first post offers to tick them
	if src != nil {
		// Not the event's post_id: timeline readers need not be able to read it.
		created.Data["from_post_id"] = src.post.Id
	}
	// Whom the template invites is chosen and recorded with the workflow, so a node
	// that dies before adding them leaves the list behind (AddLeftoverInvites).
	invitation, err := s.store.ActivateWorkflow(ctx, w, []TimelineEvent{created}, invitePlan(tmpl, actorID))
	if err != nil {
		if jerr := <-joined; jerr != nil { // the channel is archived below either way
			s.mm.LogError("Could not add the starter to a failed start's channel", "channel_id", w.ChannelID, "err", jerr.Error())
		}
		s.abandonStart(ctx, w, false)
		return nil, errors.Wrap(err, "record workflow")
	}
	message := s.startedMessage(w, tmpl, o, invitation) + o.scheduled.message()
	if gate := s.inviteGateAhead(ctx, w, tmpl, actorID); gate != "" {
		message += "\n" + gate
	}
	posted := s.postAbout(ctx, w, tmpl, message, anchor{Kind: anchorStart, Stage: w.Stage}, firstTasks, channel.CreateAt)
	if err := <-joined; err != nil {
		// A workflow its starter and lead is not in is not what was asked for.
		s.abandonStart(ctx, w, true)
		return nil, errors.Wrap(err, "add the starter to the channel")
	}
	s.publish(w, ChangeCreated)
	if tmpl.Page[w.Severity] != "" {
		// The template pages a rotation for this severity (incidents at sev1 and sev2).
		s.pageAfterAnswer(ctx, w, tmpl)
	}
	if src != nil {
		s.replyInThread(src, w, tmpl, actorID)
	}
	// Everyone the template invites is added after the answer: one server call each
	// (the plugin API has no batch add), which made a start wait ~37 ms per person.
	// The broadcast channels hear of the start, and the starter's sidebar is tidied,
	// after it too: three or four server calls and a cluster lock that the start need
	// not wait for, like the join hook that files everyone else.
	filed := *w
	s.work.Go("add a new workflow's invited people and file it in its starter's sidebar", func() error {
		bg := context.WithoutCancel(ctx)
		s.broadcastStart(&filed, tmpl, o.starterName)
		ids := make([]string, 0, len(invitation.Invited)+len(o.invite))
		for _, p := range invitation.Invited {
			ids = append(ids, p.UserID)
		}
		for _, id := range o.invite {
			if id != o.starterID && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			s.addInvitees(bg, filed.ID, filed.ChannelID, actorID, ids)
		}
		s.fileStarterInSidebar(bg, &filed)
		return nil
	})
	return w, posted
}

func exampleTitle(t *Template) string {
	if t.Type == "release" {
		return "Release 2.4.0"
	}
	return "Checkout errors in EU"
}

// abandonStart undoes a start that failed after its channel was created: the
// channel is archived and the workflow, reserved or already recorded, removed.
func (s *Service) abandonStart(ctx context.Context, w *Workflow, recorded bool) {
	if err := s.mm.ArchiveChannel(w.ChannelID); err != nil {
		s.mm.LogError("Could not archive the channel of a failed start", "channel_id", w.ChannelID, "err", err.Error())
	}
	if !recorded {
		s.dropReservation(ctx, w.ID)
		return
	}
	if err := s.store.DeleteWorkflow(ctx, w.ID); err != nil {
		s.mm.LogError("Could not remove the workflow of a failed start", "workflow_id", w.ID, "err", err.Error())
	}
}

func (s *Service) dropReservation(ctx context.Context, id string) {
	if err := s.store.DropReservation(ctx, id); err != nil {
		s.mm.LogError("Could not drop a start reservation; the scheduler will", "workflow_id", id, "err", err.Error())
	}
}

// createChannel creates the workflow's channel under its reserved name; Start adds
// the starter.
func (s *Service) createChannel(w *Workflow, tmpl *Template, actorID string) (*model.Channel, error) {
	name := w.ChannelName
	display := truncateRunes(fmt.Sprintf("%s %d: %s", tmpl.Name, w.Seq, ShortTitle(tmpl.Name, w.Title)), model.ChannelDisplayNameMaxRunes)
	typ := model.ChannelTypeOpen
	if w.Private {
		typ = model.ChannelTypePrivate
	}
	header := tmpl.Header
	if header == "" {
		header = fmt.Sprintf("%s · `/%s info` for the state", tmpl.Name, s.settings().CommandTrigger)
	}
	ch, err := s.mm.CreateChannel(&model.Channel{
		TeamId: w.TeamID, Type: typ, Name: name, DisplayName: display, CreatorId: actorID,
		Purpose: truncateRunes(tmpl.Purpose, model.ChannelPurposeMaxRunes),
		Header:  truncateRunes(header, model.ChannelHeaderMaxRunes),
	})
	if err != nil {
		return nil, errors.Wrap(err, "create channel")
	}
	return ch, nil
}

// channelName renders the template's pattern: lower-case, at most 64 characters,
// with room for the suffix ReserveWorkflow appends when the name is taken.
func channelName(w *Workflow, tmpl *Template) string {
	fixed := len(strings.NewReplacer("{seq}", "", "{slug}", "", "{type}", "", "{version}", "").Replace(tmpl.ChannelPattern))
	seq := fmt.Sprint(w.Seq)
	version := strings.NewReplacer(".", "-", "+", "-").Replace(VersionIn(w.Title))
	if version != "" {
		version = "v" + version // a version reads as one wherever it stands
	}
	budget := model.ChannelNameMaxLength - fixed - len(seq) - len(tmpl.Type) - len(version) - 8
	name := strings.NewReplacer("{seq}", seq, "{type}", tmpl.Type, "{version}", version,
		"{slug}", Slug(w.Title, max(budget, 8))).Replace(tmpl.ChannelPattern)
	name = strings.Trim(strings.ReplaceAll(strings.ReplaceAll(name, "--", "-"), "__", "_"), "-_")
	if len(name) < 2 {
		name = tmpl.Type + "-" + seq
	}
	if len(name) > model.ChannelNameMaxLength-8 {
		name = strings.Trim(name[:model.ChannelNameMaxLength-8], "-_")
	}
	return name
}

func (s *Service) startedMessage(w *Workflow, tmpl *Template, o opening, inv Invitation) string {
	src := o.src
	var b strings.Builder
	fmt.Fprintf(&b, "#### %s\n", Headline(tmpl.Name, w.Seq, w.Title))
	if o.intro != "" {
		b.WriteString(o.intro)
	} else {
		fmt.Fprintf(&b, "Started by @%s, %s.", o.starterName, tmpl.LeadRole)
	}
	if w.Severity != "" {
		fmt.Fprintf(&b, " Severity **%s**.", w.Severity)
	}
	if w.Private {
		b.WriteString(" Private: only members see it.")
	}
	if src != nil {
		b.WriteString("\n\n" + src.quote())
	}
	fmt.Fprintf(&b, "\n\n**Stages:** %s\n", s.stageLine(w, tmpl))
	if o.extra != "" {
		b.WriteString(o.extra + "\n")
	}
	b.WriteString(invitedLines(w, inv))
	fmt.Fprintf(&b, "\n`/%[1]s info` for the state · `/%[1]s stage next` to move on · `/%[1]s help` for everything else", s.settings().CommandTrigger)
	return b.String()
}

// stageLine renders the stages with the current one in bold and gates marked.
func (s *Service) stageLine(w *Workflow, tmpl *Template) string {
	parts := make([]string, len(tmpl.Stages))
	for i, st := range tmpl.Stages {
		p := st.Name
		if len(st.Gate) > 0 {
			p += " 🔒" + joinDisciplines(st.Gate, "+")
		}
		if st.Name == w.Stage {
			p = "**" + p + "**"
		}
		parts[i] = p
	}
	return strings.Join(parts, " → ")
}

// publish tells webapps what changed: a private workflow's members, or a public
// workflow's team. Events carry ids and a word, never the workflow itself.
func (s *Service) publish(w *Workflow, kind ChangeKind) {
	data := changeData(w, kind)
	if w.Private {
		s.mm.Publish(eventWorkflowChanged, data, w.ChannelID, "")
		return
	}
	s.mm.Publish(eventWorkflowChanged, data, "", w.TeamID)
}

// visible returns the workflow if the actor may see it. A private workflow is
// reported as not found to non-members, so its existence does not leak.
func (s *Service) visible(actorID string, w *Workflow, err error) (*Workflow, error) {
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("No such workflow.")
	}
	if err != nil {
		return nil, err
	}
	// The store read the workflow for this actor (GetWorkflowFor); without those facts
	// nothing is shown. Whoever Mattermost lets read the channel may read the
	// workflow: its members, and for a public channel whoever may read the team's
	// public channels (asked only of non-members, so a member's read costs no call).
	v := w.Viewer
	if v == nil || v.ID != actorID {
		return nil, notFound("No such workflow.")
	}
	if v.ChannelMember || !w.Private && s.readsPublicChannels(actorID, w.TeamID) {
		return w, nil
	}
	return nil, notFound("No such workflow.")
}

// checkID refuses a value that is not a Mattermost id before it reaches the
// database (where a NUL byte or invalid UTF-8 would be an error, not a miss).
func checkID(field, v string) error {
	if !model.IsValidId(v) {
		return invalid("%s must be a Mattermost id (26 lower-case letters and digits).", field)
	}
	return nil
}

// Get returns a workflow the actor may see.
func (s *Service) Get(ctx context.Context, actorID, id string) (*Workflow, error) {
	if !model.IsValidId(id) {
		return nil, notFound("No such workflow.")
	}
	w, err := s.store.GetWorkflowFor(ctx, "id", id, actorID)
	return s.visible(actorID, w, err)
}

// GetByChannel returns the workflow of a channel, if the actor may see it.
func (s *Service) GetByChannel(ctx context.Context, actorID, channelID string) (*Workflow, error) {
	if err := checkID("channel_id", channelID); err != nil {
		return nil, err
	}
	w, err := s.store.GetWorkflowFor(ctx, "channel", channelID, actorID)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("This channel is not a workflow channel. Start one with `/%s start`.", s.settings().CommandTrigger)
	}
	return s.visible(actorID, w, err)
}

// List returns a page of the team's workflows that the actor may see.
func (s *Service) List(ctx context.Context, actorID string, f ListFilter) ([]*Workflow, string, error) {
	if f.TeamID == "" || !model.IsValidId(f.TeamID) {
		return nil, "", invalid("team_id is required.")
	}
	if f.ChannelID != "" {
		if err := checkID("channel_id", f.ChannelID); err != nil {
			return nil, "", err
		}
	}
	if f.Type != "" {
		// Listed for every defined type: a disabled one's workflows still run.
		if _, ok := s.settings().Templates.Defined(f.Type); !ok {
			return nil, "", invalid("Unknown workflow type %q. Types: %s.", f.Type, strings.Join(s.settings().Templates.Types(), ", "))
		}
	}
	switch f.Status {
	case "", StatusActive, StatusClosed:
	default:
		return nil, "", invalid("status must be active or closed.")
	}
	switch {
	case f.PerPage <= 0:
		f.PerPage = 50
	case f.PerPage > 200:
		f.PerPage = 200
	}
	fields, err := s.fieldFilter(f.TeamID, strings.ToLower(f.Type), f.Fields)
	if err != nil {
		return nil, "", err
	}
	f.Fields = fields
	f.ViewerID = actorID
	f.Query = cleanText(f.Query)
	f.CurrentVersions = nil
	if f.Outdated {
		for _, t := range s.settings().Templates.AllDefined() {
			f.CurrentVersions = append(f.CurrentVersions, t.Version)
		}
	}
	type page struct {
		items []*Workflow
		next  string
	}
	read, err := readAsTeamReader(s, actorID, f.TeamID, func(readsPublic bool) (page, error) {
		f.ReadsPublic = readsPublic
		items, next, err := s.store.ListWorkflows(ctx, f) // checks team membership in the same query
		return page{items, next}, err
	})
	items, next := read.items, read.next
	if errors.Is(err, ErrNotTeamMember) {
		return nil, "", forbidden("You are not a member of that team.")
	}
	return items, next, err
}

// mutate applies a change to a visible workflow through the store's UpdateWorkflow; fn
// sees the current state (and runs again if another change lands first), so two
// concurrent commands cannot both pass a check that only one of them should.
//
// Whether the actor may see the workflow is judged on the read the change is decided
// on (UpdateWorkflowAs reads the actor's facts with it): one round trip, not a read
// before the change's own.
func (s *Service) mutate(ctx context.Context, actorID, id string, fn func(w *Workflow, tmpl *Template) ([]TimelineEvent, error)) (*Workflow, *Template, error) {
	if !model.IsValidId(id) {
		return nil, nil, notFound("No such workflow.")
	}
	var tmpl *Template
	w, err := s.store.UpdateWorkflowAs(ctx, id, actorID, func(w *Workflow) ([]TimelineEvent, error) {
		if _, err := s.visible(actorID, w, nil); err != nil {
			return nil, err
		}
		var err error
		if tmpl, err = s.templateOf(ctx, w); err != nil {
			return nil, err
		}
		return fn(w, tmpl)
	})
	if errors.Is(err, ErrNotFound) {
		return nil, nil, notFound("No such workflow.")
	}
	if err != nil {
		return nil, nil, err
	}
	pressChanged(ctx, w, nil)
	return w, tmpl, nil
}

// isLeadOrAdmin: the lead, or an admin of the channel, team or system.
func (s *Service) isLeadOrAdmin(w *Workflow, userID string) bool {
	return w.LeadID == userID || s.mm.CanManageChannel(userID, w.ChannelID)
}

func (s *Service) requireLead(w *Workflow, tmpl *Template, actorID, doing string) error {
	if s.isLeadOrAdmin(w, actorID) {
		return nil
	}
	if w.LeadID == "" {
		return forbidden("Nobody leads this %s yet, so only a channel, team or system admin can %s: take the lead first (the **Take the lead** button on its first post).",
			strings.ToLower(tmpl.Name), doing)
	}
	return forbidden("Only the %s (%s) or a channel, team or system admin can %s.", tmpl.LeadRole, s.mention(w.LeadID), doing)
}

func requireActive(w *Workflow) error {
	if w.Status != StatusActive {
		return conflict("This workflow is closed. Reopen it first.")
	}
	return nil
}

func (s *Service) mention(userID string) string {
	if userID == "" {
		return "nobody yet" // an incident the alert intake opened, until someone takes the lead
	}
	if u, err := s.mm.GetUserCached(userID); err == nil {
		return "@" + u.Username
	}
	return "someone"
}

// ChangeStage moves a workflow to the next stage or a named one. Entering a gated
// stage, or skipping over one, needs every gate discipline's sign-off.
func (s *Service) ChangeStage(ctx context.Context, actorID, id, target string) (*Workflow, error) {
	return s.changeStage(ctx, actorID, id, target, "")
}

// NextStageFrom moves a workflow on from a given stage, and refuses if it is in
// another one by now: a button on an old stage's post must not move it twice.
func (s *Service) NextStageFrom(ctx context.Context, actorID, id, from string) (*Workflow, error) {
	if from == "" {
		return nil, invalid("Name the stage to move on from.")
	}
	return s.changeStage(ctx, actorID, id, "next", from)
}

func (s *Service) changeStage(ctx context.Context, actorID, id, target, expected string) (*Workflow, error) {
	target = strings.ToLower(strings.TrimSpace(target))
	if target == "" {
		// Moving is never a default: a script's misspelt field must not move a release.
		return nil, invalid("Name the stage to move to: `next` or a stage's name.")
	}
	var from string
	var skipped []string
	var voided []Signoff
	var added []*Task // the new stage's checklist, numbered when saved
	w, tmpl, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		skipped, voided = nil, nil // a retried decision starts afresh
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if err := s.requireLead(w, tmpl, actorID, "change the stage"); err != nil {
			return nil, err
		}
		if expected != "" && w.Stage != expected {
			return nil, conflict("The workflow has moved on from %s: it is in %s now.", expected, w.Stage)
		}
		cur := tmpl.StageIndex(w.Stage)
		var to int
		switch target {
		case "next":
			to = cur + 1
			if to >= len(tmpl.Stages) {
				return nil, conflict("%s is the last stage. Close the workflow with `/%s close`.", w.Stage, s.settings().CommandTrigger)
			}
		default:
			to = tmpl.StageIndex(target)
			if to < 0 {
				return nil, invalid("Unknown stage %q. Stages: %s.", target, strings.Join(tmpl.StageNames(), ", "))
			}
			if to == cur {
				return nil, conflict("The workflow is already in %s.", target)
			}
		}
		for i := cur + 1; i <= to; i++ {
			st := tmpl.Stages[i]
			var missing []Discipline
			for _, d := range st.Gate {
				if !w.hasSignoff(st.Name, d) {
					missing = append(missing, d)
				}
			}
			if len(missing) > 0 {
				return nil, forbidden("Entering %s needs a sign-off from %s (missing: %s). %s",
					st.Name, joinDisciplines(st.Gate, "and"), joinDisciplines(missing, "and"), s.whoCanSign(ctx, w, st.Name, missing, actorID))
			}
			if err := s.requiredFieldMissing(w, tmpl, st); err != nil {
				return nil, err
			}
			if i < to {
				skipped = append(skipped, st.Name)
			}
		}
		from = w.Stage
		w.Stage = tmpl.Stages[to].Name
		w.StageEnteredAt = time.Now().UnixMilli()
		added = nil
		if to > cur {
			w.NewTasks = checklist(tmpl, w.Stage, actorID)
			added = w.NewTasks
		}
		data := map[string]string{"from": from, "to": w.Stage}
		summary := fmt.Sprintf("Stage %s → %s by %s", from, w.Stage, s.mention(actorID))
		if len(skipped) > 0 {
			data["skipped"] = strings.Join(skipped, ",")
			summary += ", skipping " + joinWords(skipped, "and")
		}
		events := []TimelineEvent{{Type: EventStageChanged, ActorID: actorID, Data: data, Summary: summary}}
		if voided = voidSignoffsAfter(w, tmpl, to); len(voided) > 0 {
			events = append(events, TimelineEvent{Type: EventSignoffsVoided, ActorID: actorID, Data: map[string]string{"stage": w.Stage},
				Summary: fmt.Sprintf("Back to %s by %s: sign-offs void — %s", w.Stage, s.mention(actorID), s.signoffList(voided))})
		}
		return events, nil
	})
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Stage:** %s → **%s** (by %s)", from, w.Stage, s.mention(actorID))
	if len(skipped) > 0 {
		fmt.Fprintf(&b, ", skipping %s", joinWords(skipped, "and"))
	}
	fmt.Fprintf(&b, "\n%s", s.stageLine(w, tmpl))
	if len(voided) > 0 {
		fmt.Fprintf(&b, "\nGoing back voids the sign-offs of the gates ahead: %s. They sign again before the stage is entered.", s.signoffList(voided))
	}
	if invited := s.inviteGateAhead(ctx, w, tmpl, actorID); invited != "" {
		b.WriteString("\n" + invited)
	}
	posted := s.postAbout(ctx, w, tmpl, b.String(), anchor{Kind: anchorStage, Stage: w.Stage}, added, 0)
	s.publish(w, ChangeStage)
	return w, posted
}

// Signoff records the actor's discipline's approval for a gated stage. Without a
// stage it signs the nearest gated stage ahead that needs the actor's discipline.
// Opening a gate needs a verified discipline (mapped or granted) unless the settings
// let self-declared ones sign.
func (s *Service) Signoff(ctx context.Context, actorID, id, stage, note string) (*Workflow, error) {
	actor, ud, err := s.actorDiscipline(ctx, actorID)
	if err != nil {
		return nil, err
	}
	discipline := ud.Discipline
	note = cleanNote(note)
	if err := checkLength("note", note, MaxNoteRunes); err != nil {
		return nil, err
	}
	stage = strings.ToLower(strings.TrimSpace(stage))
	if discipline != "" && !s.maySignOff(ud) {
		// Refused whatever the workflow holds; read it (outside any transaction) only
		// to give the reason the checks would give first, or name who could sign.
		w, err := s.Get(ctx, actorID, id)
		if err != nil {
			return nil, err
		}
		tmpl, err := s.templateOf(ctx, w)
		if err != nil {
			return nil, err
		}
		st, err := s.signoffChecks(w, tmpl, actorID, stage, discipline)
		if err != nil {
			return nil, err
		}
		return nil, s.unverifiedSignoff(ctx, w, st.Name, ud, actorID)
	}
	var signed Signoff
	w, _, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		st, err := s.signoffChecks(w, tmpl, actorID, stage, discipline)
		if err != nil {
			return nil, err
		}
		if w.hasSignoff(st.Name, discipline) {
			return nil, conflict("%s already signed off %s.", discipline, st.Name)
		}
		signed = Signoff{Stage: st.Name, Discipline: discipline, UserID: actorID, Note: note, At: time.Now().UnixMilli(), Source: ud.Source}
		w.Signoffs = append(w.Signoffs, signed)
		return []TimelineEvent{{Type: EventSignoff, ActorID: actorID, Data: map[string]string{"source": string(ud.Source)},
			Summary: fmt.Sprintf("%s signed off %s for %s", s.mention(actorID), st.Name, discipline)}}, nil
	})
	if err != nil {
		return nil, err
	}
	declared := ""
	if !ud.Verified {
		declared = " (self-declared)"
	}
	msg := fmt.Sprintf("✅ **Sign-off:** @%s signed off **%s** for **%s**%s.", actor.Username, signed.Stage, discipline, declared)
	tmpl, _ := s.templateOf(ctx, w) // nil for a type disabled meanwhile: a post without buttons
	if tmpl != nil {
		msg += s.gateProgress(w, tmpl, signed.Stage)
	}
	if note != "" {
		msg += "\n" + Quoted(note)
	}
	posted := s.postAbout(ctx, w, tmpl, msg, anchor{Kind: anchorSignoff, Stage: signed.Stage}, nil, 0)
	s.publish(w, ChangeSignoff)
	return w, posted
}

// signoffChecks are what a sign-off checks of the workflow: active, the actor in its
// channel, and a gated stage ahead for the discipline.
func (s *Service) signoffChecks(w *Workflow, tmpl *Template, actorID, stage string, d Discipline) (Stage, error) {
	if err := requireActive(w); err != nil {
		return Stage{}, err
	}
	// As for status updates and tasks: approving a gate is for the people in the
	// channel, whichever door the request comes through.
	if !s.mm.IsChannelMember(w.ChannelID, actorID) {
		return Stage{}, forbidden("Only members of ~%s sign off its stages.", w.ChannelName)
	}
	return s.signoffStage(w, tmpl, stage, d)
}

// signoffStage picks and checks the stage a sign-off is for.
func (s *Service) signoffStage(w *Workflow, tmpl *Template, stage string, d Discipline) (Stage, error) {
	cur := tmpl.StageIndex(w.Stage)
	if stage == "" {
		for _, st := range tmpl.Stages[cur+1:] {
			if containsDiscipline(st.Gate, d) && !w.hasSignoff(st.Name, d) {
				return st, nil
			}
		}
		var gated []string
		for _, st := range tmpl.Stages[cur+1:] {
			if len(st.Gate) > 0 {
				gated = append(gated, fmt.Sprintf("%s (needs %s)", st.Name, joinDisciplines(st.Gate, "and")))
			}
		}
		if len(gated) == 0 {
			return Stage{}, conflict("No stage ahead needs a sign-off.")
		}
		return Stage{}, forbidden("Nothing ahead needs a sign-off from %s. Gated stages ahead: %s.", disciplineLabel(d), strings.Join(gated, "; "))
	}
	i := tmpl.StageIndex(stage)
	if i < 0 {
		return Stage{}, invalid("Unknown stage %q. Stages: %s.", stage, strings.Join(tmpl.StageNames(), ", "))
	}
	st := tmpl.Stages[i]
	if len(st.Gate) == 0 {
		return Stage{}, invalid("%s has no sign-off gate.", st.Name)
	}
	if i <= cur {
		return Stage{}, conflict("The workflow has already entered %s.", st.Name)
	}
	if !containsDiscipline(st.Gate, d) {
		return Stage{}, forbidden("Signing off %s needs the discipline %s; yours is %s. %s",
			st.Name, joinDisciplines(st.Gate, "or"), disciplineLabel(d), s.disciplineHint())
	}
	return st, nil
}

func containsDiscipline(ds []Discipline, d Discipline) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// AssignRole gives a workflow role to a user (adding them to the channel). Giving
// the lead role hands the lead over.
func (s *Service) AssignRole(ctx context.Context, actorID, id, role, username string) (*Workflow, error) {
	role = strings.ToLower(strings.TrimSpace(role))
	username = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(username), "@"))
	if username == "" {
		return nil, invalid("Name the user, e.g. `@alex`.")
	}
	user, err := s.mm.GetUserByUsername(username)
	if err != nil || user.DeleteAt != 0 {
		return nil, invalid("No user @%s.", username)
	}
	var w *Workflow
	var tmpl *Template
	w, tmpl, err = s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if !tmpl.HasRole(role) {
			return nil, invalid("Unknown role %q for a %s. Roles: %s.", role, strings.ToLower(tmpl.Name), strings.Join(tmpl.Roles, ", "))
		}
		if err := s.requireLead(w, tmpl, actorID, "assign roles"); err != nil {
			return nil, err
		}
		if !s.mm.IsTeamMember(w.TeamID, user.Id) {
			return nil, invalid("@%s is not a member of this team.", user.Username)
		}
		if user.IsBot {
			return nil, invalid("@%s is a bot; roles are for people.", user.Username)
		}
		if w.Roles[role] == user.Id {
			return nil, conflict("@%s is already the %s.", user.Username, role)
		}
		w.Roles[role] = user.Id
		if role == tmpl.LeadRole {
			w.LeadID = user.Id
		}
		return []TimelineEvent{{Type: EventRoleAssigned, ActorID: actorID,
			Summary: fmt.Sprintf("@%s is now %s (by %s)", user.Username, role, s.mention(actorID))}}, nil
	})
	if err != nil {
		return nil, err
	}
	if !s.mm.IsChannelMember(w.ChannelID, user.Id) {
		if err := s.mm.AddChannelMember(w.ChannelID, user.Id, actorID); err != nil {
			s.mm.LogError("Could not add a role holder to the channel", "user_id", user.Id, "err", err.Error())
		}
	}
	lead := ""
	if role == tmpl.LeadRole {
		lead = " They lead the workflow now."
	}
	posted := s.post(w, fmt.Sprintf("**Role:** @%s is now **%s** (assigned by %s).%s", user.Username, role, s.mention(actorID), lead))
	s.publish(w, ChangeRole)
	return w, posted
}

// Close ends a workflow; only its lead or an admin may.
func (s *Service) Close(ctx context.Context, actorID, id, summary string) (*Workflow, error) {
	summary = cleanNote(summary)
	if err := checkLength("summary", summary, MaxNoteRunes); err != nil {
		return nil, err
	}
	w, tmpl, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if err := requireActive(w); err != nil {
			return nil, conflict("This workflow is already closed.")
		}
		if err := s.requireLead(w, tmpl, actorID, "close the workflow"); err != nil {
			return nil, err
		}
		w.Status = StatusClosed
		w.ClosedAt = time.Now().UnixMilli()
		w.Summary = summary
		w.NextReminderAt = 0
		return []TimelineEvent{{Type: EventClosed, ActorID: actorID, Summary: "Closed by " + s.mention(actorID)}}, nil
	})
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("🏁 **Closed** by %s after %s.", s.mention(actorID), humanDuration(time.Duration(w.ClosedAt-w.CreatedAt)*time.Millisecond))
	if summary != "" {
		msg += "\n" + Quoted(summary)
	}
	posted := s.post(w, msg)
	if retro, err := s.retrospective(ctx, w, tmpl); err != nil {
		s.mm.LogError("Could not build the retrospective", "workflow_id", w.ID, "err", err.Error())
	} else if err := s.post(w, retro); posted == nil {
		posted = err
	}
	s.publish(w, ChangeClosed)
	s.tidySidebars(ctx, w)
	return w, posted
}

// Reopen makes a closed workflow active again; only its lead or an admin may.
func (s *Service) Reopen(ctx context.Context, actorID, id string) (*Workflow, error) {
	w, _, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if w.Status != StatusClosed {
			return nil, conflict("This workflow is not closed.")
		}
		if err := s.requireLead(w, tmpl, actorID, "reopen the workflow"); err != nil {
			return nil, err
		}
		w.Status = StatusActive
		w.ClosedAt = 0
		w.NextReminderAt = s.nextReminder(w, tmpl, time.Now())
		return []TimelineEvent{{Type: EventReopened, ActorID: actorID, Summary: "Reopened by " + s.mention(actorID)}}, nil
	})
	if err != nil {
		return nil, err
	}
	posted := s.post(w, fmt.Sprintf("🔄 **Reopened** by %s, in stage **%s**.", s.mention(actorID), w.Stage))
	s.publish(w, ChangeReopened)
	s.tidySidebars(ctx, w)
	return w, posted
}

// HumanDuration renders a duration as "2d 3h", "45m" or "12s".
func HumanDuration(d time.Duration) string {
	return humanDuration(d)
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && int(d.Hours())%24 == 0:
		return fmt.Sprintf("%dd", int(d.Hours())/24)
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour && int(d.Minutes())%60 == 0:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	default:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
}
