package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func rotationAt(created time.Time, shift time.Duration, handoff int, tz string, members ...string) *Rotation {
	return &Rotation{ID: "r", Name: "r", MemberIDs: members, Shift: shift, HandoffMinute: handoff, Timezone: tz, CreatedAt: created.UnixMilli()}
}

func TestOrderedShiftsHandOverAtTheLocalTimeOfDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	// Created on a Thursday at 15:00 Berlin: Ann until Friday 09:00, then Bob, ...
	created := time.Date(2027, 3, 25, 15, 0, 0, 0, berlin)
	r := rotationAt(created, 24*time.Hour, 9*60, "Europe/Berlin", "ann", "bob", "cho")
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{created.Add(-time.Hour), "ann"}, // before the creation: the first member
		{created, "ann"},
		{time.Date(2027, 3, 26, 8, 59, 59, 0, berlin), "ann"},
		{time.Date(2027, 3, 26, 9, 0, 0, 0, berlin), "bob"},
		{time.Date(2027, 3, 27, 9, 0, 0, 0, berlin), "cho"},
		// Summer time starts on 28 March: the handover stays at 09:00 local.
		{time.Date(2027, 3, 28, 8, 59, 0, 0, berlin), "cho"},
		{time.Date(2027, 3, 28, 9, 0, 0, 0, berlin), "ann"},
		{time.Date(2027, 3, 29, 9, 0, 0, 0, berlin), "bob"},
	} {
		require.Equal(t, tc.want, r.shiftMember(tc.at), "at %s", tc.at)
	}
	next := r.handoverAt(r.handoverNumber(time.Date(2027, 3, 28, 10, 0, 0, 0, berlin)) + 1)
	require.Equal(t, time.Date(2027, 3, 29, 9, 0, 0, 0, berlin), next.In(berlin))

	// A handoff earlier in the day than the creation: the first handover is tomorrow's.
	early := rotationAt(time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC), 7*24*time.Hour, 9*60, "UTC", "ann", "bob")
	require.Equal(t, "ann", early.shiftMember(time.Date(2027, 1, 12, 8, 59, 0, 0, time.UTC)))
	require.Equal(t, "bob", early.shiftMember(time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)))
	require.Equal(t, "ann", early.shiftMember(time.Date(2027, 1, 19, 9, 0, 0, 0, time.UTC)))
}

func TestShiftsShorterThanADayStepInElapsedTime(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	created := time.Date(2027, 6, 1, 12, 0, 0, 0, kolkata)
	r := rotationAt(created, 12*time.Hour, 6*60+30, "Asia/Kolkata", "ann", "bob")
	require.Equal(t, "ann", r.shiftMember(time.Date(2027, 6, 1, 18, 29, 0, 0, kolkata)))
	require.Equal(t, "bob", r.shiftMember(time.Date(2027, 6, 1, 18, 30, 0, 0, kolkata)))
	require.Equal(t, "ann", r.shiftMember(time.Date(2027, 6, 2, 6, 30, 0, 0, kolkata)))
	require.Equal(t, "bob", r.shiftMember(time.Date(2027, 6, 2, 18, 30, 0, 0, kolkata)))
}

func TestCompactDurationReadsBack(t *testing.T) {
	for _, d := range []time.Duration{time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 90 * time.Minute, 5 * time.Minute, 30 * time.Second, 8*24*time.Hour + time.Hour} {
		back, err := ParseDuration(CompactDuration(d))
		require.NoError(t, err)
		require.Equal(t, d, back, CompactDuration(d))
	}
	require.Equal(t, "1w", CompactDuration(7*24*time.Hour))
	require.Equal(t, "1h30m", CompactDuration(90*time.Minute))
}

func TestFloorDivRoundsDown(t *testing.T) {
	require.EqualValues(t, -1, floorDiv(-1, 7))
	require.EqualValues(t, -2, floorDiv(-8, 7))
	require.EqualValues(t, 1, floorDiv(7, 7))
	require.EqualValues(t, 2, floorMod(-1, 3))
}

func TestTemplatesPageBySeverity(t *testing.T) {
	ts, err := BuildTemplates("", nil, nil)
	require.NoError(t, err)
	incident, err := ts.Startable("incident")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"sev1": "discipline:operations", "sev2": "discipline:operations"}, incident.Page)

	// An override with its own severities keeps only the pages of those it kept.
	ts, err = BuildTemplates(`{"incident": {"severities": ["sev1", "p2"], "default_severity": "p2"}}`, nil, nil)
	require.NoError(t, err)
	incident, err = ts.Startable("incident")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"sev1": "discipline:operations"}, incident.Page)

	for overrides, want := range map[string]string{
		`{"incident": {"page": {"sev9": "ops"}}}`:              `page: "sev9" is not one of the severities`,
		`{"incident": {"page": {"sev1": "discipline:cooks"}}}`: `page[sev1]`,
		`{"incident": {"page": {"sev1": "two words"}}}`:        `neither a rotation's name nor discipline:<name>`,
	} {
		_, err := BuildTemplates(overrides, nil, nil)
		require.ErrorContains(t, err, want, overrides)
	}
	ts, err = BuildTemplates(`{"release": {"severities": ["hotfix"], "page": {"hotfix": "release-managers"}}}`, nil, nil)
	require.NoError(t, err)
	release, err := ts.Startable("release")
	require.NoError(t, err)
	require.Equal(t, "release-managers", release.Page["hotfix"])
}
