package app

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SetSeverity changes a workflow's severity (an incident escalates or calms down); the
// lead or an admin may. The reminder clock follows the new severity's cadence.
func (s *Service) SetSeverity(ctx context.Context, actorID, id, severity string) (*Workflow, error) {
	severity = strings.ToLower(strings.TrimSpace(severity))
	var from string
	w, tmpl, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if len(tmpl.Severities) == 0 {
			return nil, invalid("A %s has no severities.", strings.ToLower(tmpl.Name))
		}
		if !tmpl.HasSeverity(severity) {
			return nil, invalid("Unknown severity %q for a %s. Severities: %s.", severity, strings.ToLower(tmpl.Name), strings.Join(tmpl.Severities, ", "))
		}
		if err := s.requireLead(w, tmpl, actorID, "change the severity"); err != nil {
			return nil, err
		}
		if w.Severity == severity {
			return nil, conflict("The severity is already %s.", severity)
		}
		from, w.Severity = w.Severity, severity
		since := time.UnixMilli(w.CreatedAt)
		if w.LastStatus != nil {
			since = time.UnixMilli(w.LastStatus.At)
		}
		w.NextReminderAt = s.nextReminder(w, tmpl, since)
		return []TimelineEvent{{Type: EventSeverityChanged, ActorID: actorID, Data: map[string]string{"from": from, "to": severity},
			Summary: fmt.Sprintf("Severity %s → %s by %s", from, severity, s.mention(actorID))}}, nil
	})
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("🚦 **Severity:** %s → **%s** (by %s).", from, w.Severity, s.mention(actorID))
	if d := s.cadence(w, tmpl); d > 0 {
		msg += fmt.Sprintf(" A status update is due every %s.", humanDuration(d))
	} else {
		msg += " No status reminders at this severity."
	}
	posted := s.post(w, msg)
	s.publish(w, ChangeSeverity)
	if target := tmpl.Page[w.Severity]; target != "" && target != tmpl.Page[from] {
		// Raised into a severity that pages a rotation the old one did not (a sev3
		// incident found to be a sev1): page as a start at that severity would have.
		s.pageAfterAnswer(ctx, w, tmpl)
	}
	return w, posted
}
