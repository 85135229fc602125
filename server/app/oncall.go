package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// On call: a team's rotations say who answers a page now. A rotation either hands
// over at a time of day every shift (ordered), or follows the sun: the first member,
// in rotation order, inside their own working hours, with the ordered shift filling
// the gaps. An override (someone taking part of a shift) beats both.

// Limits and defaults of a rotation.
const (
	MinShift             = time.Hour
	MaxShift             = 52 * 7 * 24 * time.Hour
	DefaultEscalateAfter = 5 * time.Minute
	MinEscalateAfter     = time.Minute
	MaxEscalateAfter     = 24 * time.Hour
	MaxRotationMembers   = 50
	MaxRotationName      = 64
	MaxOverride          = 30 * 24 * time.Hour
	// oncallHorizon is how far ahead "next on call" looks.
	oncallHorizon = 8 * 24 * time.Hour
	// rotationTargetPrefix names a rotation where a user could be named too
	// (POST /pages target, escalate_to).
	rotationTargetPrefix = "rotation:"
)

// Rotation is a team's on-call rotation.
type Rotation struct {
	ID         string     `json:"id"`
	TeamID     string     `json:"team_id"`
	Name       string     `json:"name"`
	Discipline Discipline `json:"discipline"`
	// MemberIDs are the members' user ids, in rotation order.
	MemberIDs     []string      `json:"member_ids"`
	Shift         time.Duration `json:"-"`
	HandoffMinute int           `json:"-"` // minutes after local midnight
	Timezone      string        `json:"timezone"`
	EscalateAfter time.Duration `json:"-"`
	FollowTheSun  bool          `json:"follow_the_sun"`
	// EscalateTo is where a page goes after the members: "rotation:<id>" and
	// "user:<id>" entries, all notified together.
	EscalateTo []string `json:"-"`
	CreatedBy  string   `json:"created_by"`
	CreatedAt  int64    `json:"created_at"`
	UpdatedAt  int64    `json:"updated_at"`
}

// location is the rotation's handover zone (validated when saved).
func (r *Rotation) location() *time.Location {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// handoffOn is the handover time of day on t's local date.
func (r *Rotation) handoffOn(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), r.HandoffMinute/60, r.HandoffMinute%60, 0, 0, loc)
}

// wholeDays is the shift in local calendar days when it is a whole number of days:
// such shifts hand over at the handoff time of day in the zone, daylight saving or
// not. Other shifts (12h, 8h) step in elapsed time from the first handover.
func (r *Rotation) wholeDays() int64 {
	if r.Shift%(24*time.Hour) != 0 {
		return 0
	}
	return int64(r.Shift / (24 * time.Hour))
}

// handoverNumber is the number k of the last handover at or before t, counting the
// handover on the creation day's date as 0 (it may lie before the creation).
func (r *Rotation) handoverNumber(t time.Time) int64 {
	loc := r.location()
	base := r.handoffOn(time.UnixMilli(r.CreatedAt), loc)
	if days := r.wholeDays(); days > 0 {
		d := civilDay(t.In(loc)) - civilDay(base)
		if t.Before(r.handoffOn(t, loc)) {
			d--
		}
		return floorDiv(d, days)
	}
	return floorDiv(int64(t.Sub(base)), int64(r.Shift))
}

// handoverAt is handover number k.
func (r *Rotation) handoverAt(k int64) time.Time {
	loc := r.location()
	base := r.handoffOn(time.UnixMilli(r.CreatedAt), loc)
	if days := r.wholeDays(); days > 0 {
		return time.Date(base.Year(), base.Month(), base.Day()+int(k*days), r.HandoffMinute/60, r.HandoffMinute%60, 0, 0, loc)
	}
	return base.Add(time.Duration(k) * r.Shift)
}

