package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// StatsFilter selects the workflows stats are computed over.
type StatsFilter struct {
	TeamID   string
	ViewerID string
	Type     string
	Since    int64
	// ReadsPublic as in ListFilter.
	ReadsPublic bool
	// GroupBy splits each type's figures: GroupBySeverity, or a select field's key.
	GroupBy string
}

// GroupBySeverity groups stats by severity (StatsFilter.GroupBy).
const GroupBySeverity = "severity"

// TypeStats are one workflow type's figures.
type TypeStats struct {
	Type                  string `json:"type"`
	Started               int    `json:"started"`
	Active                int    `json:"active"`
	Closed                int    `json:"closed"`
	MeanToFirstStatusMs   int64  `json:"mean_to_first_status_ms"`
	MedianToFirstStatusMs int64  `json:"median_to_first_status_ms"`
	MeanToCloseMs         int64  `json:"mean_to_close_ms"`
	MedianToCloseMs       int64  `json:"median_to_close_ms"`
	// Group is the severity or field value these figures are for, when grouped ("":
	// none set); absent when not grouped.
	Group *string `json:"group,omitempty"`
}

// Stats returns per-type figures for the workflows started in the last days days.
func (s *Service) Stats(ctx context.Context, actorID, teamID, typ string, days int) ([]TypeStats, error) {
	return s.StatsBy(ctx, actorID, teamID, typ, days, "")
}

// StatsBy is Stats with each type's figures split by severity (by "severity") or by
// a select field's value (by its key, or field.<key>).
func (s *Service) StatsBy(ctx context.Context, actorID, teamID, typ string, days int, by string) ([]TypeStats, error) {
	if teamID != "" {
		if err := checkID("team_id", teamID); err != nil {
			return nil, err
		}
	}
	if teamID == "" || !s.mm.IsTeamMember(teamID, actorID) {
		return nil, forbidden("You are not a member of that team.")
	}
	if typ != "" {
		// Counted for every defined type: a disabled one's workflows still run.
		if _, ok := s.settings().Templates.Defined(typ); !ok {
			return nil, invalid("Unknown workflow type %q. Types: %s.", typ, strings.Join(s.settings().Templates.Types(), ", "))
		}
	}
	if days == 0 {
		days = 30
	}
	if days < 1 || days > 3650 {
		return nil, invalid("--days must be between 1 and 3650.")
	}
	group, err := s.statsGroup(strings.ToLower(typ), by)
	if err != nil {
		return nil, err
	}
	f := StatsFilter{TeamID: teamID, ViewerID: actorID, Type: strings.ToLower(typ), GroupBy: group,
		Since: time.Now().Add(-time.Duration(days) * 24 * time.Hour).UnixMilli()}
	return readAsTeamReader(s, actorID, teamID, func(readsPublic bool) ([]TypeStats, error) {
		f.ReadsPublic = readsPublic
		return s.store.Stats(ctx, f)
	})
}

