package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Pages: a direct message from the bot that mentions the paged person (so Mattermost
// pushes it to their phone) with an Acknowledge button. A page to a rotation carries
// a plan fixed when it is made — the on-call person, the next members in rotation
// order, then the escalation target, round after round — and each step not
// acknowledged within escalate_after moves to the next. A step is claimed with a
// conditional update on the page's step number in the transaction that records whom
// it notifies and its timeline event, so it happens once across nodes; a crash
// between the claim and the direct message is healed by redeliverPages.

// Page statuses.
const (
	PageOpen         = "open"
	PageAcknowledged = "acknowledged"
)

// Timeline events of a page linked to a workflow.
const (
	EventPage             = "page"
	EventPageAcknowledged = "page_acknowledged"
	EventPageEscalated    = "page_escalated"
)

// PageRounds is how many times a rotation's page goes round its members and its
// escalation target before it stops escalating (it stays open).
const PageRounds = 3

// MaxPageMessage bounds a page's message.
const MaxPageMessage = 2000

// Keys of a page's direct message and its Acknowledge button.
const (
	ContextPage = "page_id"
	// PagePostProp and PageStepProp mark a page's direct message with the page and
	// the step it delivers, so a redelivery finds it.
	PagePostProp = "devops_page_id"
	PageStepProp = "devops_page_step"
)

// Page is a page and whom it reached.
type Page struct {
	ID         string `json:"id"`
	TeamID     string `json:"team_id"`
	RotationID string `json:"rotation_id,omitempty"`
	// Target is as asked: "@username" or "rotation:<name>".
	Target         string `json:"target"`
	Message        string `json:"message"`
	WorkflowID     string `json:"workflow_id,omitempty"`
	CreatedBy      string `json:"created_by"`
	CreatedAt      int64  `json:"created_at"`
	Status         string `json:"status"`
	AcknowledgedBy string `json:"acknowledged_by"`
	AcknowledgedAt int64  `json:"acknowledged_at"`
	// Plan is the steps, each the user ids it notifies; Step is the last one notified.
	Plan          [][]string         `json:"-"`
	Step          int                `json:"step"`
	EscalateAfter time.Duration      `json:"-"`
	NextStepAt    int64              `json:"next_step_at"`
	Notified      []PageNotification `json:"notified"`
	// Private: linked to a private workflow the reader cannot read (message and
	// workflow are withheld).
	Private bool `json:"private,omitempty"`
}

// PageNotification is one person reached by one step of a page.
type PageNotification struct {
	PageID    string `json:"-"`
	Step      int    `json:"step"`
	UserID    string `json:"user_id"`
	At        int64  `json:"at"`
	PostID    string `json:"post_id,omitempty"`
	Delivered bool   `json:"delivered"`
}

// OnCallStore is what on call needs from storage.
type OnCallStore interface {
	// CreateRotation returns ErrDuplicate when the team has the name already.
	CreateRotation(ctx context.Context, r *Rotation) error
	GetRotation(ctx context.Context, id string) (*Rotation, error)
	GetRotationByName(ctx context.Context, teamID, name string) (*Rotation, error)
	// ListRotations lists a team's rotations by name.
	ListRotations(ctx context.Context, teamID string) ([]*Rotation, error)
	UpdateRotation(ctx context.Context, r *Rotation) error
	DeleteRotation(ctx context.Context, id string) error
	AddOverride(ctx context.Context, o *Override) error
	// Overrides of the rotations that end after `after`, oldest arrangement first.
	Overrides(ctx context.Context, rotationIDs []string, after int64) ([]Override, error)
	// CreatePage records a page with its first step's notifications and event.
	CreatePage(ctx context.Context, p *Page, first []PageNotification, ev *TimelineEvent) error
	GetPage(ctx context.Context, id string) (*Page, error)
	// DuePages are open pages whose next step is due at now.
	DuePages(ctx context.Context, now int64, limit int) ([]*Page, error)
	// ClaimPageStep moves a page from step `from` to from+1 (next due at next, 0 for
	// none) with its notifications and event, or reports false when the page moved
	// or was acknowledged first.
	ClaimPageStep(ctx context.Context, id string, from int, next int64, notes []PageNotification, ev *TimelineEvent) (bool, error)
	// AcknowledgePage acknowledges an open page; false when it was not open.
	AcknowledgePage(ctx context.Context, id, userID string, at int64, ev *TimelineEvent) (bool, error)
	PageDelivered(ctx context.Context, n PageNotification, postID string) error
	// PendingPageNotifications are notifications claimed before `before` and not delivered.
	PendingPageNotifications(ctx context.Context, before int64, limit int) ([]PageNotification, error)
	// OpenPagesFor lists the open pages that notified a user, newest first.
	OpenPagesFor(ctx context.Context, userID string, limit int) ([]*Page, error)
	// OpenPagesOfWorkflow lists a workflow's open pages, newest first.
	OpenPagesOfWorkflow(ctx context.Context, workflowID string) ([]*Page, error)
}

// PageRequest is a page as asked for.
type PageRequest struct {
	TeamID string `json:"team_id"`
	// Target is "@username", "username" or "rotation:<name>".
	Target     string `json:"target"`
	Message    string `json:"message"`
	WorkflowID string `json:"workflow_id"`
}

// Page sends a page (any member of the team; not guests). A page linked to a
// workflow needs the sender to see the workflow.
func (s *Service) Page(ctx context.Context, actorID string, req PageRequest) (*Page, error) {
	if err := s.requireTeamMember(actorID, req.TeamID); err != nil {
		return nil, err
	}
	if u, err := s.mm.GetUser(actorID); err == nil && u.IsGuest() {
		return nil, forbidden("Guests cannot page people.")
	}
	var w *Workflow
	if req.WorkflowID != "" {
		var err error
		if w, err = s.Get(ctx, actorID, req.WorkflowID); err != nil {
			return nil, err
		}
		if w.TeamID != req.TeamID {
			return nil, invalid("workflow_id: the workflow is in another team.")
		}
	}
	return s.page(ctx, actorID, req, w)
}

// pageFrom is how a page names its sender in the DM and the timeline: the bot for the
// pages the plugin makes by itself.
func (s *Service) page(ctx context.Context, actorID string, req PageRequest, w *Workflow) (*Page, error) {
	msg := strings.TrimSpace(req.Message)
	if msg == "" {
		return nil, invalid("message: say why you page, e.g. `checkout is down in EU`.")
	}
	if err := checkLength("message", msg, MaxPageMessage); err != nil {
		return nil, err
	}
	target := strings.TrimSpace(req.Target)
	now := time.Now()
	p := &Page{ID: model.NewId(), TeamID: req.TeamID, Message: msg, CreatedBy: actorID, CreatedAt: now.UnixMilli(), Status: PageOpen}
	if w != nil {
		p.WorkflowID = w.ID
	}
	if name, ok := strings.CutPrefix(target, rotationTargetPrefix); ok || !strings.HasPrefix(target, "@") && s.isRotationName(ctx, req.TeamID, target) {
		if !ok {
			name = target
		}
		r, err := s.rotationByName(ctx, req.TeamID, name)
		if err != nil {
			return nil, invalid("target: no rotation %q in this team.", name)
		}
		plan, err := s.escalationPlan(ctx, r, now)
		if err != nil {
			return nil, err
		}
		p.RotationID, p.Target, p.Plan, p.EscalateAfter = r.ID, rotationTargetPrefix+r.Name, plan, r.EscalateAfter
	} else {
		ids, err := s.teamUserIDs(req.TeamID, "target", []string{target})
		if err != nil && !strings.HasPrefix(target, "@") {
			return nil, invalid("target: no rotation or person %q in this team (a person: @name; a rotation: its name).", target)
		}
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, invalid("target: name @someone or rotation:<name>.")
		}
		p.Target, p.Plan = s.mention(ids[0]), [][]string{ids}
	}
	if len(p.Plan) > 1 {
		p.NextStepAt = now.Add(p.EscalateAfter).UnixMilli()
	}
	notes := p.notificationsOf(0, now)
	ev := p.event(EventPage, actorID, fmt.Sprintf("%s paged %s: %s", s.mention(actorID), s.mentions(p.Plan[0]), Inline(truncateRunes(msg, 200))))
	if err := s.store.CreatePage(ctx, p, notes, ev); err != nil {
		return nil, err
	}
	p.Notified = notes
	s.deliverPage(ctx, p, notes, false)
	if w != nil {
		s.publish(w, ChangeTimeline)
	}
	return p, nil
}