// shiftMember is the member whose ordered shift covers t: the first from creation to
// the first handover after it, then the next, round the list.
func (r *Rotation) shiftMember(t time.Time) string {
	if len(r.MemberIDs) == 0 {
		return ""
	}
	created := time.UnixMilli(r.CreatedAt)
	if t.Before(created) {
		t = created
	}
	n := r.handoverNumber(t) - r.handoverNumber(created)
	return r.MemberIDs[floorMod(n, int64(len(r.MemberIDs)))]
}

func civilDay(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}

// Override is someone taking a rotation's shift, or part of one.
type Override struct {
	ID         string `json:"id"`
	RotationID string `json:"rotation_id"`
	UserID     string `json:"user_id"`
	StartsAt   int64  `json:"starts_at"`
	EndsAt     int64  `json:"ends_at"`
	CreatedBy  string `json:"created_by"`
	CreatedAt  int64  `json:"created_at"`
}

// Why someone is on call.
const (
	OnCallShift        = "shift"
	OnCallWorkingHours = "working hours"
	OnCallOverride     = "override"
)

// OnCall is who is on call for a rotation at a moment, and until when; Next is who
// follows (nil when nobody else comes within oncallHorizon).
type OnCall struct {
	RotationID string     `json:"rotation_id"`
	Rotation   string     `json:"rotation"`
	Discipline Discipline `json:"discipline"`
	UserID     string     `json:"user_id"`
	// Username, Timezone and LocalTime are the person and the time where they are
	// now, for people to read (filled in by OnCall).
	Username  string `json:"username,omitempty"`
	Timezone  string `json:"timezone,omitempty"`
	LocalTime string `json:"local_time,omitempty"`
	// Until is when UserID stops being on call (ms); 0: not within oncallHorizon.
	Until  int64  `json:"until"`
	Reason string `json:"reason"`
	// OverrideBy is who arranged the override, when Reason is override.
	OverrideBy string  `json:"override_by,omitempty"`
	Next       *OnCall `json:"next,omitempty"`
}

// schedule evaluates a rotation's on-call person at any moment: its members' zones,
// its overrides and the working hours, read once.
type schedule struct {
	s         *Service
	r         *Rotation
	users     map[string]*model.User
	overrides []Override
}

func (s *Service) scheduleOf(ctx context.Context, r *Rotation, from time.Time) (*schedule, error) {
	overrides, err := s.store.Overrides(ctx, []string{r.ID}, from.UnixMilli())
	if err != nil {
		return nil, err
	}
	return s.scheduleWith(r, overrides), nil
}

// scheduleWith is scheduleOf with the rotation's overrides already read.
func (s *Service) scheduleWith(r *Rotation, overrides []Override) *schedule {
	sc := &schedule{s: s, r: r, users: map[string]*model.User{}, overrides: overrides}
	if r.FollowTheSun {
		for _, id := range r.MemberIDs {
			if u, err := s.mm.GetUserCached(id); err == nil {
				sc.users[id] = u
			}
		}
	}
	return sc
}

// at is who is on call at t, and why.
func (sc *schedule) at(t time.Time) (userID, reason string, o *Override) {
	ms := t.UnixMilli()
	// The newest override covering t wins: a later arrangement replaces an earlier one.
	for i := len(sc.overrides) - 1; i >= 0; i-- {
		if ov := &sc.overrides[i]; ov.StartsAt <= ms && ms < ov.EndsAt {
			return ov.UserID, OnCallOverride, ov
		}
	}
	if sc.r.FollowTheSun {
		for _, id := range sc.r.MemberIDs {
			if u, ok := sc.users[id]; ok {
				if _, local := localTime(u, t); sc.s.inWorkingHours(local) {
					return id, OnCallWorkingHours, nil
				}
			}
		}
	}
	return sc.r.shiftMember(t), OnCallShift, nil
}

