package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseEvery(t *testing.T) {
	for in, want := range map[string]cadence{"1d": {days: 1}, "1W": {days: 7}, "2w": {days: 14}, "4w": {days: 28}, "monthly:15": {monthDay: 15}, "monthly:31": {monthDay: 31}} {
		got, err := parseEvery(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "3d", "1m", "monthly:0", "monthly:32", "monthly:", "fortnightly"} {
		_, err := parseEvery(bad)
		e, ok := AsError(err)
		require.True(t, ok, bad)
		require.Equal(t, KindInvalid, e.Kind)
		require.Contains(t, e.Message, "every:")
	}
}

func TestCadenceKeepsTheClockAndTheDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	// Weekly at 09:00 Berlin across the end of daylight saving (2026-10-25).
	start := time.Date(2026, 10, 19, 9, 0, 0, 0, berlin)
	week := cadence{days: 7}
	require.Equal(t, time.Date(2026, 10, 26, 9, 0, 0, 0, berlin), week.at(start, 1))
	require.Equal(t, 9, week.at(start, 1).Hour())
	require.Equal(t, 169*time.Hour, week.at(start, 1).Sub(start), "the clock stays at 9:00, so the week is an hour longer")

	// Monthly on the 31st: short months use their last day, the next month its 31st again.
	monthly := cadence{monthDay: 31}
	jan := time.Date(2027, 1, 31, 10, 0, 0, 0, berlin)
	require.Equal(t, time.Date(2027, 2, 28, 10, 0, 0, 0, berlin), monthly.at(jan, 1))
	require.Equal(t, time.Date(2027, 3, 31, 10, 0, 0, 0, berlin), monthly.at(jan, 2))
	require.Equal(t, time.Date(2027, 4, 30, 10, 0, 0, 0, berlin), monthly.at(jan, 3))
	// A start after this month's day: the first is next month's.
	late := time.Date(2027, 1, 20, 10, 0, 0, 0, berlin)
	require.Equal(t, time.Date(2027, 2, 15, 10, 0, 0, 0, berlin), cadence{monthDay: 15}.at(late, 0))
}

func TestFirstFromSkipsMissedPeriodsOnce(t *testing.T) {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	day := cadence{days: 1}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	next, k := day.firstFrom(start, 1, now)
	require.Equal(t, time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC), next)
	require.Equal(t, 69, k)
	// A period exactly now is not skipped.
	next, _ = day.firstFrom(start, 0, start)
	require.Equal(t, start, next)
}

func TestScheduleTitleAndVersion(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	require.Equal(t, "Sprint 3 (2026-12-07)", ScheduleTitle("Sprint {n} ({date})", 3, at, ""))
	require.Equal(t, "Release 2.5.0", ScheduleTitle("Release {version}", 1, at, NextVersion("2.4.1", BumpMinor)))
	for _, c := range []struct{ last, bump, want string }{
		{"2.4.1", BumpPatch, "2.4.2"}, {"2.4.1", BumpMinor, "2.5.0"}, {"v3.0", BumpPatch, "3.0.1"},
		{"1.2.3-rc1", BumpPatch, "1.2.4"}, {"", BumpMinor, "1.0.0"}, {"x.y", BumpMinor, "1.0.0"},
	} {
		require.Equal(t, c.want, NextVersion(c.last, c.bump), "%s %s", c.last, c.bump)
	}
}

func TestScheduleZone(t *testing.T) {
	loc, err := scheduleZone("America/New_York")
	require.NoError(t, err)
	require.Equal(t, "America/New_York", loc.String())
	for _, bad := range []string{"", "Local", "Mars/Olympus", "UTC+2"} {
		_, err := scheduleZone(bad)
		require.ErrorContains(t, err, "timezone:", bad)
	}
}