func (s *Service) isRotationName(ctx context.Context, teamID, name string) bool {
	_, err := s.store.GetRotationByName(ctx, teamID, name)
	return err == nil
}

func (p *Page) notificationsOf(step int, at time.Time) []PageNotification {
	out := make([]PageNotification, len(p.Plan[step]))
	for i, id := range p.Plan[step] {
		out[i] = PageNotification{PageID: p.ID, Step: step, UserID: id, At: at.UnixMilli()}
	}
	return out
}

// event is the page's timeline event, nil when the page is not linked to a workflow.
func (p *Page) event(typ, actorID, summary string) *TimelineEvent {
	if p.WorkflowID == "" {
		return nil
	}
	return &TimelineEvent{WorkflowID: p.WorkflowID, Type: typ, ActorID: actorID, Summary: summary, Data: map[string]string{"page_id": p.ID}}
}

// escalationPlan is a rotation's page plan: from the person on call now, each member
// in rotation order, then the escalation target together, PageRounds times.
func (s *Service) escalationPlan(ctx context.Context, r *Rotation, now time.Time) ([][]string, error) {
	sc, err := s.scheduleOf(ctx, r, now)
	if err != nil {
		return nil, err
	}
	first, _, _ := sc.at(now)
	var round [][]string
	if !slices.Contains(r.MemberIDs, first) {
		round = append(round, []string{first}) // an override by someone outside the rotation
	}
	start := max(slices.Index(r.MemberIDs, first), 0)
	for i := range r.MemberIDs {
		round = append(round, []string{r.MemberIDs[(start+i)%len(r.MemberIDs)]})
	}
	var target []string
	for _, t := range r.EscalateTo {
		kind, id, _ := strings.Cut(t, ":")
		if kind == "user" {
			target = append(target, id)
			continue
		}
		// The target rotation's person on call now; its own escalation is not followed.
		er, err := s.store.GetRotation(ctx, id)
		if err != nil {
			continue // deleted since: the other targets still count
		}
		esc, err := s.scheduleOf(ctx, er, now)
		if err != nil {
			return nil, err
		}
		if uid, _, _ := esc.at(now); uid != "" {
			target = append(target, uid)
		}
	}
	if target = slices.Compact(target); len(target) > 0 {
		round = append(round, target)
	}
	var plan [][]string
	for range PageRounds {
		plan = append(plan, round...)
	}
	return plan, nil
}