// retrospective is posted when a workflow closes: how long it took overall and per
// stage, how fast the first status update came, the sign-offs, the tasks and the timeline.
// The names in its rows are written inert: a record read by the channel pings nobody.
func (s *Service) retrospective(ctx context.Context, w *Workflow, tmpl *Template) (string, error) {
	events, _, err := s.store.ListTimeline(ctx, w.ID, "", 500, false)
	if err != nil {
		return "", err
	}
	tasks, err := s.store.ListTasks(ctx, w.ID)
	if err != nil {
		return "", errors.Wrap(err, "list tasks")
	}
	var b strings.Builder
	total := time.Duration(w.ClosedAt-w.CreatedAt) * time.Millisecond
	fmt.Fprintf(&b, "#### Retrospective — %s\n", Headline(tmpl.Name, w.Seq, w.Title))
	fmt.Fprintf(&b, "**Duration:** %s", humanDuration(total))
	if w.FirstStatusAt > 0 {
		fmt.Fprintf(&b, " · **first status update after** %s", humanDuration(time.Duration(w.FirstStatusAt-w.CreatedAt)*time.Millisecond))
	} else {
		b.WriteString(" · no status update was posted")
	}
	statusUpdates := 0
	var severities []string
	for _, ev := range events {
		switch ev.Type {
		case EventStatusUpdate:
			statusUpdates++
		case EventSeverityChanged:
			severities = append(severities, fmt.Sprintf("%s → %s (%s, %s)", ev.Data["from"], ev.Data["to"],
				Inline(s.ActorName(ev.ActorID)), FormatTime(ev.At, time.UTC)))
		}
	}
	fmt.Fprintf(&b, " · **status updates:** %d", statusUpdates)
	if len(severities) > 0 {
		fmt.Fprintf(&b, "\n**Severity changes:** %s", strings.Join(severities, " · "))
	}
	if roles := s.roleList(w, tmpl); roles != "" {
		fmt.Fprintf(&b, "\n**Roles:** %s", roles)
	}
	b.WriteString("\n\n| Stage | Time in stage |\n|:--|:--|\n")
	for _, st := range stageDurations(w, events) {
		fmt.Fprintf(&b, "| %s | %s |\n", st.stage, humanDuration(st.d))
	}
	if len(w.Signoffs) > 0 {
		var parts []string
		for _, so := range w.Signoffs {
			parts = append(parts, fmt.Sprintf("%s/%s by %s", so.Stage, so.Discipline, s.mention(so.UserID)))
		}
		fmt.Fprintf(&b, "\n**Sign-offs:** %s\n", strings.Join(parts, " · "))
	}
	done, open, followups := 0, []string{}, []string{}
	for _, t := range tasks {
		switch {
		case t.Done:
			done++
		case t.Followup:
			followups = append(followups, fmt.Sprintf("#%d %s", t.Number, Inline(t.Text)))
		default:
			open = append(open, fmt.Sprintf("#%d %s", t.Number, Inline(t.Text)))
		}
	}
	fmt.Fprintf(&b, "\n**Tasks:** %d done, %d open", done, len(open))
	if len(open) > 0 {
		fmt.Fprintf(&b, " — %s", strings.Join(firstN(open, 10), " · "))
	}
	fmt.Fprintf(&b, "\n**Follow-ups** (they stay open after the close; `/%[1]s task add <text>` here adds one, `/%[1]s followups` lists the team's): ", s.settings().CommandTrigger)
	if len(followups) == 0 {
		b.WriteString("none yet")
	}
	b.WriteString(strings.Join(firstN(followups, 20), " · ")) // what outlives the close: more of it
	b.WriteString("\n\n**Timeline** (UTC):\n")
	shown := events
	if len(shown) > 30 {
		shown = shown[len(shown)-30:]
		fmt.Fprintf(&b, "_(the last 30 of %d events; `/%s timeline` has them all)_\n", len(events), s.settings().CommandTrigger)
	}
	for _, ev := range shown {
		fmt.Fprintf(&b, "- `%s` **%s** (%s) — %s\n", time.UnixMilli(ev.At).UTC().Format(MinuteLayout), EventLabel(ev.Type), Inline(s.ActorName(ev.ActorID)), Inline(ev.Summary))
	}
	if w.Summary != "" {
		fmt.Fprintf(&b, "\n**Summary:**\n%s\n", Quoted(w.Summary))
	}
	return b.String(), nil
}

// roleList names the workflow's role holders in the template's order: "commander
// @ana, scribe @ben".
func (s *Service) roleList(w *Workflow, tmpl *Template) string {
	var parts []string
	for _, role := range tmpl.Roles {
		if id := w.Roles[role]; id != "" {
			parts = append(parts, fmt.Sprintf("%s %s", role, Inline(s.mention(id))))
		}
	}
	return strings.Join(parts, ", ")
}

type stageTime struct {
	stage string
	d     time.Duration
}

// stageDurations walks the stage changes on the timeline: each stage lasts until the
// next change, the last one until the workflow closed. A stage entered twice adds up.
func stageDurations(w *Workflow, events []TimelineEvent) []stageTime {
	var out []stageTime
	index := map[string]int{}
	add := func(stage string, d time.Duration) {
		if i, ok := index[stage]; ok {
			out[i].d += d
			return
		}
		index[stage] = len(out)
		out = append(out, stageTime{stage, d})
	}
	stage, since := "", w.CreatedAt
	for _, ev := range events {
		switch {
		case ev.Type == EventCreated:
			stage, since = ev.Data["stage"], ev.At
		case ev.Type == EventStageChanged && ev.Data["to"] != "":
			if stage == "" {
				stage = ev.Data["from"]
			}
			add(stage, time.Duration(ev.At-since)*time.Millisecond)
			stage, since = ev.Data["to"], ev.At
		}
	}
	if stage == "" {
		stage = w.Stage
	}
	add(stage, time.Duration(w.ClosedAt-since)*time.Millisecond)
	return out
}

// MySummary counts the actor's active workflows per type in a team (the sidebar widget).
func (s *Service) MySummary(ctx context.Context, actorID, teamID string) (map[string]int, error) {
	if teamID != "" {
		if err := checkID("team_id", teamID); err != nil {
			return nil, err
		}
	}
	if teamID == "" || !s.mm.IsTeamMember(teamID, actorID) {
		return nil, forbidden("You are not a member of that team.")
	}
	return s.store.ActiveCounts(ctx, teamID, actorID)
}
