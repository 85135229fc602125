package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// ExportFormatMarkdown is the one export format.
const ExportFormatMarkdown = "markdown"

// exportTimelinePage is how many events the export reads per round trip.
const exportTimelinePage = 500

// Export is a workflow's postmortem document.
type Export struct {
	Filename string
	Content  string
}

// exportSection is one "## Heading" section of the export; an empty body leaves
// the section out.
type exportSection struct {
	heading string
	body    string
}

// ExportWorkflow renders a workflow the actor may read as a markdown postmortem:
// title, type, severity, people and roles, custom fields, stage durations, sign-offs
// with their source, every status update, the timeline, tasks and follow-ups. A
// private workflow is "not found" to whoever may not read its channel, as for Get.
func (s *Service) ExportWorkflow(ctx context.Context, actorID, id, format string) (*Export, error) {
	if format != "" && format != ExportFormatMarkdown {
		return nil, invalid("format: %q is not an export format; use `markdown`.", format)
	}
	w, err := s.Get(ctx, actorID, id)
	if err != nil {
		return nil, err
	}
	tmpl, err := s.templateOf(ctx, w)
	if err != nil {
		return nil, err
	}
	events, err := s.wholeTimeline(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	tasks, err := s.store.ListTasks(ctx, w.ID)
	if err != nil {
		return nil, errors.Wrap(err, "list tasks")
	}
	fields := s.exportFields(w, tmpl)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", w.Title)
	b.WriteString(s.exportFacts(w, tmpl))
	sections := []exportSection{
		{"People and roles", s.exportPeople(w, tmpl)},
		{"Fields", fields},
		{"Summary", w.Summary},
		{"Stage durations", exportStages(w, events)},
		{"Sign-offs", s.exportSignoffs(w)},
		{"Status updates", s.exportStatusUpdates(events)},
		{"Timeline", s.exportTimeline(events)},
		{"Tasks", s.exportTasks(tasks, false)},
		{"Follow-ups", s.exportTasks(tasks, true)},
	}
	for _, sec := range sections {
		if strings.TrimSpace(sec.body) != "" {
			fmt.Fprintf(&b, "\n## %s\n\n%s\n", sec.heading, strings.TrimRight(sec.body, "\n"))
		}
	}
	fmt.Fprintf(&b, "\n---\nExported %s UTC by %s.\n", time.Now().UTC().Format(MinuteLayout), s.ActorName(actorID))
	return &Export{Filename: fmt.Sprintf("%s-%d-postmortem.md", w.Type, w.Seq), Content: b.String()}, nil
}

// exportFields is the custom fields section of the export: the workflow's fields as
// "- **Name:** value" lines (unset ones as "—"), or "" while its template declares none.
func (s *Service) exportFields(w *Workflow, tmpl *Template) string {
	var b strings.Builder
	for _, f := range s.fieldValues(w, tmpl) {
		shown := f.Display
		if shown == "" {
			shown = "—"
		}
		fmt.Fprintf(&b, "- **%s:** %s\n", f.Name, shown)
	}
	return b.String()
}

// wholeTimeline reads every event of a workflow, oldest first.
func (s *Service) wholeTimeline(ctx context.Context, workflowID string) ([]TimelineEvent, error) {
	var all []TimelineEvent
	cursor := ""
	for {
		page, next, err := s.store.ListTimeline(ctx, workflowID, cursor, exportTimelinePage, false)
		if err != nil {
			return nil, errors.Wrap(err, "read the timeline")
		}
		all = append(all, page...)
		if next == "" || len(page) == 0 {
			return all, nil
		}
		cursor = next
	}
}

// cell makes text safe inside a markdown table cell: one line, no column breaks.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

func utc(at int64) string {
	if at == 0 {
		return "—"
	}
	return time.UnixMilli(at).UTC().Format(MinuteLayout)
}

func (s *Service) exportFacts(w *Workflow, tmpl *Template) string {
	rows := [][2]string{
		{"Workflow", fmt.Sprintf("%s %d", tmpl.Name, w.Seq)},
		{"Type", fmt.Sprintf("%s (`%s`)", tmpl.Name, w.Type)},
		{"Severity", orDash(w.Severity)},
		{"Status", w.Status},
		{"Stage", w.Stage},
		{"Channel", "~" + w.ChannelName},
		{"Started", utc(w.CreatedAt) + " UTC"},
	}
	if w.Status == StatusClosed {
		rows = append(rows, [2]string{"Closed", utc(w.ClosedAt) + " UTC"},
			[2]string{"Duration", humanDuration(time.Duration(w.ClosedAt-w.CreatedAt) * time.Millisecond)})
	}
	if w.Private {
		rows = append(rows, [2]string{"Visibility", "private"})
	}
	var b strings.Builder
	b.WriteString("| | |\n|:--|:--|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| **%s** | %s |\n", r[0], cell(r[1]))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// exportPeople names the lead, the starter and every role holder.
func (s *Service) exportPeople(w *Workflow, tmpl *Template) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- **Lead** (%s): %s\n", tmpl.LeadRole, s.ActorName(w.LeadID))
	fmt.Fprintf(&b, "- **Started by:** %s\n", s.ActorName(w.CreatedBy))
	for _, role := range tmpl.Roles {
		if id := w.Roles[role]; id != "" && role != tmpl.LeadRole {
			fmt.Fprintf(&b, "- **%s:** %s\n", role, s.ActorName(id))
		}
	}
	return b.String()
}

// exportStages is the time spent in each stage; a workflow still running counts its
// current stage up to now.
func exportStages(w *Workflow, events []TimelineEvent) string {
	until := *w
	if until.Status != StatusClosed || until.ClosedAt == 0 {
		until.ClosedAt = time.Now().UnixMilli()
	}
	var b strings.Builder
	b.WriteString("| Stage | Time in stage |\n|:--|:--|\n")
	for _, st := range stageDurations(&until, events) {
		fmt.Fprintf(&b, "| %s | %s |\n", cell(st.stage), humanDuration(st.d))
	}
	return b.String()
}

func (s *Service) exportSignoffs(w *Workflow) string {
	if len(w.Signoffs) == 0 {
		return "None."
	}
	var b strings.Builder
	b.WriteString("| Stage | Discipline | By | Source | At (UTC) | Note |\n|:--|:--|:--|:--|:--|:--|\n")
	for _, so := range w.Signoffs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", cell(so.Stage), cell(string(so.Discipline)), cell(s.ActorName(so.UserID)),
			orDash(string(so.Source)), utc(so.At), cell(so.Note))
	}
	return b.String()
}