func (s *Service) mentions(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = s.mention(id)
	}
	return strings.Join(names, ", ")
}

// pagesPerTick bounds one tick's escalations; the rest go on the next tick.
const pagesPerTick = 200

// RunPager does the pager's periodic work: it finishes deliveries a crash
// interrupted, then escalates the pages that are due. The plugin runs it from its own
// cluster job, on a shorter tick than the other scheduled work (a page is urgent);
// the conditional updates make a repeated or concurrent tick harmless.
func (s *Service) RunPager(ctx context.Context, now time.Time) (escalated int, err error) {
	if err := s.redeliverPages(ctx, now); err != nil {
		return 0, err
	}
	return s.escalatePages(ctx, now)
}

// escalationsAtOnce bounds the pages one tick escalates at the same time: a step's
// direct message takes a few server calls, and a hundred pages falling due together
// must not wait for one another a whole tick longer (make bench).
const escalationsAtOnce = 8

// escalatePages takes each due page to its next step, once.
func (s *Service) escalatePages(ctx context.Context, now time.Time) (int, error) {
	due, err := s.store.DuePages(ctx, now.UnixMilli(), pagesPerTick)
	if err != nil {
		return 0, err
	}
	slots := make(chan struct{}, escalationsAtOnce)
	results := make([]<-chan error, 0, len(due))
	var sent atomic.Int64
	for _, p := range due {
		slots <- struct{}{}
		results = append(results, s.work.Go("escalate a page", func() error {
			defer func() { <-slots }()
			ok, err := s.escalate(ctx, p, now)
			if ok {
				sent.Add(1)
			}
			return err
		}))
	}
	for _, r := range results {
		if rerr := <-r; rerr != nil && err == nil {
			err = rerr
		}
	}
	return int(sent.Load()), err
}

