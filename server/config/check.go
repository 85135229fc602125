package config

import (
	"github.com/devopschannels/devops-channels/server/app"
)

// CheckResult answers POST /api/v1/settings/check: what the save hook would refuse,
// and what each accepted free-text setting means once read, so the System Console
// can show an admin both as they type. The webapp reads this shape
// (webapp/src/settings.ts); testdata/check_result.json is an example of it that
// both sides' tests read, so neither drifts.
type CheckResult struct {
	Errors []CheckError              `json:"errors"`
	Parsed map[string]map[string]any `json:"parsed"`
}

// CheckError is one refused setting. The value is left out: it may be the
// webhook secret.
type CheckError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// SummarizedFields are the settings a summary is given for: the free text that is
// hard to get right.
var SummarizedFields = []string{"TemplateOverrides", "DisciplineMapping", "BroadcastChannels", "ReminderCadence"}

// Check judges a plugin's entry of the server configuration (keys as in plugin.json,
// in any case) exactly as the save hook does — decoded field by field, then
// validated with the same checks — and summarizes every summarized field that is
// accepted.
func Check(entry map[string]any, checks Checks) *CheckResult {
	c, decodeErrs := DecodeFields(entry)
	s, errs := c.Validate(checks)
	errs = append(decodeErrs, errs...)
	out := &CheckResult{Errors: []CheckError{}, Parsed: map[string]map[string]any{}}
	refused := map[string]bool{}
	for _, e := range errs {
		refused[e.Field] = true
		out.Errors = append(out.Errors, CheckError{Field: e.Field, Reason: e.Reason})
	}
	for _, field := range SummarizedFields {
		if refused[field] {
			continue
		}
		if summary := summarize(field, s); summary != nil {
			out.Parsed[field] = summary
		}
	}
	return out
}

// summarize reads back what a setting means: each enabled type's stages, each
// person's discipline, each type's channels, each severity's cadence ("off" for 0).
// nil when the setting was not judged (the broadcast channels wait for valid types).
func summarize(field string, s *app.Settings) map[string]any {
	out := map[string]any{}
	switch field {
	case "TemplateOverrides":
		if s.Templates == nil {
			return nil
		}
		for _, t := range s.Templates.All() {
			stages := make([]string, 0, len(t.Stages))
			for _, st := range t.Stages {
				stages = append(stages, st.Name)
			}
			out[t.Type] = stages
		}
	case "DisciplineMapping":
		for username, d := range s.DisciplineMapping {
			out[username] = string(d)
		}
	case "BroadcastChannels":
		if s.BroadcastChannels == nil && s.Templates == nil {
			return nil
		}
		for typ, ids := range s.BroadcastChannels {
			out[typ] = ids
		}
	case "ReminderCadence":
		for severity, d := range s.ReminderCadence {
			if d == 0 {
				out[severity] = "off"
			} else {
				out[severity] = shortDuration(d)
			}
		}
	}
	return out
}
