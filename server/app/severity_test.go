package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Every severity of every built-in type has its own reminder cadence, so an urgent
// one is never chased only by the once-a-day default; the most urgent within an hour.
func TestEverySeverityHasACadence(t *testing.T) {
	templates, err := BuildTemplates("", nil, BuiltinDisciplines())
	require.NoError(t, err)
	// The setting's default, as shipped in plugin.json.
	setting := map[string]time.Duration{"sev1": 15 * time.Minute, "sev2": 30 * time.Minute, "sev3": 2 * time.Hour,
		"sev4": 24 * time.Hour, "default": 24 * time.Hour}
	s := &Service{settings: func() *Settings { return &Settings{ReminderCadence: setting} }}
	mostUrgent := map[string]string{"incident": "sev1", "support": "p1", "security": "critical", "change": "emergency"}
	for _, tmpl := range templates.All() {
		for _, severity := range tmpl.Severities {
			_, inTemplate := tmpl.Cadence[severity]
			_, inSetting := setting[severity]
			require.True(t, inTemplate || inSetting, "%s %s has no cadence of its own", tmpl.Type, severity)
			d := s.cadence(&Workflow{Severity: severity}, tmpl)
			require.Positive(t, d)
			if mostUrgent[tmpl.Type] == severity {
				require.LessOrEqual(t, d, time.Hour, "%s %s", tmpl.Type, severity)
			}
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Minute: "30m", time.Hour: "1h", 90 * time.Minute: "1h 30m", 24 * time.Hour: "1d",
		26 * time.Hour: "1d 2h", 45 * time.Second: "45s",
	} {
		require.Equal(t, want, humanDuration(d))
	}
}