// changes lists the moments after t, within the horizon, at which the on-call person
// may change: handovers, overrides' edges and, following the sun, the members' local
// working-hour edges and midnights (weekends). Sorted, without duplicates.
func (sc *schedule) changes(t time.Time) []time.Time {
	end := t.Add(oncallHorizon)
	var out []time.Time
	add := func(c time.Time) {
		if c.After(t) && !c.After(end) {
			out = append(out, c)
		}
	}
	for k := sc.r.handoverNumber(t) + 1; ; k++ {
		h := sc.r.handoverAt(k)
		if h.After(end) || len(out) > 24*8 {
			break
		}
		add(h)
	}
	for _, o := range sc.overrides {
		add(time.UnixMilli(o.StartsAt))
		add(time.UnixMilli(o.EndsAt))
	}
	if sc.r.FollowTheSun {
		start, stop := sc.s.settings().WorkStart, sc.s.settings().WorkEnd
		for _, u := range sc.users {
			loc := userLocation(u)
			day := t.In(loc)
			for d := -1; d <= 9; d++ {
				y, m, dd := day.Date()
				for _, minute := range []int{0, start, stop} {
					add(time.Date(y, m, dd+d, minute/60, minute%60, 0, 0, loc))
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// onCall is who is on call at t, until when, and who follows.
func (sc *schedule) onCall(t time.Time) OnCall {
	oc := sc.entry(t)
	for _, c := range sc.changes(t) {
		if next := sc.entry(c); next.UserID != oc.UserID {
			oc.Until = c.UnixMilli()
			oc.Next = &next
			break
		}
	}
	return oc
}

func (sc *schedule) entry(t time.Time) OnCall {
	id, reason, o := sc.at(t)
	oc := OnCall{RotationID: sc.r.ID, Rotation: sc.r.Name, Discipline: sc.r.Discipline, UserID: id, Reason: reason}
	if o != nil {
		oc.OverrideBy = o.CreatedBy
	}
	return oc
}

// OnCallNow is who is on call now for a team's rotation, by name. For other
// features (alerts, the service catalog): no permission is checked, the caller has.
// A rotation that does not exist is a KindNotFound refusal.
func (s *Service) OnCallNow(ctx context.Context, teamID, rotationName string) (userID string, err error) {
	r, err := s.rotationByName(ctx, teamID, rotationName)
	if err != nil {
		return "", err
	}
	sc, err := s.scheduleOf(ctx, r, time.Now())
	if err != nil {
		return "", err
	}
	id, _, _ := sc.at(time.Now())
	return id, nil
}

// RotationForDiscipline is a team's rotation for a discipline (the first by name
// when there are several), for other features to page or to name who is on call.
// None is a KindNotFound refusal.
func (s *Service) RotationForDiscipline(ctx context.Context, teamID string, discipline Discipline) (*Rotation, error) {
	all, err := s.store.ListRotations(ctx, teamID)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Discipline == discipline {
			return r, nil
		}
	}
	return nil, notFound("No %s rotation in this team.", discipline)
}

func (s *Service) rotationByName(ctx context.Context, teamID, name string) (*Rotation, error) {
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), rotationTargetPrefix))
	r, err := s.store.GetRotationByName(ctx, teamID, name)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("No rotation %q in this team. `/%s rotation show` lists them.", name, s.settings().CommandTrigger)
	}
	return r, err
}

// OnCall answers who is on call at `at` (now when zero) and who is next, for one
// rotation by name or, without a name, for every rotation of the team.
func (s *Service) OnCall(ctx context.Context, actorID, teamID, rotationName string, at time.Time) ([]OnCall, error) {
	if err := s.requireTeamMember(actorID, teamID); err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	var rotations []*Rotation
	if strings.TrimSpace(rotationName) != "" {
		r, err := s.rotationByName(ctx, teamID, rotationName)
		if err != nil {
			return nil, err
		}
		rotations = []*Rotation{r}
	} else {
		all, err := s.store.ListRotations(ctx, teamID)
		if err != nil {
			return nil, err
		}
		rotations = all
	}
	// Every rotation's overrides in one read: the panel asks for the whole team.
	ids := make([]string, len(rotations))
	for i, r := range rotations {
		ids[i] = r.ID
	}
	overrides, err := s.store.Overrides(ctx, ids, at.UnixMilli())
	if err != nil {
		return nil, err
	}
	byRotation := map[string][]Override{}
	for _, o := range overrides {
		byRotation[o.RotationID] = append(byRotation[o.RotationID], o)
	}
	out := make([]OnCall, 0, len(rotations))
	for _, r := range rotations {
		oc := s.scheduleWith(r, byRotation[r.ID]).onCall(at)
		s.describeOnCall(&oc)
		if oc.Next != nil {
			s.describeOnCall(oc.Next)
		}
		out = append(out, oc)
	}
	return out, nil
}

