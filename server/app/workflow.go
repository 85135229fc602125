package app

import (
	"context"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// Workflow statuses.
const (
	StatusActive = "active"
	StatusClosed = "closed"
)

// Workflow is one piece of DevOps work with its own channel.
type Workflow struct {
	ID             string            `json:"id"`
	TeamID         string            `json:"team_id"`
	ChannelID      string            `json:"channel_id"`
	ChannelName    string            `json:"channel_name"`
	Type           string            `json:"type"`
	Seq            int               `json:"seq"`
	Title          string            `json:"title"`
	Severity       string            `json:"severity"`
	Stage          string            `json:"stage"`
	Status         string            `json:"status"`
	Private        bool              `json:"private"`
	LeadID         string            `json:"lead_id"`
	CreatedBy      string            `json:"created_by"`
	Roles          map[string]string `json:"roles"`
	Signoffs       []Signoff         `json:"signoffs"`
	CreatedAt      int64             `json:"created_at"`
	UpdatedAt      int64             `json:"updated_at"`
	ClosedAt       int64             `json:"closed_at"`
	StageEnteredAt int64             `json:"stage_entered_at"`
	Summary        string            `json:"summary"`
	LastStatus     *StatusUpdate     `json:"last_status"`
	NextReminderAt int64             `json:"next_reminder_at"`
	FirstStatusAt  int64             `json:"first_status_at"`
	// TemplateVersion is the version of its type's template the workflow started
	// from and keeps running on (see Service.templateOf).
	TemplateVersion string `json:"template_version"`
	// Fields are the custom fields set, by key: the value as stored (see FieldValue).
	Fields map[string]string `json:"fields"`

	// NewTasks are created with the workflow or the update that sets them.
	NewTasks []*Task `json:"-"`
	// FieldsChanged asks the update that sets it to save Fields.
	FieldsChanged bool `json:"-"`
	// VoidedSignoffs are deleted by the update that sets them (going back before a gate).
	VoidedSignoffs []Signoff `json:"-"`
	// Viewer is what the reading user is to this workflow, when the store read it for one.
	Viewer *Viewer `json:"-"`
	// LeadUsername is read with brief listings (ListFilter.Brief), which name the lead.
	LeadUsername string `json:"-"`
	// ChannelDisplayName and ViewerInChannel are read with brief listings too: a
	// listing links each workflow by its channel, and a client can only show a link
	// for a channel it knows, which is one its user is in unless the answer names it.
	ChannelDisplayName string `json:"-"`
	ViewerInChannel    bool   `json:"-"`
}

// Reminder is a status reminder claimed by a scheduler tick, kept until its post is
// known to exist: the post carries ReminderPostProp = ID, so a tick that finds it
// pending after a crash can tell whether it was posted.
type Reminder struct {
	ID         string
	WorkflowID string
	ChannelID  string
	Message    string
	ClaimedAt  int64
}

// Viewer is what a user is to a workflow, read with it in one query.
type Viewer struct {
	ID            string     `json:"-"`
	ChannelMember bool       `json:"channel_member"`
	TeamMember    bool       `json:"team_member"`
	Username      string     `json:"username"`
	Discipline    Discipline `json:"discipline"` // in force: mapped, granted or declared
	// DisciplineSource is where Discipline comes from; "" when there is none.
	DisciplineSource DisciplineSource `json:"discipline_source"`
	// Timezone is the viewer's Mattermost time zone, read with the workflow so that
	// showing its times in the reader's zone costs no server call.
	Timezone map[string]string `json:"timezone"`
}

// Member is a person in a workflow's channel: the user (id, names, time zone) and
// their discipline in force.
type Member struct {
	User       *model.User
	Discipline UserDiscipline
}

// StatusUpdate is the latest status a member posted.
type StatusUpdate struct {
	Text   string `json:"text"`
	UserID string `json:"user_id"`
	At     int64  `json:"at"`
}

// Task is one checklist item of a workflow.
type Task struct {
	ID         string     `json:"id"`
	Number     int        `json:"number"`
	Text       string     `json:"text"`
	Stage      string     `json:"stage"`
	Discipline Discipline `json:"discipline"`
	// AssigneeID is the first of AssigneeIDs ("" when none): what readers of a task
	// with one assignee read, kept so that they still work.
	AssigneeID string `json:"assignee_id"`
	// AssigneeIDs are everyone the task is assigned to, in the order given.
	AssigneeIDs []string `json:"assignee_ids"`
	DueAt       int64    `json:"due_at"`
	Done        bool     `json:"done"`
	DoneBy      string   `json:"done_by"`
	DoneAt      int64    `json:"done_at"`
	CreatedBy   string   `json:"created_by"`
	CreatedAt   int64    `json:"created_at"`
	// Followup marks a task that outlives the workflow's close (follow-up.go).
	Followup bool `json:"followup"`
	// FromChecklist marks a task made from the template's checklist for its stage.
	FromChecklist bool `json:"-"`
}

// Assignees are the task's assignees; a task read from a row or client that knows
// only AssigneeID has that one.
func (t *Task) Assignees() []string {
	if len(t.AssigneeIDs) == 0 && t.AssigneeID != "" {
		return []string{t.AssigneeID}
	}
	return t.AssigneeIDs
}

// SetAssignees sets the task's assignees (duplicates dropped, order kept) and
// AssigneeID with them.
func (t *Task) SetAssignees(ids []string) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	t.AssigneeIDs, t.AssigneeID = out, ""
	if len(out) > 0 {
		t.AssigneeID = out[0]
	}
}