// escalate claims a due page's next step and delivers it; false when the page was
// acknowledged, or another tick took the step, first.
func (s *Service) escalate(ctx context.Context, p *Page, now time.Time) (bool, error) {
	step := p.Step + 1
	if step >= len(p.Plan) {
		return false, nil // DuePages does not return these; a plan never shrinks
	}
	var next int64
	if step+1 < len(p.Plan) {
		next = now.Add(p.EscalateAfter).UnixMilli()
	}
	notes := p.notificationsOf(step, now)
	ev := p.event(EventPageEscalated, s.mm.BotID(), fmt.Sprintf("Page escalated to %s: not acknowledged in %s", s.mentions(p.Plan[step]), humanDuration(p.EscalateAfter)))
	ok, err := s.store.ClaimPageStep(ctx, p.ID, p.Step, next, notes, ev)
	if err != nil || !ok {
		return false, err
	}
	// Read again for whom it reached before (their messages show where it stands).
	if p, err = s.store.GetPage(ctx, p.ID); err != nil {
		return true, err
	}
	s.deliverPage(ctx, p, notes, false)
	s.refreshPagePosts(ctx, p, notes)
	s.publishPageEvent(ctx, p)
	return true, nil
}

// publishPageEvent tells the webapps of a page's workflow that its timeline grew.
func (s *Service) publishPageEvent(ctx context.Context, p *Page) {
	if p.WorkflowID == "" {
		return
	}
	if w, err := s.store.GetWorkflow(ctx, p.WorkflowID); err == nil {
		s.publish(w, ChangeTimeline)
	}
}

// pageRedeliverAfter is how long a claimed notification may stay undelivered before a
// tick takes it for lost in a crash: far longer than a delivery takes.
const pageRedeliverAfter = 15 * time.Second

// pageGiveUpAfter drops a notification that could not be delivered for this long.
const pageGiveUpAfter = time.Hour

// redeliverPages finishes the notifications a crashed node claimed: delivered unless
// their direct message is already there, so none is lost and none doubled.
func (s *Service) redeliverPages(ctx context.Context, now time.Time) error {
	pending, err := s.store.PendingPageNotifications(ctx, now.Add(-pageRedeliverAfter).UnixMilli(), pagesPerTick)
	if err != nil {
		return err
	}
	for _, n := range pending {
		if now.Sub(time.UnixMilli(n.At)) > pageGiveUpAfter {
			s.mm.LogError("Dropping a page notification that could not be delivered for an hour", "page_id", n.PageID, "user_id", n.UserID)
			if err := s.store.PageDelivered(ctx, n, ""); err != nil {
				return err
			}
			continue
		}
		p, err := s.store.GetPage(ctx, n.PageID)
		if err != nil {
			return err
		}
		s.deliverPage(ctx, p, []PageNotification{n}, true)
	}
	return nil
}

// deliverPage sends each notification's direct message and records it delivered; a
// failure stays pending for redeliverPages. A redelivery (again) first looks for the
// message a crashed node may have sent.
func (s *Service) deliverPage(ctx context.Context, p *Page, notes []PageNotification, again bool) {
	var w *Workflow
	if p.WorkflowID != "" {
		w, _ = s.store.GetWorkflow(ctx, p.WorkflowID)
	}
	for _, n := range notes {
		dm, err := s.mm.DirectChannel(n.UserID)
		if err != nil {
			s.mm.LogError("Could not open a direct message for a page; a later tick retries", "page_id", p.ID, "err", err.Error())
			continue
		}
		if again {
			if postID, found := s.pagePostIn(dm, p.ID, n); found {
				if err := s.store.PageDelivered(ctx, n, postID); err != nil {
					s.mm.LogError("Could not mark a page delivered", "page_id", p.ID, "err", err.Error())
				}
				continue
			}
		}
		invited := false
		if w != nil && w.ChannelID != "" && !s.mm.IsChannelMember(w.ChannelID, n.UserID) {
			// The paged person joins the work; a private workflow's DM then says no more
			// than that (it was not theirs to read until now).
			if err := s.mm.AddChannelMember(w.ChannelID, n.UserID, ""); err != nil {
				s.mm.LogError("Could not add a paged person to the workflow's channel", "page_id", p.ID, "err", err.Error())
			} else {
				invited = true
			}
		}
		post := &model.Post{ChannelId: dm, Message: s.pageMessage(p, w, n.UserID, invited)}
		post.AddProp(PagePostProp, p.ID)
		post.AddProp(PageStepProp, n.Step)
		s.withPageActions(post, p)
		created, err := s.send(post, shortenLong)
		if err != nil {
			s.mm.LogError("Could not send a page; a later tick retries", "page_id", p.ID, "user_id", n.UserID)
			continue
		}
		if err := s.store.PageDelivered(ctx, n, created.Id); err != nil {
			s.mm.LogError("Could not mark a page delivered; a later tick finds its post", "page_id", p.ID, "err", err.Error())
		}
	}
}

