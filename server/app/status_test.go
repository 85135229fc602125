package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDurationRefusesWhatDoesNotFit(t *testing.T) {
	for _, in := range []string{"999999w", "53w", "366d", "8761h", "999999d999999w", "52w52w", "999999m999999m999999m"} {
		_, err := ParseDuration(in)
		require.ErrorAs(t, err, new(*DurationTooLong), in)
	}
	d, err := ParseDuration("52w1d")
	require.NoError(t, err)
	require.Equal(t, 365*24*time.Hour, d, "a year exactly is accepted")
}

func TestParseDueStaysWithinFiveYears(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want string // the due time (UTC), or a part of the refusal
		ok   bool
	}{
		{"2h", "2026-12-02 12:00", true},
		{"52w", "2027-12-01 10:00", true},
		{"999999w", "too far ahead: a duration is at most a year", false},
		{"60w", "too far ahead", false},
		{"2031-11-30", "2031-11-30 23:59", true},
		{"2031-12-02", "too far ahead: at most 5 years, before 2031-12-01", false},
		{"9999-12-31T23:59", "too far ahead", false},
		{"2026-12-01", "in the past", false},
		{"1901-12-13", "in the past", false},
		{"0", "already past", false},
		{"soon", "not a due time", false},
	}
	for _, c := range cases {
		at, err := ParseDue(c.in, now, time.UTC)
		if c.ok {
			require.NoError(t, err, c.in)
			require.Equal(t, c.want, time.UnixMilli(at).UTC().Format("2006-01-02 15:04"), c.in)
			continue
		}
		e, ok := AsError(err)
		require.True(t, ok, "%s: %v", c.in, err)
		require.Equal(t, KindInvalid, e.Kind, c.in)
		require.Contains(t, e.Message, c.want, c.in)
	}
	_, err := checkDue(now.Add(maxDueAhead+time.Minute).UnixMilli(), now, "due_at")
	require.ErrorContains(t, err, "The due time due_at is too far ahead")
}

func TestParseTaskNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"1", 1}, {"#7", 7}, {" 42 ", 42}, {"2147483647", 2147483647}} {
		n, err := ParseTaskNumber(c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, n, c.in)
	}
	for in, kind := range map[string]Kind{
		"2147483648": KindNotFound, "99999999999": KindNotFound, "99999999999999999999999": KindNotFound,
		"0": KindInvalid, "-1": KindInvalid, "": KindInvalid, "#": KindInvalid, "1e3": KindInvalid, "seven": KindInvalid, "\x00": KindInvalid,
	} {
		_, err := ParseTaskNumber(in)
		e, ok := AsError(err)
		require.True(t, ok, "%q: %v", in, err)
		require.Equal(t, kind, e.Kind, "%q: %s", in, e.Message)
	}
	_, err := ParseTaskNumber("99999999999")
	require.EqualError(t, err, "No task #99999999999. `tasks` lists them.")
}
