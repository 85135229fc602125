package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var newYork = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Days and times are read in the typist's zone: 15:00 in New York is 20:00 UTC.
func TestParseDueReadsTheTypistsZone(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC) // Wednesday, 10:00 in New York
	cases := []struct{ in, want string }{
		{"2030-12-05 15:00", "2030-12-05 20:00"},
		{"2030-12-05T15:00", "2030-12-05 20:00"},
		{"2030-12-05t9:30", "2030-12-05 14:30"},
		{"2030-12-05", "2030-12-06 04:59"}, // the end of that day in New York
		{"17:00", "2026-12-02 22:00"},
		{"tomorrow", "2026-12-04 04:59"},
		{"Tomorrow 9:00", "2026-12-03 14:00"},
		{"today 23:00", "2026-12-03 04:00"},
		{"friday", "2026-12-05 04:59"},
		{"fri 17:00", "2026-12-04 22:00"},
		{"wed", "2026-12-10 04:59"}, // a weekday is never today: today is "today"
		{"2h", "2026-12-02 17:00"},
		{"2030-12-05T15:00:00Z", "2030-12-05 15:00"}, // a zone typed wins
		{"2031-06-05 15:00", "2031-06-05 19:00"},     // summer time in New York
	}
	for _, c := range cases {
		at, err := ParseDue(c.in, now, newYork)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, time.UnixMilli(at).UTC().Format(MinuteLayout), c.in)
	}
}

func TestParseDueRefusesWhatItCannotRead(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"9:00":              "9:00 today (America/New_York) has passed; say `tomorrow 9:00`",
		"25:00":             "is not a due time",
		"tomorrow 9":        "is not a due time",
		"someday":           "is not a due time: use a duration (2h, 3d), a day (tomorrow, friday, 2026-12-01)",
		"2030-12-05 15:00x": "Days and times are in your time zone (America/New_York)",
		"2026-12-01 15:00":  "in the past",
		"2026-12-02 09:00":  "in the past",
	} {
		_, err := ParseDue(in, now, newYork)
		e, ok := AsError(err)
		require.True(t, ok, "%q: %v", in, err)
		require.Equal(t, KindInvalid, e.Kind, in)
		require.Contains(t, e.Message, want, in)
	}
}

func TestFormatTimeNamesTheZone(t *testing.T) {
	at := time.Date(2030, 12, 5, 20, 0, 0, 0, time.UTC).UnixMilli()
	require.Equal(t, "2030-12-05 20:00 UTC", FormatTime(at, time.UTC))
	require.Equal(t, "2030-12-05 20:00 UTC", FormatTime(at, nil))
	require.Equal(t, "2030-12-05 15:00 America/New_York", FormatTime(at, newYork))
	require.True(t, IsClockTime("9:05"))
	require.False(t, IsClockTime("24:00"))
}

func TestZoneLocationLoadsEachZoneOnce(t *testing.T) {
	manual := map[string]string{"useAutomaticTimezone": "false", "manualTimezone": "Asia/Tokyo"}
	first := zoneLocation(manual)
	require.Equal(t, "Asia/Tokyo", first.String())
	require.Same(t, first, zoneLocation(manual), "the second reader gets the zone already loaded")
	auto := map[string]string{"useAutomaticTimezone": "true", "automaticTimezone": "Asia/Tokyo", "manualTimezone": "Europe/Berlin"}
	require.Same(t, first, zoneLocation(auto), "the preferred zone, automatic here")
	require.Equal(t, time.UTC, zoneLocation(map[string]string{"useAutomaticTimezone": "false", "manualTimezone": "Mars/Olympus"}))
	require.Equal(t, time.UTC, zoneLocation(nil))
}