// pagePostIn finds the direct message of a step already sent to someone.
func (s *Service) pagePostIn(dm, pageID string, n PageNotification) (string, bool) {
	posts, err := s.mm.PostsSince(dm, n.At-1)
	if err != nil {
		return "", false
	}
	for _, post := range posts {
		if post.GetProp(PagePostProp) == pageID && fmt.Sprint(post.GetProp(PageStepProp)) == fmt.Sprint(n.Step) && post.DeleteAt == 0 {
			return post.Id, true
		}
	}
	return "", false
}

func (s *Service) withPageActions(post *model.Post, p *Page) {
	if p.Status != PageOpen {
		post.DelProp(model.PostPropsAttachments)
		return
	}
	post.AddProp(model.PostPropsAttachments, []*model.SlackAttachment{{Actions: []*model.PostAction{{
		Id: ActionAck, Name: "Acknowledge", Type: model.PostActionTypeButton, Style: "primary",
		Integration: &model.PostActionIntegration{URL: PluginPath + ActionPath(ActionAck), Context: map[string]any{ContextPage: p.ID}},
	}}}})
}

// pageMessage is a page's direct message for one person: it mentions them (Mattermost
// pushes a mention), and shows the message, the workflow's channel and where the page
// stands. A private workflow's page to someone who was not in it says only that.
func (s *Service) pageMessage(p *Page, w *Workflow, userID string, invited bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "📟 %s, you are paged", s.mention(userID))
	if p.RotationID != "" {
		fmt.Fprintf(&b, " as on call for **%s**", Inline(strings.TrimPrefix(p.Target, rotationTargetPrefix)))
	}
	fmt.Fprintf(&b, " by %s.\n", s.mention(p.CreatedBy))
	if w != nil && w.Private && invited {
		b.WriteString("You are paged into a **private workflow** and have been added to its channel: look for it in your channel list.\n")
	} else {
		b.WriteString(Quoted(p.Message) + "\n")
		if w != nil {
			fmt.Fprintf(&b, "Workflow: ~%s\n", w.ChannelName)
		}
	}
	b.WriteString(s.pageStatus(p))
	fmt.Fprintf(&b, "\nAcknowledge with the button or `/%s ack`.", s.settings().CommandTrigger)
	return b.String()
}

// pageStatus is where a page stands, for everyone it reached to see.
func (s *Service) pageStatus(p *Page) string {
	var b strings.Builder
	if p.Status == PageAcknowledged {
		fmt.Fprintf(&b, "✅ **Acknowledged** by %s at %s.\n", s.mention(p.AcknowledgedBy), time.UnixMilli(p.AcknowledgedAt).UTC().Format("15:04 MST"))
	} else if p.NextStepAt > 0 && p.Step+1 < len(p.Plan) {
		fmt.Fprintf(&b, "⏳ Not acknowledged: goes to %s in %s.\n", s.mentions(p.Plan[p.Step+1]), humanDuration(p.EscalateAfter))
	}
	var reached []string
	for _, n := range p.Notified {
		reached = append(reached, fmt.Sprintf("%s %s", s.mention(n.UserID), time.UnixMilli(n.At).UTC().Format("15:04:05 MST")))
	}
	if len(reached) > 1 {
		fmt.Fprintf(&b, "Paged so far: %s\n", strings.Join(reached, " · "))
	}
	return b.String()
}