// exportStatusUpdates is every status update, whole (events before the export
// existed kept only their first 280 characters).
func (s *Service) exportStatusUpdates(events []TimelineEvent) string {
	var b strings.Builder
	for _, ev := range events {
		if ev.Type != EventStatusUpdate {
			continue
		}
		text := ev.Data["text"]
		if text == "" {
			text = ev.Summary
		}
		fmt.Fprintf(&b, "### %s UTC — %s\n\n%s\n\n", utc(ev.At), s.ActorName(ev.ActorID), Quoted(text))
	}
	if b.Len() == 0 {
		return "None was posted."
	}
	return b.String()
}

func (s *Service) exportTimeline(events []TimelineEvent) string {
	var b strings.Builder
	b.WriteString("| At (UTC) | Event | By | What |\n|:--|:--|:--|:--|\n")
	for _, ev := range events {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", utc(ev.At), EventLabel(ev.Type), cell(s.ActorName(ev.ActorID)), cell(ev.Summary))
	}
	return b.String()
}

// exportTasks lists the checklist (followups false) or the follow-ups.
func (s *Service) exportTasks(tasks []*Task, followups bool) string {
	var b strings.Builder
	for _, t := range tasks {
		if t.Followup != followups {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("| # | Task | Stage | Assignees | Due (UTC) | Done |\n|:--|:--|:--|:--|:--|:--|\n")
		}
		done := "open"
		if t.Done {
			done = fmt.Sprintf("done %s by %s", utc(t.DoneAt), s.ActorName(t.DoneBy))
		}
		assignee := "—"
		if ids := t.Assignees(); len(ids) > 0 {
			names := make([]string, len(ids))
			for i, id := range ids {
				names[i] = s.ActorName(id)
			}
			assignee = strings.Join(names, ", ")
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", t.Number, cell(t.Text), cell(t.Stage), cell(assignee), utc(t.DueAt), cell(done))
	}
	return b.String()
}

// PostExport attaches a workflow's export to its channel, with a bot post naming who
// asked; the channel's members are who may read it.
func (s *Service) PostExport(ctx context.Context, actorID, id string) (*Export, error) {
	exp, err := s.ExportWorkflow(ctx, actorID, id, ExportFormatMarkdown)
	if err != nil {
		return nil, err
	}
	w, err := s.Get(ctx, actorID, id)
	if err != nil {
		return nil, err
	}
	if !s.mm.IsChannelMember(w.ChannelID, actorID) {
		return nil, forbidden("Only members of ~%s attach its export to it; `GET /workflows/%s/export` gives it to you.", w.ChannelName, w.ID)
	}
	info, err := s.mm.UploadFile([]byte(exp.Content), w.ChannelID, exp.Filename)
	if err != nil {
		return nil, errors.Wrap(err, "upload the export")
	}
	_, err = s.send(&model.Post{ChannelId: w.ChannelID, FileIds: []string{info.Id},
		Message: fmt.Sprintf("📄 Postmortem export of this workflow, for %s.", s.mention(actorID))}, shortenLong)
	return exp, err
}