// IsAssignee reports whether the task is assigned to userID.
func (t *Task) IsAssignee(userID string) bool {
	return slices.Contains(t.Assignees(), userID)
}

// Signoff is a discipline's approval to enter a gated stage.
type Signoff struct {
	Stage      string     `json:"stage"`
	Discipline Discipline `json:"discipline"`
	UserID     string     `json:"user_id"`
	Note       string     `json:"note"`
	At         int64      `json:"at"`
	// Source is where the signer's discipline came from; "" before sources were kept.
	Source DisciplineSource `json:"source"`
}

// TimelineEvent is one thing that happened to a workflow.
type TimelineEvent struct {
	ID         string `json:"id"`
	WorkflowID string `json:"-"`
	Type       string `json:"type"`
	At         int64  `json:"at"`
	ActorID    string `json:"actor_id"`
	Summary    string `json:"summary"`
	PostID     string `json:"post_id"`
	// Data carries what a summary says in words, for computing (e.g. the stage entered).
	Data map[string]string `json:"data,omitempty"`
}

// Timeline event types.
const (
	EventCreated         = "created"
	EventStageChanged    = "stage_changed"
	EventSignoff         = "signoff"
	EventSignoffsVoided  = "signoffs_voided"
	EventRoleAssigned    = "role_assigned"
	EventClosed          = "closed"
	EventReopened        = "reopened"
	EventStatusUpdate    = "status_update"
	EventTaskAdded       = "task_added"
	EventTaskDone        = "task_done"
	EventTaskReopened    = "task_reopened"
	EventTaskAssigned    = "task_assigned"
	EventSeverityChanged = "severity_changed"
	EventHandoff         = "handoff"
	EventPinned          = "pinned"
	EventReminder        = "reminder"
	// EventChannelChanged: Mattermost changed the channel (privacy, archive, restore,
	// a move to another team); Data["change"] says which.
	EventChannelChanged = "channel_changed"
	// EventFieldChanged: a custom field set or cleared; Data["field"] is its key,
	// Data["value"] the value as stored ("" when cleared).
	EventFieldChanged = "field_changed"
	// EventGateCheck: a pipeline asked whether a stage's gate lets it deploy (gatecheck.go).
	EventGateCheck = "gate_check"
)

// eventLabels are what people read for each event type: ids such as stage_changed
// stay in the API and the database. A test checks every Event constant has one.
var eventLabels = map[string]string{
	EventCreated: "Started", EventStageChanged: "Stage changed", EventSignoff: "Sign-off",
	EventSignoffsVoided: "Sign-offs voided", EventRoleAssigned: "Role given", EventClosed: "Closed",
	EventReopened: "Reopened", EventStatusUpdate: "Status update", EventTaskAdded: "Task added",
	EventTaskDone: "Task done", EventTaskReopened: "Task reopened", EventTaskAssigned: "Task assigned",
	EventSeverityChanged: "Severity changed", EventHandoff: "Handoff", EventPinned: "Pinned",
	EventReminder: "Reminder", EventChannelChanged: "Channel changed", EventTaskDue: "Task due",
	EventDeploy: "Deploy", EventBuild: "Build", EventTest: "Test run",
	EventFieldChanged: "Field changed",
	EventAlert:        "Alert", EventAlertResolved: "Alert resolved", EventGateCheck: "Gate check",
	EventPage: "Paged", EventPageAcknowledged: "Page acknowledged", EventPageEscalated: "Page escalated",
}

