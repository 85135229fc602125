package app

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Times people read: a due time is typed in the typist's own time zone (their
// Mattermost setting), an answer to one person shows their local time, and what
// many read (channel posts, the retrospective) shows an ISO date in UTC, the zone
// named, so that nobody reads 12-02 as the 12th of February.

// maxDueAhead bounds a due time: further ahead is a typing mistake, and a date
// beyond it is refused before it can overflow anything.
const maxDueAhead = 5 * 365 * 24 * time.Hour

// DayLayout and MinuteLayout are the ISO forms times are shown in.
const (
	DayLayout    = "2006-01-02"
	MinuteLayout = "2006-01-02 15:04"
)

// FormatTime shows a time (ms since the epoch) as an ISO date and time in loc, the
// zone named: "2030-12-05 15:00 America/New_York", "2030-12-05 20:00 UTC".
func FormatTime(at int64, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return time.UnixMilli(at).In(loc).Format(MinuteLayout) + " " + loc.String()
}

// userLocation is a user's Mattermost time zone (automatic or manual, as they chose),
// UTC when they have none or it is unknown here.
func userLocation(u *model.User) *time.Location {
	if u == nil {
		return time.UTC
	}
	return zoneLocation(u.Timezone)
}

// zoneLocation is the location of a Mattermost time zone setting; UTC when unknown.
func zoneLocation(timezone map[string]string) *time.Location {
	tz := model.GetPreferredTimezone(timezone)
	if tz == "" {
		return time.UTC
	}
	if loc, ok := locations.Load(tz); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	locations.Store(tz, loc)
	return loc
}

// locations keeps the zones loaded so far by name. Loading one reads and parses the
// zone's file (~0.1 ms), once per member in `who`: 500 members spent most of `who`'s
// time there (make bench-large). A zone's rules do not change while the process runs,
// the names are the tz database's few hundred, and it holds nothing about anyone.
var locations sync.Map // name → *time.Location

// Location is the time zone a user reads and types times in; UTC when unknown.
func (s *Service) Location(userID string) *time.Location {
	u, err := s.mm.GetUser(userID)
	if err != nil {
		return time.UTC
	}
	return userLocation(u)
}

// ReaderLocation is the zone of the person a workflow was read for (Get, GetByChannel):
// their time zone came with the workflow, so it costs no server call (a call per
// `info` was most of what `info` lost after times were shown in the reader's zone).
// For anyone else it asks, as Location does.
func (s *Service) ReaderLocation(w *Workflow, userID string) *time.Location {
	if v := w.Viewer; v != nil && v.ID == userID && v.Timezone != nil {
		return zoneLocation(v.Timezone)
	}
	return s.Location(userID)
}

// clockTime is a time of day as people type it: 17:00, 9:30.
var clockTime = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// IsClockTime reports whether a word is a time of day (17:00): the slash command
// reads `--due 2030-12-05 15:00` as one due time, not a date and a word of text.
func IsClockTime(word string) bool {
	return clockTime.MatchString(word)
}

var weekdays = map[string]time.Weekday{}

func init() {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		weekdays[name], weekdays[name[:3]] = d, d
	}
}

// dueForms is the grammar, for refusals.
const dueForms = "a duration (2h, 3d), a day (tomorrow, friday, 2026-12-01) with or without a time (17:00), or a time today (17:00)"

// ParseDue reads a due time, in loc (the typist's time zone) where it names a day or
// a time of day:
//   - a duration from now: 2h, 3d, 1h30m;
//   - a day: 2026-12-01, today, tomorrow, or a weekday (friday, fri: the next one
//     after today) — the end of that day (23:59);
//   - a day and a time: 2026-12-01 15:00, 2026-12-01T15:00, tomorrow 9:00, fri 17:00;
//   - a time today: 17:00;
//   - a time with its zone (RFC 3339): 2026-12-01T15:00:00Z.
//
// Empty means no due time.
func ParseDue(s string, now time.Time, loc *time.Location) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if d, err := ParseDuration(s); err == nil {
		if d == 0 {
			return 0, invalid("A due time of 0 is already past; use e.g. 2h or 2026-12-01.")
		}
		return now.Add(d).UnixMilli(), nil
	} else if errors.As(err, new(*DurationTooLong)) {
		return 0, invalid("The due time %s is too far ahead: a duration is at most a year (52w); give a date for later, before %s.",
			s, now.Add(maxDueAhead).UTC().Format(DayLayout))
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return checkDue(t.UnixMilli(), now, s)
	}
	lower := strings.ToLower(s)
	if len(lower) > len(DayLayout) && lower[len(DayLayout)] == 't' {
		lower = lower[:len(DayLayout)] + " " + lower[len(DayLayout)+1:] // 2026-12-01T15:00
	}
	day, clock, _ := strings.Cut(lower, " ")
	if IsClockTime(day) && clock == "" {
		day, clock = "today", day
	}
	clock = strings.TrimSpace(clock)
	date, ok := dueDay(day, now.In(loc))
	if !ok || (clock != "" && !IsClockTime(clock)) {
		return 0, invalid("%q is not a due time: use %s. Days and times are in your time zone (%s).", s, dueForms, loc)
	}
	y, m, d := date.Date()
	at := time.Date(y, m, d, 23, 59, 0, 0, loc)
	if clock != "" {
		hh, mm, _ := strings.Cut(clock, ":")
		h, _ := strconv.Atoi(hh)
		mi, _ := strconv.Atoi(mm)
		at = time.Date(y, m, d, h, mi, 0, 0, loc)
		if day == "today" && at.Before(now.Add(-time.Minute)) {
			return 0, invalid("%s today (%s) has passed; say `tomorrow %s` for tomorrow.", clock, loc, clock)
		}
	}
	return checkDue(at.UnixMilli(), now, s)
}

// dueDay reads the day part of a due time, relative to local (now, in the typist's zone).
func dueDay(day string, local time.Time) (time.Time, bool) {
	switch day {
	case "today":
		return local, true
	case "tomorrow":
		return local.AddDate(0, 0, 1), true
	}
	if wd, ok := weekdays[day]; ok {
		ahead := (int(wd)-int(local.Weekday())+6)%7 + 1 // 1..7: never today
		return local.AddDate(0, 0, ahead), true
	}
	t, err := time.Parse(DayLayout, day)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// checkDue accepts a due time (ms) from now on to maxDueAhead ahead; as names it in
// the refusal.
func checkDue(at int64, now time.Time, as string) (int64, error) {
	switch {
	case at < now.Add(-time.Minute).UnixMilli():
		return 0, invalid("The due time %s is in the past.", as)
	case at > now.Add(maxDueAhead).UnixMilli():
		return 0, invalid("The due time %s is too far ahead: at most 5 years, before %s.", as, now.Add(maxDueAhead).UTC().Format(DayLayout))
	}
	return at, nil
}

// dueSuffix is " · due <time>" for a task with a due time, in loc; empty without one.
func dueSuffix(dueAt int64, loc *time.Location) string {
	if dueAt == 0 {
		return ""
	}
	return fmt.Sprintf(" · due %s", FormatTime(dueAt, loc))
}