// describeOnCall names the person on call and their local time now.
func (s *Service) describeOnCall(oc *OnCall) {
	u, err := s.mm.GetUserCached(oc.UserID)
	if err != nil {
		return
	}
	tz, local := localTime(u, time.Now())
	oc.Username, oc.Timezone, oc.LocalTime = u.Username, tz, local.Format("15:04 Mon")
}

func (s *Service) requireTeamMember(actorID, teamID string) error {
	if err := checkID("team_id", teamID); err != nil {
		return err
	}
	if !s.mm.IsTeamMember(teamID, actorID) {
		return notFound("No such team, or you are not a member of it.")
	}
	return nil
}

// mayManageRotations: system and team admins, as Mattermost says.
func (s *Service) mayManageRotations(actorID, teamID string) error {
	if s.mm.IsSystemAdmin(actorID) || s.mm.HasPermissionToTeam(actorID, teamID, model.PermissionManageTeam) {
		return nil
	}
	return forbidden("Only a team or system admin can change rotations.")
}

// RotationPatch is what a rotation's create or change says; nil fields keep their
// value (or take the default, creating).
type RotationPatch struct {
	Name          *string      `json:"name,omitempty"`
	Discipline    *string      `json:"discipline,omitempty"`
	Members       *[]string    `json:"members,omitempty"`
	Shift         *string      `json:"shift,omitempty"`
	Handoff       *string      `json:"handoff,omitempty"`
	Timezone      *string      `json:"timezone,omitempty"`
	EscalateAfter *string      `json:"escalate_after,omitempty"`
	FollowTheSun  *bool        `json:"follow_the_sun,omitempty"`
	EscalateTo    *TargetNames `json:"escalate_to,omitempty"`
}

// RotationRequest creates a rotation.
type RotationRequest struct {
	TeamID string `json:"team_id"`
	RotationPatch
}

// TargetNames are where a page escalates: "rotation:<name>" and "@username"
// entries; JSON accepts one string (entries split on commas and spaces) or a list.
type TargetNames []string

// UnmarshalJSON accepts "rotation:ops, @sue" as well as ["rotation:ops", "@sue"].
func (t *TargetNames) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = splitTargets(one)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("escalate_to must be a string or a list of strings")
	}
	*t = list
	return nil
}

func splitTargets(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
}

// RotationView is a rotation as people read and write it: usernames, durations as
// typed (1w, 5m), the handoff as 09:00 and escalation targets by name.
type RotationView struct {
	*Rotation
	Members       []string `json:"members"`
	Shift         string   `json:"shift"`
	Handoff       string   `json:"handoff"`
	EscalateAfter string   `json:"escalate_after"`
	EscalateTo    []string `json:"escalate_to"`
}

func (s *Service) rotationView(ctx context.Context, r *Rotation) *RotationView {
	v := &RotationView{Rotation: r, Members: make([]string, 0, len(r.MemberIDs)), Shift: CompactDuration(r.Shift),
		Handoff: fmt.Sprintf("%02d:%02d", r.HandoffMinute/60, r.HandoffMinute%60), EscalateAfter: CompactDuration(r.EscalateAfter),
		EscalateTo: []string{}}
	for _, id := range r.MemberIDs {
		v.Members = append(v.Members, strings.TrimPrefix(s.mention(id), "@"))
	}
	for _, t := range r.EscalateTo {
		kind, id, _ := strings.Cut(t, ":")
		if kind == "user" {
			v.EscalateTo = append(v.EscalateTo, s.mention(id))
		} else if er, err := s.store.GetRotation(ctx, id); err == nil {
			v.EscalateTo = append(v.EscalateTo, rotationTargetPrefix+er.Name)
		}
	}
	return v
}