// EventLabel is an event type as people read it ("Stage changed").
func EventLabel(eventType string) string {
	if label, ok := eventLabels[eventType]; ok {
		return label
	}
	label := strings.ReplaceAll(eventType, "_", " ")
	if label == "" {
		return "Event"
	}
	return strings.ToUpper(label[:1]) + label[1:]
}

// hasSignoff reports whether discipline d signed off stage.
func (w *Workflow) hasSignoff(stage string, d Discipline) bool {
	for _, s := range w.Signoffs {
		if s.Stage == stage && s.Discipline == d {
			return true
		}
	}
	return false
}

// ListFilter selects workflows for a list page.
type ListFilter struct {
	TeamID   string
	ViewerID string // private workflows are listed only to their channel's members
	// ReadsPublic: Mattermost lets the viewer read the team's public channels they are
	// not in (not so for guests); without it only their own channels' workflows show.
	ReadsPublic bool
	Type        string
	Status      string // active, closed or "" for both
	ChannelID   string
	Mine        bool // only workflows whose channel the viewer is in
	Query       string
	Cursor      string
	PerPage     int
	// Outdated keeps only the workflows whose template version is none of
	// CurrentVersions: they run on a template their type no longer has.
	Outdated        bool
	CurrentVersions []string
	// Fields keeps the workflows whose custom fields hold these values: key and value
	// as people give them to Service.List, which reads each as its field does (a
	// user's id for a username) before the store sees them.
	Fields map[string]string
	// Brief fills in only what a one-line listing shows: id, team, channel (with its
	// display name and whether the viewer is in it), type, seq, title, severity,
	// stage, status, private, lead and created_at.
	Brief bool
}

// Reservation is how a start is reserved (Store.ReserveWorkflow).
type Reservation struct {
	// Name names the channel once the sequence number is known: the name, and the
	// alternative for when a channel of the team already has it.
	Name func(seq int) (name, alternative string)
	// Guard sees the newest Candidates active or starting workflows of the type that
	// the starter can see, every one reserved before this start included; its error
	// undoes the reservation and the sequence number.
	Guard      func(active []*Workflow) error
	Candidates int
	// Template is the template the workflow starts from, recorded under the
	// workflow's TemplateVersion if that version is not on record yet.
	Template *Template
}

