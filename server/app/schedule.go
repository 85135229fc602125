package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // schedules name IANA zones; a server without zoneinfo files still knows them

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Schedule starts a workflow of a type on a cadence, led by its owner.
type Schedule struct {
	ID     string `json:"id"`
	TeamID string `json:"team_id"`
	Type   string `json:"type"`
	// Title is the pattern each occurrence's title is made from: {n}, {date}, {version}.
	Title    string `json:"title"`
	Every    string `json:"every"`
	StartAt  int64  `json:"start_at"`
	Timezone string `json:"timezone"`
	OwnerID  string `json:"owner_id"`
	Severity string `json:"severity"`
	// VersionBump is what {version} increments from the last release's: patch or minor.
	VersionBump string `json:"version_bump"`
	// CarryOver copies the previous occurrence's open tasks into the next one.
	CarryOver bool  `json:"carry_over"`
	Paused    bool  `json:"paused"`
	NextAt    int64 `json:"next_at"`
	// NextIndex is which period of the cadence NextAt is, counted from StartAt (0).
	NextIndex int `json:"-"`
	// Started counts the occurrences claimed so far: the last one's {n}.
	Started   int    `json:"started"`
	CreatedBy string `json:"created_by"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

// Occurrence is one start of a schedule, claimed by a tick. Its workflow's id is
// chosen when it is claimed, so however often the start is retried it makes at most
// that one workflow.
type Occurrence struct {
	ScheduleID string `json:"schedule_id"`
	N          int    `json:"n"`
	WorkflowID string `json:"workflow_id"`
	Title      string `json:"title"`
	DueAt      int64  `json:"due_at"`
	ClaimedAt  int64  `json:"claimed_at"`
}

// ScheduleStore is what schedules need from storage.
type ScheduleStore interface {
	CreateSchedule(ctx context.Context, sc *Schedule) error
	GetSchedule(ctx context.Context, id string) (*Schedule, error)
	ListSchedules(ctx context.Context, teamID string) ([]*Schedule, error)
	// UpdateSchedule saves sc's settings unless the schedule changed since expectedUpdatedAt.
	UpdateSchedule(ctx context.Context, sc *Schedule, expectedUpdatedAt int64) (bool, error)
	DeleteSchedule(ctx context.Context, id string) error
	DueSchedules(ctx context.Context, now int64, limit int) ([]*Schedule, error)
	// ClaimOccurrence moves the schedule's next occurrence from sc.NextAt to nextAt
	// (period nextIndex) and records occ, atomically, unless another tick, a pause or
	// an edit moved it first: then it reports false and records nothing.
	ClaimOccurrence(ctx context.Context, sc *Schedule, nextAt int64, nextIndex int, occ Occurrence) (bool, error)
	// PendingOccurrences are claimed before `before` and neither started nor given up.
	PendingOccurrences(ctx context.Context, before int64, limit int) ([]Occurrence, error)
	// OccurrenceDone records that an occurrence started (failure empty) or will not.
	OccurrenceDone(ctx context.Context, scheduleID string, n int, at int64, failure string) error
	// PreviousOccurrence is the workflow id of occurrence n-1 ("" when none).
	PreviousOccurrence(ctx context.Context, scheduleID string, n int) (string, error)
	// LastVersion is the version in the title of the team's newest release that has one.
	LastVersion(ctx context.Context, teamID string) (string, error)
}

// ScheduleRequest creates or changes a schedule. On a change, empty fields (nil for
// the flags) are left as they are.
type ScheduleRequest struct {
	TeamID      string `json:"team_id"`
	Type        string `json:"type"`
	Title       string `json:"title"`
	Every       string `json:"every"`
	StartAt     int64  `json:"start_at"`
	Timezone    string `json:"timezone"`
	Severity    string `json:"severity"`
	VersionBump string `json:"version_bump"`
	CarryOver   *bool  `json:"carry_over"`
	Paused      *bool  `json:"paused"`
}

// Version bumps.
const (
	BumpPatch = "patch"
	BumpMinor = "minor"
)

// schedulesPerTick bounds one tick's starts; the rest wait for the next tick.
const schedulesPerTick = 20

// occurrenceRetryAfter is how long a claimed occurrence may stay unstarted before a
// tick takes its node for dead and finishes the start: far longer than a start takes.
const occurrenceRetryAfter = 30 * time.Second

// occurrenceGiveUpAfter: an occurrence that could not be started for this long is
// dropped and its owner told; the next one is on its way.
const occurrenceGiveUpAfter = time.Hour

// lateAfter is how late an occurrence may start before its first post says so: a
// tick comes at least every minute, so anything later was missed (the server was down).
const lateAfter = 2 * time.Minute

// cadence is a schedule's every: a number of days, or a day of the month.
type cadence struct {
	days     int
	monthDay int
}

// everyForms is what `every` may be, for refusals.
const everyForms = "`1d`, `1w`, `2w`, `4w` or `monthly:<day>` (1–31; a short month uses its last day)"

func parseEvery(s string) (cadence, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "1d", "daily":
		return cadence{days: 1}, nil
	case "1w", "weekly":
		return cadence{days: 7}, nil
	case "2w":
		return cadence{days: 14}, nil
	case "4w":
		return cadence{days: 28}, nil
	}
	if day, ok := strings.CutPrefix(v, "monthly:"); ok {
		if d, err := strconv.Atoi(day); err == nil && d >= 1 && d <= 31 {
			return cadence{monthDay: d}, nil
		}
	}
	return cadence{}, invalid("every: %q is not a cadence; use %s.", s, everyForms)
}

// at is period k of the cadence anchored at start (in the schedule's zone): the same
// wall-clock time k days or weeks on, or on the month day k months on. Counting from
// the anchor, never from the previous occurrence, keeps the clock time through
// daylight saving and a 31st through short months.
func (c cadence) at(start time.Time, k int) time.Time {
	if c.days > 0 {
		return start.AddDate(0, 0, k*c.days)
	}
	y, m, _ := start.Date()
	first := monthDay(y, m, c.monthDay, start)
	if first.Before(start) {
		k++ // this month's day has passed: the first occurrence is next month's
	}
	return monthDay(y, m+time.Month(k), c.monthDay, start)
}

// monthDay is day d of a month (its last day when it is shorter) at clock's time.
func monthDay(y int, m time.Month, d int, clock time.Time) time.Time {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, clock.Location()).Day()
	return time.Date(y, m, min(d, last), clock.Hour(), clock.Minute(), clock.Second(), 0, clock.Location())
}

// firstFrom is the first period from index k on whose time is not before `from`.
// A server down for years steps through a few thousand periods: still microseconds.
func (c cadence) firstFrom(start time.Time, k int, from time.Time) (time.Time, int) {
	for {
		t := c.at(start, k)
		if !t.Before(from) {
			return t, k
		}
		k++
	}
}

// scheduleZone reads a time zone by its IANA name.
func scheduleZone(name string) (*time.Location, error) {
	if strings.TrimSpace(name) == "" || strings.EqualFold(name, "local") {
		return nil, invalid("timezone: name a time zone, e.g. Europe/Berlin or UTC.")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalid("timezone: %q is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC.", name)
	}
	return loc, nil
}

// ScheduleTitle renders a schedule's title pattern for occurrence n due at `at`.
func ScheduleTitle(pattern string, n int, at time.Time, version string) string {
	return strings.NewReplacer("{n}", strconv.Itoa(n), "{date}", at.Format(DayLayout), "{version}", version).Replace(pattern)
}

// NextVersion increments a version's patch or minor number (2.4.1 → 2.4.2 or 2.5.0);
// a pre-release suffix is dropped. With no version to start from it is 1.0.0.
func NextVersion(last, bump string) string {
	core, _, _ := strings.Cut(strings.TrimPrefix(strings.ToLower(last), "v"), "-")
	parts := strings.Split(core, ".")
	nums := make([]int, 3)
	for i := 0; i < len(parts) && i < 3; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return "1.0.0"
		}
		nums[i] = n
	}
	if last == "" {
		return "1.0.0"
	}
	if bump == BumpPatch {
		nums[2]++
	} else {
		nums[1], nums[2] = nums[1]+1, 0
	}
	return fmt.Sprintf("%d.%d.%d", nums[0], nums[1], nums[2])
}

// scheduleSettings are a schedule's checked settings.
type scheduleSettings struct {
	tmpl  *Template
	every cadence
	loc   *time.Location
}

// checkSchedule checks sc's settings and names the field of the first that is wrong.
func (s *Service) checkSchedule(sc *Schedule) (scheduleSettings, error) {
	var out scheduleSettings
	tmpl, err := s.settings().Templates.Startable(sc.Type)
	if err != nil {
		return out, err
	}
	out.tmpl = tmpl
	sc.Type = tmpl.Type
	sc.Title = cleanText(sc.Title)
	if sc.Title == "" {
		return out, invalid("title: give a title pattern, e.g. `Sprint {n}` or `Release {version}` ({n}: the occurrence's number, {date}: its date, {version}: the last release's, incremented).")
	}
	if err := checkLength("title", sc.Title, MaxTitleRunes-20); err != nil {
		return out, err
	}
	if out.every, err = parseEvery(sc.Every); err != nil {
		return out, err
	}
	sc.Every = strings.ToLower(strings.TrimSpace(sc.Every))
	if out.loc, err = scheduleZone(sc.Timezone); err != nil {
		return out, err
	}
	sc.Severity = strings.ToLower(strings.TrimSpace(sc.Severity))
	if sc.Severity != "" && !tmpl.HasSeverity(sc.Severity) {
		return out, invalid("severity: %q is not a severity of a %s (%s).", sc.Severity, strings.ToLower(tmpl.Name), strings.Join(tmpl.Severities, ", "))
	}
	switch sc.VersionBump {
	case "":
		sc.VersionBump = BumpMinor
	case BumpPatch, BumpMinor:
	default:
		return out, invalid("version_bump: %q is neither `patch` nor `minor`.", sc.VersionBump)
	}
	now := time.Now()
	if sc.StartAt <= 0 {
		return out, invalid("start_at: give the first start time (milliseconds since the epoch).")
	}
	if sc.StartAt > now.Add(maxDueAhead).UnixMilli() {
		return out, invalid("start_at: the first start is at most 5 years ahead.")
	}
	return out, nil
}

// requireMayStart refuses whoever may not start the type in the team: the same rules
// as a start (Start), asked the same way.
func (s *Service) requireMayStart(ctx context.Context, actorID, teamID string, tmpl *Template) error {
	if !model.IsValidId(teamID) || !s.mm.IsTeamMember(teamID, actorID) {
		return forbidden("team_id: you can schedule workflows only in a team you belong to.")
	}
	if err := s.mayCreateChannel(actorID, teamID, tmpl, tmpl.Private); err != nil {
		return err
	}
	ud, err := s.userDiscipline(ctx, actorID)
	if err != nil {
		return err
	}
	return s.startRefusal(tmpl, ud.Discipline, actorID)
}

// startRefusal refuses a starter whose discipline the type does not allow (system
// admins may start every type).
func (s *Service) startRefusal(tmpl *Template, discipline Discipline, actorID string) error {
	if tmpl.MayStart(discipline) || s.mm.IsSystemAdmin(actorID) {
		return nil
	}
	return forbidden("Starting a %s needs the discipline %s; yours is %s. %s",
		strings.ToLower(tmpl.Name), joinDisciplines(tmpl.StartDisciplines, "or"), disciplineLabel(discipline), s.disciplineHint())
}

// CreateSchedule records a schedule; whoever may start its type in the team may,
// and leads every occurrence. Without a time zone it takes the owner's.
func (s *Service) CreateSchedule(ctx context.Context, actorID string, req ScheduleRequest) (*Schedule, error) {
	if req.Timezone == "" {
		req.Timezone = s.Location(actorID).String()
	}
	now := time.Now().UnixMilli()
	sc := &Schedule{ID: model.NewId(), TeamID: req.TeamID, Type: req.Type, Title: req.Title, Every: req.Every, StartAt: req.StartAt,
		Timezone: req.Timezone, OwnerID: actorID, Severity: req.Severity, VersionBump: req.VersionBump,
		CarryOver: req.CarryOver != nil && *req.CarryOver, Paused: req.Paused != nil && *req.Paused,
		CreatedBy: actorID, CreatedAt: now, UpdatedAt: now}
	set, err := s.checkSchedule(sc)
	if err != nil {
		return nil, err
	}
	if err := checkID("team_id", req.TeamID); err != nil {
		return nil, err
	}
	if err := s.requireMayStart(ctx, actorID, sc.TeamID, set.tmpl); err != nil {
		return nil, err
	}
	s.reschedule(sc, set, time.Now())
	if err := s.store.CreateSchedule(ctx, sc); err != nil {
		return nil, errors.Wrap(err, "create schedule")
	}
	return sc, nil
}

// reschedule sets the next occurrence to the first period from now on (a minute's
// grace, so "now" is not skipped): a new, edited or resumed schedule does not make
// up for periods before it.
func (s *Service) reschedule(sc *Schedule, set scheduleSettings, now time.Time) {
	start := time.UnixMilli(sc.StartAt).In(set.loc)
	next, k := set.every.firstFrom(start, 0, now.Add(-time.Minute))
	sc.NextAt, sc.NextIndex = next.UnixMilli(), k
}

// visibleSchedule is a schedule the actor may see: team members see the team's,
// except those of private types, which only their owner and admins see.
func (s *Service) visibleSchedule(actorID string, sc *Schedule) bool {
	if !s.mm.IsTeamMember(sc.TeamID, actorID) {
		return false
	}
	if tmpl, ok := s.settings().Templates.Defined(sc.Type); ok && tmpl.Private {
		return sc.OwnerID == actorID || s.mayManageSchedules(actorID, sc.TeamID)
	}
	return true
}

func (s *Service) mayManageSchedules(actorID, teamID string) bool {
	return s.mm.HasPermissionToTeam(actorID, teamID, model.PermissionManageTeam)
}

// Schedules lists a team's schedules the actor may see.
func (s *Service) Schedules(ctx context.Context, actorID, teamID string) ([]*Schedule, error) {
	if err := checkID("team_id", teamID); err != nil {
		return nil, err
	}
	if !s.mm.IsTeamMember(teamID, actorID) {
		return nil, forbidden("team_id: you are not a member of that team.")
	}
	all, err := s.store.ListSchedules(ctx, teamID)
	if err != nil {
		return nil, errors.Wrap(err, "list schedules")
	}
	out := make([]*Schedule, 0, len(all))
	for _, sc := range all {
		if s.visibleSchedule(actorID, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// schedule reads a schedule the actor may change: its owner, a team admin or a
// system admin. Others who can see it are refused; the rest are told it does not exist.
func (s *Service) schedule(ctx context.Context, actorID, id string) (*Schedule, error) {
	if !model.IsValidId(id) {
		return nil, notFound("No such schedule.")
	}
	sc, err := s.store.GetSchedule(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && !s.visibleSchedule(actorID, sc) {
		return nil, notFound("No such schedule.")
	}
	if err != nil {
		return nil, errors.Wrap(err, "get schedule")
	}
	if sc.OwnerID != actorID && !s.mayManageSchedules(actorID, sc.TeamID) {
		return nil, forbidden("Only the schedule's owner (%s) or a team admin changes it.", s.mention(sc.OwnerID))
	}
	return sc, nil
}

// UpdateSchedule changes a schedule's settings, pauses or resumes it. A change of
// cadence, first start or zone, and a resume, count the next occurrence afresh from now.
func (s *Service) UpdateSchedule(ctx context.Context, actorID, id string, req ScheduleRequest) (*Schedule, error) {
	sc, err := s.schedule(ctx, actorID, id)
	if err != nil {
		return nil, err
	}
	if req.TeamID != "" && req.TeamID != sc.TeamID || req.Type != "" && !strings.EqualFold(req.Type, sc.Type) {
		return nil, invalid("A schedule's team and type stay as they are; delete it and add another.")
	}
	expected := sc.UpdatedAt
	timing := req.Every != "" || req.StartAt != 0 || req.Timezone != ""
	if req.Title != "" {
		sc.Title = req.Title
	}
	if req.Every != "" {
		sc.Every = req.Every
	}
	if req.StartAt != 0 {
		sc.StartAt = req.StartAt
	}
	if req.Timezone != "" {
		sc.Timezone = req.Timezone
	}
	if req.Severity != "" {
		sc.Severity = req.Severity
	}
	if req.VersionBump != "" {
		sc.VersionBump = req.VersionBump
	}
	if req.CarryOver != nil {
		sc.CarryOver = *req.CarryOver
	}
	resumed := false
	if req.Paused != nil {
		resumed = sc.Paused && !*req.Paused
		sc.Paused = *req.Paused
	}
	set, err := s.checkSchedule(sc)
	if err != nil {
		return nil, err
	}
	if timing || resumed {
		s.reschedule(sc, set, time.Now())
	}
	sc.UpdatedAt = max(time.Now().UnixMilli(), expected+1)
	ok, err := s.store.UpdateSchedule(ctx, sc, expected)
	if err != nil {
		return nil, errors.Wrap(err, "update schedule")
	}
	if !ok {
		return nil, conflict("The schedule changed meanwhile (an occurrence started, or someone edited it). Try again.")
	}
	return sc, nil
}

// SetSchedulePaused pauses or resumes a schedule.
func (s *Service) SetSchedulePaused(ctx context.Context, actorID, id string, paused bool) (*Schedule, error) {
	return s.UpdateSchedule(ctx, actorID, id, ScheduleRequest{Paused: &paused})
}

// DeleteSchedule removes a schedule; the workflows it started stay.
func (s *Service) DeleteSchedule(ctx context.Context, actorID, id string) error {
	sc, err := s.schedule(ctx, actorID, id)
	if err != nil {
		return err
	}
	return errors.Wrap(s.store.DeleteSchedule(ctx, sc.ID), "delete schedule")
}

// ScheduleByPrefix finds one of the team's schedules the actor may see by its id or
// the id's first characters (at least 4), as `list` shows them.
func (s *Service) ScheduleByPrefix(ctx context.Context, actorID, teamID, prefix string) (*Schedule, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if len(prefix) < 4 {
		return nil, invalid("Name the schedule by the id `schedule list` shows (at least its first 4 characters).")
	}
	all, err := s.Schedules(ctx, actorID, teamID)
	if err != nil {
		return nil, err
	}
	var found *Schedule
	for _, sc := range all {
		if strings.HasPrefix(sc.ID, prefix) {
			if found != nil {
				return nil, invalid("More than one schedule starts with %q; give more of its id.", prefix)
			}
			found = sc
		}
	}
	if found == nil {
		return nil, notFound("No schedule %q in this team; `schedule list` shows them.", prefix)
	}
	return found, nil
}

// runSchedules starts what is due: first the occurrences a dead node claimed and did
// not finish, then the due ones, each claimed before it starts. It returns how many
// it started.
func (s *Service) runSchedules(ctx context.Context, now time.Time) (int, error) {
	started := 0
	pending, err := s.store.PendingOccurrences(ctx, now.Add(-occurrenceRetryAfter).UnixMilli(), schedulesPerTick)
	if err != nil {
		return 0, errors.Wrap(err, "list pending occurrences")
	}
	for _, occ := range pending {
		if s.finishOccurrence(ctx, occ, now) {
			started++
		}
	}
	due, err := s.store.DueSchedules(ctx, now.UnixMilli(), schedulesPerTick)
	if err != nil {
		return started, errors.Wrap(err, "list due schedules")
	}
	for _, sc := range due {
		occ, ok, err := s.claimOccurrence(ctx, sc, now)
		if err != nil {
			s.mm.LogError("Could not claim a schedule's occurrence", "schedule_id", sc.ID, "err", err.Error())
			continue
		}
		if ok && s.finishOccurrence(ctx, occ, now) {
			started++
		}
	}
	return started, nil
}

// claimOccurrence takes a due schedule's occurrence for this tick. However many
// periods were missed (the server was down), one occurrence is claimed and the next
// is the first period still ahead.
func (s *Service) claimOccurrence(ctx context.Context, sc *Schedule, now time.Time) (Occurrence, bool, error) {
	set, err := s.checkScheduleForTick(sc)
	if err != nil {
		return Occurrence{}, false, err
	}
	start := time.UnixMilli(sc.StartAt).In(set.loc)
	next, k := set.every.firstFrom(start, sc.NextIndex+1, now.Add(time.Millisecond))
	due := time.UnixMilli(sc.NextAt).In(set.loc)
	n := sc.Started + 1
	version := ""
	if strings.Contains(sc.Title, "{version}") {
		last, err := s.store.LastVersion(ctx, sc.TeamID)
		if err != nil {
			return Occurrence{}, false, err
		}
		version = NextVersion(last, sc.VersionBump)
	}
	occ := Occurrence{ScheduleID: sc.ID, N: n, WorkflowID: model.NewId(), DueAt: sc.NextAt, ClaimedAt: now.UnixMilli(),
		Title: truncateRunes(ScheduleTitle(sc.Title, n, due, version), MaxTitleRunes)}
	ok, err := s.store.ClaimOccurrence(ctx, sc, next.UnixMilli(), k, occ)
	return occ, ok, err
}

// checkScheduleForTick reads a stored schedule's cadence and zone. They were checked
// when saved; a zone the server no longer knows falls back to UTC rather than stop.
func (s *Service) checkScheduleForTick(sc *Schedule) (scheduleSettings, error) {
	every, err := parseEvery(sc.Every)
	if err != nil {
		return scheduleSettings{}, err
	}
	loc, err := time.LoadLocation(sc.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return scheduleSettings{every: every, loc: loc}, nil
}

// finishOccurrence starts a claimed occurrence's workflow unless it exists already
// (a node died after starting it), and records the outcome. A refusal (the owner may
// no longer start the type) is final and told to the owner; other failures are
// retried by later ticks for an hour.
func (s *Service) finishOccurrence(ctx context.Context, occ Occurrence, now time.Time) bool {
	// A reservation under the id (a start running, or one a crash left for
	// cleanStaleStarts) reads as not found; the start below then fails on the
	// workflow's primary key and a later tick tries again.
	_, err := s.store.GetWorkflow(ctx, occ.WorkflowID)
	switch {
	case err == nil:
		s.occurrenceDone(ctx, occ, now, "")
		return false
	case !errors.Is(err, ErrNotFound):
		s.mm.LogError("Could not check a schedule's occurrence", "schedule_id", occ.ScheduleID, "err", err.Error())
		return false
	}
	sc, err := s.store.GetSchedule(ctx, occ.ScheduleID)
	if err != nil {
		s.mm.LogError("Could not read a schedule to start its occurrence", "schedule_id", occ.ScheduleID, "err", err.Error())
		return false
	}
	_, err = s.startOccurrence(ctx, sc, occ, now)
	if e, refused := AsError(err); refused && e.Kind == KindNotPosted {
		err = nil // started and recorded; Mattermost refused only its post
	}
	if e, refused := AsError(err); refused {
		s.occurrenceDone(ctx, occ, now, e.Message)
		s.tellOwner(sc, fmt.Sprintf("⚠️ Your schedule could not start **%s**: %s", Inline(occ.Title), e.Message))
		return false
	}
	if err != nil {
		s.mm.LogError("Could not start a schedule's occurrence; a later tick retries", "schedule_id", occ.ScheduleID, "err", err.Error())
		if now.Sub(time.UnixMilli(occ.ClaimedAt)) > occurrenceGiveUpAfter {
			s.occurrenceDone(ctx, occ, now, "gave up after an hour of failures")
			s.tellOwner(sc, fmt.Sprintf("⚠️ Your schedule could not start **%s** for an hour; it skipped that occurrence.", Inline(occ.Title)))
		}
		return false
	}
	s.occurrenceDone(ctx, occ, now, "")
	return true
}

func (s *Service) occurrenceDone(ctx context.Context, occ Occurrence, now time.Time, failure string) {
	if err := s.store.OccurrenceDone(ctx, occ.ScheduleID, occ.N, now.UnixMilli(), failure); err != nil {
		s.mm.LogError("Could not record a schedule's occurrence; a later tick checks it", "schedule_id", occ.ScheduleID, "err", err.Error())
	}
}

func (s *Service) tellOwner(sc *Schedule, msg string) {
	if err := s.direct(sc.OwnerID, msg); err != nil {
		s.mm.LogError("Could not tell a schedule's owner", "schedule_id", sc.ID, "err", err.Error())
	}
}

// startOccurrence starts the occurrence's workflow as its owner, under its chosen id.
func (s *Service) startOccurrence(ctx context.Context, sc *Schedule, occ Occurrence, now time.Time) (*Workflow, error) {
	run := &scheduledStart{id: occ.WorkflowID}
	loc, err := time.LoadLocation(sc.Timezone)
	if err != nil {
		loc = time.UTC
	}
	run.note = fmt.Sprintf("🔁 Started by a schedule of %s (every %s), occurrence %d, due %s.",
		s.mention(sc.OwnerID), sc.Every, occ.N, FormatTime(occ.DueAt, loc))
	if late := now.Sub(time.UnixMilli(occ.DueAt)); late > lateAfter {
		run.note += fmt.Sprintf(" ⏱️ **Started late by %s**: the server was not running when it fell due; missed periods start once, not once each.", humanDuration(late))
	}
	if sc.CarryOver && occ.N > 1 {
		if run.carried, run.carriedFrom, err = s.openTasksOf(ctx, sc.ID, occ.N); err != nil {
			return nil, err
		}
	}
	return s.Start(ctx, sc.OwnerID, StartRequest{TeamID: sc.TeamID, Type: sc.Type, Title: occ.Title, Severity: sc.Severity,
		Force: true, scheduled: run})
}

// openTasksOf copies the open tasks of the schedule's previous occurrence.
func (s *Service) openTasksOf(ctx context.Context, scheduleID string, n int) ([]*Task, *Workflow, error) {
	prevID, err := s.store.PreviousOccurrence(ctx, scheduleID, n)
	if err != nil || prevID == "" {
		return nil, nil, err
	}
	prev, err := s.store.GetWorkflow(ctx, prevID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	tasks, err := s.store.ListTasks(ctx, prevID)
	if err != nil {
		return nil, nil, errors.Wrap(err, "list the previous occurrence's tasks")
	}
	var out []*Task
	for _, t := range tasks {
		if !t.Done {
			out = append(out, &Task{Text: t.Text, Discipline: t.Discipline, AssigneeID: t.AssigneeID, DueAt: t.DueAt, Followup: t.Followup})
		}
	}
	return out, prev, nil
}

// scheduledStart is what a schedule adds to a start: the workflow's id chosen when
// the occurrence was claimed, a line for the first post, tasks carried over.
type scheduledStart struct {
	id          string
	note        string
	carried     []*Task
	carriedFrom *Workflow
}

// apply puts the schedule's part into a start's workflow.
func (r *scheduledStart) apply(w *Workflow, owner string) {
	if r == nil {
		return
	}
	w.ID = r.id
	for _, t := range r.carried {
		t.Stage, t.CreatedBy = w.Stage, owner
		w.NewTasks = append(w.NewTasks, t)
	}
}

// message is the schedule's lines in the first post.
func (r *scheduledStart) message() string {
	if r == nil {
		return ""
	}
	msg := "\n\n" + r.note
	if len(r.carried) > 0 && r.carriedFrom != nil {
		msg += fmt.Sprintf("\n%d open task(s) carried over from ~%s.", len(r.carried), r.carriedFrom.ChannelName)
	}
	return msg
}

// FormatSchedule is one line about a schedule, for `schedule list` and answers.
func (s *Service) FormatSchedule(sc *Schedule, viewerLoc *time.Location) string {
	state := "next " + FormatTime(sc.NextAt, viewerLoc)
	if sc.Paused {
		state = "**paused**"
	}
	extra := ""
	if sc.CarryOver {
		extra = " · carries open tasks over"
	}
	return fmt.Sprintf("`%s` **%s** — %s every %s (%s), %s · led by %s · %d started%s",
		sc.ID[:8], Inline(sc.Title), sc.Type, sc.Every, sc.Timezone, state, Inline(s.mention(sc.OwnerID)), sc.Started, extra)
}

// SubmitScheduleDialog creates a schedule from the schedule form (command: `schedule
// add` alone). A wrong field is refused under that field and nothing is saved.
func (s *Service) SubmitScheduleDialog(ctx context.Context, actorID, teamID string, values map[string]any) (*Schedule, FieldErrors, error) {
	str := func(k string) string { v, _ := values[k].(string); return strings.TrimSpace(v) }
	errs := FieldErrors{}
	zone := str("timezone")
	loc, err := scheduleZone(zone)
	if err != nil {
		errs["timezone"] = err.Error()
		loc = time.UTC
	}
	var at int64
	if str("at") == "" {
		errs["at"] = "Give the first start: a day and time, or a duration from now."
	} else if at, err = ParseDue(str("at"), time.Now(), loc); err != nil {
		errs["at"] = err.Error()
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	carry, _ := values["carry_over"].(bool)
	sc, err := s.CreateSchedule(ctx, actorID, ScheduleRequest{TeamID: teamID, Type: str("type"), Title: str("title"), Every: str("every"),
		StartAt: at, Timezone: zone, VersionBump: str("version_bump"), CarryOver: &carry})
	if e, ok := AsError(err); ok && e.Kind == KindInvalid {
		// The service names the field a refusal is about ("every: …").
		for _, field := range []string{"title", "every", "timezone", "version_bump", "type"} {
			if strings.HasPrefix(e.Message, field+":") {
				return nil, FieldErrors{field: e.Message}, nil
			}
		}
		if strings.HasPrefix(e.Message, "start_at:") {
			return nil, FieldErrors{"at": e.Message}, nil
		}
	}
	return sc, nil, err
}

// TellScheduled tells whoever submitted the schedule form what they scheduled.
func (s *Service) TellScheduled(userID, channelID string, sc *Schedule) {
	s.mm.SendEphemeral(userID, channelID, "Scheduled: "+s.FormatSchedule(sc, s.Location(userID)))
}