// CompactDuration writes a duration the way ParseDuration reads it: 1w, 12h, 1h30m, 90s.
func CompactDuration(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{7 * 24 * time.Hour, "w"}, {24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// applyRotationPatch checks each field given and sets it on r, refusing the first bad
// one by its field name.
func (s *Service) applyRotationPatch(ctx context.Context, r *Rotation, p RotationPatch) error {
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" || len([]rune(name)) > MaxRotationName || strings.ContainsAny(name, " \t\n:@") {
			return invalid("name: give a rotation name of 1 to %d characters without spaces, `:` or `@` (e.g. `platform-primary`).", MaxRotationName)
		}
		r.Name = name
	}
	if p.Discipline != nil {
		r.Discipline = ""
		if d := strings.TrimSpace(*p.Discipline); d != "" {
			parsed, ok := s.settings().DisciplineSet().Parse(d)
			if !ok {
				return invalid("discipline: %q is not a discipline (%s).", d, strings.Join(s.settings().DisciplineSet().Names(), ", "))
			}
			r.Discipline = parsed
		}
	}
	if p.Members != nil {
		ids, err := s.teamUserIDs(r.TeamID, "members", *p.Members)
		if err != nil {
			return err
		}
		if len(ids) == 0 || len(ids) > MaxRotationMembers {
			return invalid("members: name 1 to %d people of the team.", MaxRotationMembers)
		}
		r.MemberIDs = ids
	}
	if p.Shift != nil {
		d, err := ParseDuration(*p.Shift)
		if err != nil || d < MinShift || d > MaxShift {
			return invalid("shift: give a shift of at least 1h and at most 52w (e.g. 12h, 1d, 1w).")
		}
		r.Shift = d
	}
	if p.Handoff != nil {
		m := clockTime.FindStringSubmatch(strings.TrimSpace(*p.Handoff))
		if m == nil {
			return invalid("handoff: give the handover's time of day as HH:MM (e.g. 09:00).")
		}
		var h, mm int
		_, _ = fmt.Sscanf(m[1]+" "+m[2], "%d %d", &h, &mm)
		r.HandoffMinute = h*60 + mm
	}
	if p.Timezone != nil {
		tz := strings.TrimSpace(*p.Timezone)
		if _, err := time.LoadLocation(tz); err != nil || tz == "" || strings.EqualFold(tz, "local") {
			return invalid("timezone: %q is not a time zone; use an IANA name such as UTC, Europe/Berlin or America/New_York.", tz)
		}
		r.Timezone = tz
	}
	if p.EscalateAfter != nil {
		d, err := ParseDuration(*p.EscalateAfter)
		floor := s.escalateFloor()
		if err != nil || d < floor || d > MaxEscalateAfter {
			return invalid("escalate_after: give at least %s and at most 24h (e.g. 5m).", CompactDuration(floor))
		}
		r.EscalateAfter = d
	}
	if p.FollowTheSun != nil {
		r.FollowTheSun = *p.FollowTheSun
	}
	if p.EscalateTo != nil {
		targets, err := s.escalationTargets(ctx, r, *p.EscalateTo)
		if err != nil {
			return err
		}
		r.EscalateTo = targets
	}
	return nil
}

// escalateFloor is the shortest escalate_after: a minute, or what the settings allow
// when tests shorten the scheduler tick.
func (s *Service) escalateFloor() time.Duration {
	if f := s.settings().EscalateFloor; f > 0 {
		return f
	}
	return MinEscalateAfter
}