// Store is what the service needs from storage. The sqlstore implements it on
// PostgreSQL; the service never sees SQL.
type Store interface {
	OnCallStore
	// ReserveWorkflow allocates w.Seq and records a start before its channel exists,
	// once the reservation's guard accepts it, one start of a type and team at a time;
	// ActivateWorkflow completes it; DropReservation abandons it; StaleReservations
	// finds the ones a crashed node left behind.
	// ReserveWorkflow also settles w.ChannelName: the alternative when the name is taken.
	ReserveWorkflow(ctx context.Context, w *Workflow, r Reservation) error
	// ActivateWorkflow also records whom the plan invites, still to be added, and
	// answers them with who was left out.
	ActivateWorkflow(ctx context.Context, w *Workflow, events []TimelineEvent, plan InvitePlan) (Invitation, error)
	// InvitesAdded forgets invites that are done.
	InvitesAdded(ctx context.Context, workflowID string, userIDs []string) error
	// ClaimStaleInvites takes invites claimed before `before` (their start's node died)
	// for the caller, as claimed at now.
	ClaimStaleInvites(ctx context.Context, before, now int64, limit int) ([]PendingInvite, error)
	DropReservation(ctx context.Context, id string) error
	// DeleteWorkflow removes a workflow and all recorded for it: a start undone
	// after it was recorded.
	DeleteWorkflow(ctx context.Context, id string) error
	StaleReservations(ctx context.Context, before int64) ([]*Workflow, error)
	// StartersNeverJoined finds workflows created in [from, to) whose starter never
	// joined their channel: a node died between recording and adding them.
	StartersNeverJoined(ctx context.Context, from, to int64) ([]*Workflow, error)
	GetWorkflow(ctx context.Context, id string) (*Workflow, error)
	GetWorkflowByChannel(ctx context.Context, channelID string) (*Workflow, error)
	// GetWorkflowFor reads a workflow by "id" or "channel" with its Viewer filled in.
	GetWorkflowFor(ctx context.Context, by, key, viewerID string) (*Workflow, error)
	// ListWorkflows returns ErrNotTeamMember when the viewer is not in the team.
	ListWorkflows(ctx context.Context, f ListFilter) (items []*Workflow, nextCursor string, err error)
	// StartFacts returns the starter's facts in the team (channel fields false) and the
	// newest active workflows of the type they can see, with only id, channel name and
	// title filled in (the duplicate guard's input), in one round trip.
	StartFacts(ctx context.Context, teamID, typ, actorID string, readsPublic bool, titles int) (*Viewer, []*Workflow, error)
	// ActiveCounts counts the active workflows per type whose channel the user is in.
	ActiveCounts(ctx context.Context, teamID, userID string) (map[string]int, error)
	// UpdateWorkflow lets fn change the workflow and name the events to record, and
	// saves both atomically unless the workflow changed meanwhile; then fn runs again
	// on the new state, so fn changes only w and its own results. fn holds no
	// database connection: it may ask Mattermost. fn's error aborts and changes nothing.
	UpdateWorkflow(ctx context.Context, id string, fn func(w *Workflow) ([]TimelineEvent, error)) (*Workflow, error)
	// UpdateWorkflowAs is UpdateWorkflow with fn's workflow read together with its
	// Viewer for viewerID (as GetWorkflowFor), in the same round trip.
	UpdateWorkflowAs(ctx context.Context, id, viewerID string, fn func(w *Workflow) ([]TimelineEvent, error)) (*Workflow, error)
	AddTimelineEvent(ctx context.Context, ev TimelineEvent) error
	ListTimeline(ctx context.Context, workflowID string, cursor string, limit int, newestFirst bool) ([]TimelineEvent, string, error)
	ListTasks(ctx context.Context, workflowID string) ([]*Task, error)
	// UpdateTask lets fn change the task and name the events, and saves both
	// atomically, on the terms of UpdateWorkflow.
	UpdateTask(ctx context.Context, workflowID string, number int, fn func(w *Workflow, t *Task) ([]TimelineEvent, error)) (*Workflow, *Task, error)
	// UpdateTaskAs is UpdateTask with the workflow's Viewer for viewerID, as
	// UpdateWorkflowAs; fn sees a nil task when there is none (and the store refuses
	// it after fn), so fn judges the viewer before a missing task is told.
	UpdateTaskAs(ctx context.Context, workflowID, viewerID string, number int, fn func(w *Workflow, t *Task) ([]TimelineEvent, error)) (*Workflow, *Task, error)
	DueReminders(ctx context.Context, now int64, limit int) ([]*Workflow, error)
	// ClaimReminder moves a workflow's reminder on and records r and ev with it, or
	// reports false when the reminder was moved by someone else first.
	ClaimReminder(ctx context.Context, expected, next int64, r Reminder, ev TimelineEvent) (bool, error)
	// PendingReminders are claimed reminders not yet known to be posted.
	PendingReminders(ctx context.Context, before int64, limit int) ([]Reminder, error)
	ReminderPosted(ctx context.Context, id string) error
	ClosedBefore(ctx context.Context, before int64, limit int) ([]*Workflow, error)
	MarkArchived(ctx context.Context, id string, at int64) (bool, error)
	Stats(ctx context.Context, f StatsFilter) ([]TypeStats, error)
	// CloseTimes counts the workflows closed per type and week with their median
	// time to close (see CloseTimesFilter).
	CloseTimes(ctx context.Context, f CloseTimesFilter) ([]CloseTimeBucket, error)
	// SetDiscipline records a self-declared discipline.
	SetDiscipline(ctx context.Context, userID string, d Discipline) error
	// DisciplineOf is a user's discipline in force: mapped, granted, then declared.
	DisciplineOf(ctx context.Context, userID string) (UserDiscipline, error)
	// ChannelPeople are a channel's active members who are people (no bots), each with
	// their discipline in force, in one round trip.
	ChannelPeople(ctx context.Context, channelID string) ([]Member, error)
	// DisciplinesOf is DisciplineOf for several users at once.
	DisciplinesOf(ctx context.Context, userIDs []string) (map[string]UserDiscipline, error)
	// VerifiedHolders lists the usernames of up to limit active team members other
	// than except whose discipline d is verified, the channel's members first.
	VerifiedHolders(ctx context.Context, d Discipline, teamID, channelID, except string, limit int) ([]string, error)
	// GrantDiscipline records a grant unless the user holds one already; then it
	// reports false and the grant they hold.
	GrantDiscipline(ctx context.Context, userID string, d Discipline, grantedBy string, at int64) (UserDiscipline, bool, error)
	// GetGrant is a user's grant (source none when they hold none).
	GetGrant(ctx context.Context, userID string) (UserDiscipline, error)
	// RevokeGrant removes a user's grant of d; false when they hold no such grant.
	RevokeGrant(ctx context.Context, userID string, d Discipline) (bool, error)
	// SyncDisciplineBindings binds the mapping's names to people (see migration 7).
	SyncDisciplineBindings(ctx context.Context, mapping map[string]Discipline, at int64) error
	// UnknownUsernames lists the names neither bound nor held by an active user.
	UnknownUsernames(ctx context.Context, names []string) ([]string, error)
	// ClaimWebhookSignature records an accepted webhook signature until expiresAt; false
	// means it is already on record (a replay). It also prunes expired ones.
	ClaimWebhookSignature(ctx context.Context, signature string, expiresAt int64) (bool, error)
	ActiveWorkflowsByTitle(ctx context.Context, m TitleMatch) ([]*Workflow, error)
	// TemplateVersion reads a recorded template version; ErrNotFound when none.
	TemplateVersion(ctx context.Context, version string) (*TemplateVersion, error)
	// PinUnversioned records the templates' versions and pins every workflow that
	// has no version yet to its type's template among them, returning how many.
	PinUnversioned(ctx context.Context, templates []*Template, at int64) (int, error)
	ScheduleStore
	FollowupStore

	// ClaimAlertGroup decides what a delivery of an alert group does (see AlertClaim),
	// exactly once across concurrent deliveries and nodes.
	ClaimAlertGroup(ctx context.Context, r AlertClaimRequest) (AlertClaim, error)
	// SettleAlertGroup records the incident of a claim's group (and of the storm, when
	// the claim opened it) with the alerts already shown; counted false un-counts the
	// claim's open for the storm cap.
	SettleAlertGroup(ctx context.Context, teamID, groupKey, claim, workflowID string, counted bool, seen []SeenAlert) error
	// ReleaseAlertGroup gives up a claim whose incident could not be opened.
	ReleaseAlertGroup(ctx context.Context, teamID, groupKey, claim string) error
	// AlertGroupIncident is a group's active incident and whether it is the storm;
	// ErrNotFound when it has none.
	AlertGroupIncident(ctx context.Context, teamID, groupKey string) (*Workflow, bool, error)
	// SeeAlerts records alert states as shown in an incident, returning the new ones.
	SeeAlerts(ctx context.Context, workflowID string, alerts []SeenAlert) ([]SeenAlert, error)
	// LatestEvent is a workflow's newest timeline event of a type; ErrNotFound when none.
	LatestEvent(ctx context.Context, workflowID, eventType string) (*TimelineEvent, error)

	// The service catalog. AddService returns ErrDuplicate for a name the team has.
	AddService(ctx context.Context, svc *CatalogService) error
	UpdateService(ctx context.Context, svc *CatalogService) error
	DeleteService(ctx context.Context, id string) error
	GetService(ctx context.Context, id string) (*CatalogService, error)
	ServiceByName(ctx context.Context, teamID, name string) (*CatalogService, error)
	ListServices(ctx context.Context, teamID string) ([]*CatalogService, error)
	// ServicesNamed finds a service's entries in every team, newest first.
	ServicesNamed(ctx context.Context, name string) ([]*CatalogService, error)

	// The personal inbox (inbox.go).
	// InboxFacts reads, in one round trip, the person's facts in the team, their open
	// assigned tasks in active workflows they may read (due first, soonest first), the
	// active workflows of their channels gated on their discipline, and those they lead.
	InboxFacts(ctx context.Context, q InboxQuery) (*InboxFacts, error)
	// DueTasks lists assigned open tasks of active workflows whose due time passed and
	// that are not reminded yet, oldest due first.
	DueTasks(ctx context.Context, now int64, limit int) ([]DueTask, error)
	// ClaimDueReminder marks a task reminded if it is still open, due at dueAt and not
	// reminded, recording dms and ev with it; false when it was not (claimed elsewhere).
	ClaimDueReminder(ctx context.Context, taskID string, dueAt, at int64, dms []PendingDM, ev TimelineEvent) (bool, error)
	// PendingDMs are claimed direct messages not yet known to be sent, claimed before before.
	PendingDMs(ctx context.Context, before int64, limit int) ([]PendingDM, error)
	DMSent(ctx context.Context, id string) error
	// DigestCandidates are the people (per team) something may wait for whose digest is
	// not off, with their latest digest's local date claimed since since.
	DigestCandidates(ctx context.Context, since int64) ([]DigestCandidate, error)
	// ClaimDigest records the person's digest of localDate (and dm, to send, if any);
	// false when that day's is claimed already.
	ClaimDigest(ctx context.Context, userID, localDate string, at int64, dm *PendingDM) (bool, error)
	SetDigest(ctx context.Context, userID string, on bool, at int64) error
	DigestOn(ctx context.Context, userID string) (bool, error)
}
