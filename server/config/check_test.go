package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkExample is testdata/check_result.json's request: one refused setting and
// three read back.
func checkExample() map[string]any {
	return map[string]any{
		"enabledtypes":      "incident, release",
		"templateoverrides": `{"release": {"stages": [{"name": "planned"}, {"name": "shipped", "gate": ["qa"]}]}}`,
		"disciplinemapping": "@Alice: qa",
		"broadcastchannels": "incident: " + strings.Repeat("a", 26),
		"remindercadence":   "sve1=15m, default=1d",
		"webhooksecret":     "too-short-secret", // 16 characters: accepted, and never echoed
	}
}

// The check answers what the save hook would refuse, with the same live checks, and
// reads back the accepted free text. Its answer is testdata/check_result.json, which
// the webapp's tests read as the server's answer (UPDATE_GOLDEN=1 rewrites it).
func TestCheckAnswersErrorsAndSummaries(t *testing.T) {
	got := Check(checkExample(), Checks{Live: testLive()})
	raw, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	raw = append(raw, '\n')
	golden := filepath.Join("testdata", "check_result.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.WriteFile(golden, raw, 0o600))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(raw))

	require.Len(t, got.Errors, 1)
	require.Equal(t, "ReminderCadence", got.Errors[0].Field)
	require.Contains(t, got.Errors[0].Reason, `"sve1" is not a severity of any workflow type`)
	require.Equal(t, map[string]any{"alice": "qa"}, got.Parsed["DisciplineMapping"])
	require.Equal(t, []string{"planned", "shipped"}, got.Parsed["TemplateOverrides"]["release"])
	require.NotContains(t, got.Parsed, "ReminderCadence", "a refused setting is not read back")
	require.NotContains(t, string(raw), "too-short-secret")
}

// The check is the save hook's judgement: the same refusals as Validate, in the
// same order, for every bad value; a value of the wrong kind is refused too.
func TestCheckIsTheSaveHooksValidation(t *testing.T) {
	entry := map[string]any{"remindercadence": "sev1=1s", "timelineemoji": "nosuch", "archiveafterdays": "many"}
	got := Check(entry, Checks{Live: testLive()})
	c, decodeErrs := DecodeFields(entry)
	_, errs := c.Validate(Checks{Live: testLive()})
	errs = append(decodeErrs, errs...)
	require.Len(t, got.Errors, len(errs))
	for i, e := range errs {
		require.Equal(t, CheckError{Field: e.Field, Reason: e.Reason}, got.Errors[i])
	}
	fields := []string{}
	for _, e := range got.Errors {
		fields = append(fields, e.Field)
	}
	require.ElementsMatch(t, []string{"ArchiveAfterDays", "ReminderCadence", "TimelineEmoji"}, fields)

	// Defaults: every summary is there, the cadence reads back in its own units.
	got = Check(map[string]any{"remindercadence": "sev1=15m, sev2=0, default=1d"}, Checks{})
	require.Empty(t, got.Errors)
	require.Equal(t, map[string]any{"sev1": "15m", "sev2": "off", "default": "1d"}, got.Parsed["ReminderCadence"])
	require.Len(t, got.Parsed["TemplateOverrides"], 7)
	require.Equal(t, map[string]any{}, got.Parsed["BroadcastChannels"])
}