// teamUserIDs resolves usernames (with or without @) to the ids of active team
// members, in order and without repeats, refusing the first unknown one by field.
func (s *Service) teamUserIDs(teamID, field string, names []string) ([]string, error) {
	var ids []string
	for _, n := range names {
		name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(n), "@"))
		if name == "" {
			continue
		}
		u, err := s.mm.GetUserByUsername(name)
		if err != nil || u.DeleteAt != 0 || u.IsBot {
			return nil, invalid("%s: no user @%s.", field, name)
		}
		if !s.mm.IsTeamMember(teamID, u.Id) {
			return nil, invalid("%s: @%s is not a member of this team.", field, name)
		}
		if !slices.Contains(ids, u.Id) {
			ids = append(ids, u.Id)
		}
	}
	return ids, nil
}

func (s *Service) escalationTargets(ctx context.Context, r *Rotation, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if rest, ok := strings.CutPrefix(n, rotationTargetPrefix); ok {
			er, err := s.store.GetRotationByName(ctx, r.TeamID, rest)
			if err != nil {
				return nil, invalid("escalate_to: no rotation %q in this team.", rest)
			}
			if er.ID == r.ID {
				return nil, invalid("escalate_to: a rotation cannot escalate to itself.")
			}
			out = append(out, "rotation:"+er.ID)
			continue
		}
		ids, err := s.teamUserIDs(r.TeamID, "escalate_to", []string{n})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, "user:"+id)
		}
	}
	if len(out) > MaxRotationMembers {
		return nil, invalid("escalate_to: name at most %d targets.", MaxRotationMembers)
	}
	return slices.Compact(out), nil
}

// CreateRotation makes a team's rotation (team and system admins).
func (s *Service) CreateRotation(ctx context.Context, actorID string, req RotationRequest) (*RotationView, error) {
	if err := s.requireTeamMember(actorID, req.TeamID); err != nil {
		return nil, err
	}
	if err := s.mayManageRotations(actorID, req.TeamID); err != nil {
		return nil, err
	}
	for field, missing := range map[string]bool{"name": req.Name == nil, "members": req.Members == nil} {
		if missing {
			return nil, invalid("%s: required.", field)
		}
	}
	now := time.Now().UnixMilli()
	r := &Rotation{ID: model.NewId(), TeamID: req.TeamID, Shift: 7 * 24 * time.Hour, HandoffMinute: 9 * 60, Timezone: "UTC",
		EscalateAfter: DefaultEscalateAfter, CreatedBy: actorID, CreatedAt: now, UpdatedAt: now, EscalateTo: []string{}}
	if err := s.applyRotationPatch(ctx, r, req.RotationPatch); err != nil {
		return nil, err
	}
	if err := s.store.CreateRotation(ctx, r); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return nil, conflict("name: the team already has a rotation %q.", r.Name)
		}
		return nil, err
	}
	return s.rotationView(ctx, r), nil
}

// ListRotations lists a team's rotations by name (its members may).
func (s *Service) ListRotations(ctx context.Context, actorID, teamID string) ([]*RotationView, error) {
	if err := s.requireTeamMember(actorID, teamID); err != nil {
		return nil, err
	}
	all, err := s.store.ListRotations(ctx, teamID)
	if err != nil {
		return nil, err
	}
	out := make([]*RotationView, len(all))
	for i, r := range all {
		out[i] = s.rotationView(ctx, r)
	}
	return out, nil
}

// rotationFor reads a rotation by id, or by name in a team, that the actor may see.
func (s *Service) rotationFor(ctx context.Context, actorID, teamID, idOrName string) (*Rotation, error) {
	var r *Rotation
	var err error
	if model.IsValidId(idOrName) {
		r, err = s.store.GetRotation(ctx, idOrName)
	}
	if r == nil && teamID != "" {
		r, err = s.rotationByName(ctx, teamID, idOrName)
	}
	if r == nil || errors.Is(err, ErrNotFound) {
		return nil, notFound("No such rotation.")
	}
	if err != nil {
		return nil, err
	}
	if !s.mm.IsTeamMember(r.TeamID, actorID) {
		return nil, notFound("No such rotation.")
	}
	return r, nil
}