// refreshPagePosts redraws the direct messages a page sent before, but not those of
// `except` (just sent), so everyone paged sees where it stands.
func (s *Service) refreshPagePosts(ctx context.Context, p *Page, except []PageNotification) {
	var w *Workflow
	if p.WorkflowID != "" {
		w, _ = s.store.GetWorkflow(ctx, p.WorkflowID)
	}
	for _, n := range p.Notified {
		if n.PostID == "" || slices.ContainsFunc(except, func(e PageNotification) bool { return e.Step == n.Step && e.UserID == n.UserID }) {
			continue
		}
		if updated, err := s.drawPagePost(p, w, n); err == nil {
			if err := s.mm.UpdatePost(updated); err != nil {
				s.mm.LogError("Could not update a page's direct message", "page_id", p.ID, "err", err.Error())
			}
		}
	}
}

func (s *Service) drawPagePost(p *Page, w *Workflow, n PageNotification) (*model.Post, error) {
	old, err := s.mm.GetPost(n.PostID)
	if err != nil {
		return nil, err
	}
	updated := old.Clone()
	// A private workflow's page keeps saying no more than it said.
	invited := w != nil && w.Private && strings.Contains(old.Message, "private workflow")
	updated.Message = s.fit(s.pageMessage(p, w, n.UserID, invited), shortenLong)[0]
	s.withPageActions(updated, p)
	return updated, nil
}

// Acknowledge acknowledges a page: whoever it reached, the members of its rotation,
// and team admins may.
func (s *Service) Acknowledge(ctx context.Context, actorID, pageID string) (*Page, error) {
	p, err := s.pageFor(ctx, actorID, pageID)
	if err != nil {
		return nil, err
	}
	if p.Status != PageOpen {
		return p, conflict("Already acknowledged by %s.", s.mention(p.AcknowledgedBy))
	}
	now := time.Now().UnixMilli()
	ev := p.event(EventPageAcknowledged, actorID, fmt.Sprintf("%s acknowledged the page (%s after it was sent)", s.mention(actorID), humanDuration(time.Duration(now-p.CreatedAt)*time.Millisecond)))
	ok, err := s.store.AcknowledgePage(ctx, p.ID, actorID, now, ev)
	if err != nil {
		return nil, err
	}
	if p, err = s.store.GetPage(ctx, p.ID); err != nil {
		return nil, err
	}
	if !ok {
		return p, conflict("Already acknowledged by %s.", s.mention(p.AcknowledgedBy))
	}
	s.work.Go("show a page acknowledged", func() error {
		s.refreshPagePosts(context.Background(), p, nil)
		s.publishPageEvent(context.Background(), p)
		return nil
	})
	if p.CreatedBy != actorID && p.CreatedBy != s.mm.BotID() {
		if dm, err := s.mm.DirectChannel(p.CreatedBy); err == nil {
			_, _ = s.send(&model.Post{ChannelId: dm, Message: fmt.Sprintf("✅ %s acknowledged your page to %s: %s", s.mention(actorID), p.Target, Inline(truncateRunes(p.Message, 200)))}, shortenLong)
		}
	}
	return p, nil
}

// AcknowledgeLatest acknowledges the newest open page that reached the actor or, in
// a workflow's channel, the workflow's newest open page (`/devops ack`).
func (s *Service) AcknowledgeLatest(ctx context.Context, actorID, channelID string) (*Page, error) {
	pages, err := s.store.OpenPagesFor(ctx, actorID, 1)
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 && channelID != "" {
		if w, err := s.store.GetWorkflowByChannel(ctx, channelID); err == nil && s.mm.IsChannelMember(channelID, actorID) {
			if pages, err = s.store.OpenPagesOfWorkflow(ctx, w.ID); err != nil {
				return nil, err
			}
		}
	}
	if len(pages) == 0 {
		return nil, notFound("No open page for you to acknowledge.")
	}
	return s.Acknowledge(ctx, actorID, pages[0].ID)
}

// GetPage reads a page the actor may read (see pageFor).
func (s *Service) GetPage(ctx context.Context, actorID, pageID string) (*Page, error) {
	return s.pageFor(ctx, actorID, pageID)
}