// GetRotation reads a rotation by id (or by name within teamID).
func (s *Service) GetRotation(ctx context.Context, actorID, teamID, idOrName string) (*RotationView, error) {
	r, err := s.rotationFor(ctx, actorID, teamID, idOrName)
	if err != nil {
		return nil, err
	}
	return s.rotationView(ctx, r), nil
}

// UpdateRotation changes a rotation (team and system admins).
func (s *Service) UpdateRotation(ctx context.Context, actorID, teamID, idOrName string, p RotationPatch) (*RotationView, error) {
	r, err := s.rotationFor(ctx, actorID, teamID, idOrName)
	if err != nil {
		return nil, err
	}
	if err := s.mayManageRotations(actorID, r.TeamID); err != nil {
		return nil, err
	}
	if err := s.applyRotationPatch(ctx, r, p); err != nil {
		return nil, err
	}
	r.UpdatedAt = time.Now().UnixMilli()
	if err := s.store.UpdateRotation(ctx, r); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return nil, conflict("name: the team already has a rotation %q.", r.Name)
		}
		return nil, err
	}
	return s.rotationView(ctx, r), nil
}

// ChangeRotationMembers adds people at the end of a rotation, or removes them.
func (s *Service) ChangeRotationMembers(ctx context.Context, actorID, teamID, idOrName string, usernames []string, add bool) (*RotationView, error) {
	r, err := s.rotationFor(ctx, actorID, teamID, idOrName)
	if err != nil {
		return nil, err
	}
	ids, err := s.teamUserIDs(r.TeamID, "members", usernames)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, invalid("members: name someone, e.g. @sue.")
	}
	members := slices.Clone(r.MemberIDs)
	for _, id := range ids {
		i := slices.Index(members, id)
		switch {
		case add && i < 0:
			members = append(members, id)
		case !add && i >= 0:
			members = slices.Delete(members, i, i+1)
		case add:
			return nil, conflict("%s is already in %s.", s.mention(id), r.Name)
		default:
			return nil, conflict("%s is not in %s.", s.mention(id), r.Name)
		}
	}
	names := make([]string, len(members))
	for i, id := range members {
		names[i] = s.mention(id)
	}
	if len(names) == 0 {
		return nil, invalid("members: a rotation keeps at least one member; delete it instead.")
	}
	return s.UpdateRotation(ctx, actorID, "", r.ID, RotationPatch{Members: &names})
}

// DeleteRotation removes a rotation and its overrides (team and system admins).
// Open pages it made keep escalating on their fixed plan.
func (s *Service) DeleteRotation(ctx context.Context, actorID, teamID, idOrName string) error {
	r, err := s.rotationFor(ctx, actorID, teamID, idOrName)
	if err != nil {
		return err
	}
	if err := s.mayManageRotations(actorID, r.TeamID); err != nil {
		return err
	}
	return s.store.DeleteRotation(ctx, r.ID)
}

// AddOverride puts someone on call for a rotation from now for a while: its members
// and admins may; the one taking it must be in the team.
func (s *Service) AddOverride(ctx context.Context, actorID, teamID, rotation, username, duration string) (*Override, *Rotation, error) {
	r, err := s.rotationFor(ctx, actorID, teamID, rotation)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(r.MemberIDs, actorID) {
		if err := s.mayManageRotations(actorID, r.TeamID); err != nil {
			return nil, nil, forbidden("Only %s's members or a team or system admin can override it.", r.Name)
		}
	}
	ids, err := s.teamUserIDs(r.TeamID, "user", []string{username})
	if err != nil {
		return nil, nil, err
	}
	if len(ids) != 1 {
		return nil, nil, invalid("user: name who takes the shift, e.g. @sue.")
	}
	d, err := ParseDuration(duration)
	if err != nil || d < time.Minute || d > MaxOverride {
		return nil, nil, invalid("duration: give between 1m and 30d (e.g. 4h, 2d).")
	}
	now := time.Now()
	o := &Override{ID: model.NewId(), RotationID: r.ID, UserID: ids[0], StartsAt: now.UnixMilli(), EndsAt: now.Add(d).UnixMilli(),
		CreatedBy: actorID, CreatedAt: now.UnixMilli()}
	if err := s.store.AddOverride(ctx, o); err != nil {
		return nil, nil, err
	}
	return o, r, nil
}