// pageFor reads a page for someone it concerns: its sender, whoever it reached, its
// rotation's members and team admins. A page of a private workflow the reader cannot
// read comes without its message and workflow.
func (s *Service) pageFor(ctx context.Context, actorID, pageID string) (*Page, error) {
	if !model.IsValidId(pageID) {
		return nil, notFound("No such page.")
	}
	p, err := s.store.GetPage(ctx, pageID)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("No such page.")
	}
	if err != nil {
		return nil, err
	}
	concerned := p.CreatedBy == actorID || slices.ContainsFunc(p.Plan, func(step []string) bool { return slices.Contains(step, actorID) })
	if !concerned && p.RotationID != "" {
		if r, err := s.store.GetRotation(ctx, p.RotationID); err == nil && slices.Contains(r.MemberIDs, actorID) {
			concerned = true
		}
	}
	if !concerned && (!s.mm.IsTeamMember(p.TeamID, actorID) || s.mayManageRotations(actorID, p.TeamID) != nil) {
		return nil, notFound("No such page.")
	}
	s.withholdUnreadable(ctx, actorID, p)
	return p, nil
}

// withholdUnreadable blanks a page's message and workflow when it is linked to a
// workflow the reader cannot read, and marks it Private.
func (s *Service) withholdUnreadable(ctx context.Context, actorID string, p *Page) {
	if p.WorkflowID == "" {
		return
	}
	if _, err := s.Get(ctx, actorID, p.WorkflowID); err != nil {
		p.Private, p.Message, p.WorkflowID = true, "", ""
	}
}

// pageIncident pages the rotation a workflow's template names for its severity
// (`page`: severity → rotation name, or discipline:<name> for the team's rotation of
// that discipline), as the bot. No such rotation in the team: nobody is paged.
func (s *Service) pageIncident(ctx context.Context, w *Workflow, tmpl *Template) {
	r, err := s.pagedRotation(ctx, w.TeamID, tmpl, w.Severity)
	if r == nil && err == nil {
		return
	}
	if err != nil {
		if _, refused := AsError(err); !refused {
			s.mm.LogError("Could not find the rotation to page for a workflow", "workflow_id", w.ID, "err", err.Error())
		}
		return
	}
	msg := fmt.Sprintf("%s %s: %s", strings.ToUpper(w.Severity), strings.ToLower(tmpl.Name), w.Title)
	if _, err := s.page(ctx, s.mm.BotID(), PageRequest{TeamID: w.TeamID, Target: rotationTargetPrefix + r.Name, Message: msg}, w); err != nil {
		s.mm.LogError("Could not page for a workflow", "workflow_id", w.ID, "err", err.Error())
	}
}

// pageAfterAnswer pages the rotation w's template names for its severity after the
// answer, like the invites: the paged person joins the channel (pageIncident).
func (s *Service) pageAfterAnswer(ctx context.Context, w *Workflow, tmpl *Template) {
	paged := *w
	s.work.Go("page for a workflow's severity", func() error {
		s.pageIncident(context.WithoutCancel(ctx), &paged, tmpl)
		return nil
	})
}

// pagedRotation is the rotation a template pages at a severity (`page`: a rotation's
// name, or discipline:<name> for the team's rotation of that discipline); nil and no
// error when the template pages nobody at that severity. A rotation the team lacks is
// a KindNotFound refusal.
func (s *Service) pagedRotation(ctx context.Context, teamID string, tmpl *Template, severity string) (*Rotation, error) {
	target := tmpl.Page[severity]
	if target == "" || severity == "" {
		return nil, nil
	}
	if d, ok := strings.CutPrefix(target, "discipline:"); ok {
		return s.RotationForDiscipline(ctx, teamID, Discipline(d))
	}
	return s.rotationByName(ctx, teamID, target)
}

// PressAcknowledge is the Acknowledge button: it acknowledges the page and returns the
// pressed direct message redrawn (without the button, with who acknowledged), also
// when someone else acknowledged first (then with the refusal saying who).
func (s *Service) PressAcknowledge(ctx context.Context, actorID, pageID, postID string) (*model.Post, error) {
	p, err := s.Acknowledge(ctx, actorID, pageID)
	if p == nil {
		return nil, err
	}
	for _, n := range p.Notified {
		if n.PostID != postID || postID == "" {
			continue
		}
		var w *Workflow
		if p.WorkflowID != "" {
			w, _ = s.store.GetWorkflow(ctx, p.WorkflowID)
		}
		if updated, derr := s.drawPagePost(p, w, n); derr == nil {
			return updated, err
		}
	}
	return nil, err
}