// DialogRotation is the rotation form (`/devops rotation create` alone); its state is
// the team's id.
const DialogRotation = "rotation"

// OpenRotationDialog shows an admin the form that creates a rotation.
func (s *Service) OpenRotationDialog(ctx context.Context, actorID, teamID, triggerID string) error {
	if err := s.requireTeamMember(actorID, teamID); err != nil {
		return err
	}
	if err := s.mayManageRotations(actorID, teamID); err != nil {
		return err
	}
	disciplines := []*model.PostActionOptions{}
	for _, d := range s.settings().DisciplineSet().Names() {
		disciplines = append(disciplines, &model.PostActionOptions{Text: d, Value: d})
	}
	text := func(name, display, def, help string, optional bool) model.DialogElement {
		return model.DialogElement{DisplayName: display, Name: name, Type: "text", Default: def, HelpText: help, Optional: optional, MaxLength: 500}
	}
	return s.mm.OpenDialog(model.OpenDialogRequest{TriggerId: triggerID, URL: PluginPath + DialogPath(DialogRotation), Dialog: model.Dialog{
		CallbackId: DialogRotation, Title: "Create a rotation", SubmitLabel: "Create", State: teamID,
		Elements: []model.DialogElement{
			text("name", "Name", "", "e.g. platform-primary: letters, digits and dashes.", false),
			text("members", "Members, in order", "", "Usernames separated by spaces: @ann @bob. The first is on call until the first handover.", false),
			text("shift", "Shift", "1w", "How long each shift lasts: 12h, 1d, 1w (at least 1h).", false),
			text("handoff", "Handover time", "09:00", "The time of day shifts change, HH:MM.", false),
			text("timezone", "Time zone", "UTC", "An IANA zone: UTC, Europe/Berlin, America/New_York.", false),
			text("escalate_after", "Escalate after", CompactDuration(DefaultEscalateAfter), "Unacknowledged pages go to the next member after this (at least 1m).", false),
			{DisplayName: "Discipline", Name: "discipline", Type: "select", Options: disciplines, Optional: true,
				HelpText: "Incidents page their discipline's rotation (sev1 and sev2 page operations)."},
			{DisplayName: "Follow the sun", Name: "follow_the_sun", Type: "bool", Optional: true,
				Placeholder: "Put on call the first member inside their own working hours"},
			text("escalate_to", "Escalate to", "", "After the members: rotation:<name> and/or @people, separated by spaces.", true),
		},
	}})
}

// SubmitRotationDialog creates the rotation the form describes; a bad field is
// refused under it.
func (s *Service) SubmitRotationDialog(ctx context.Context, actorID, teamID string, values map[string]any) (FieldErrors, error) {
	str := func(k string) *string {
		v, _ := values[k].(string)
		v = strings.TrimSpace(v)
		return &v
	}
	members := splitTargets(*str("members"))
	req := RotationRequest{TeamID: teamID, RotationPatch: RotationPatch{Name: str("name"), Members: &members, Shift: str("shift"),
		Handoff: str("handoff"), Timezone: str("timezone"), EscalateAfter: str("escalate_after"), Discipline: str("discipline")}}
	if fts, ok := values["follow_the_sun"].(bool); ok {
		req.FollowTheSun = &fts
	}
	if to := TargetNames(splitTargets(*str("escalate_to"))); len(to) > 0 {
		req.EscalateTo = &to
	}
	if _, err := s.CreateRotation(ctx, actorID, req); err != nil {
		if e, ok := AsError(err); ok {
			if field, _, found := strings.Cut(e.Message, ":"); found && !strings.Contains(field, " ") {
				return FieldErrors{field: e.Message}, nil
			}
		}
		return nil, err
	}
	return nil, nil
}
