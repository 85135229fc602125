package command

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

func (h *Handler) status(c *call) *model.CommandResponse {
	if c.text == "" {
		return h.openDialog(c, app.DialogStatus)
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.PostStatus(ctx, c.args.UserId, w.ID, c.text)
		return err
	})
}

func (h *Handler) task(c *call) *model.CommandResponse {
	usage := ephemeral("Usage: `/%[1]s task add <text> [--to @user[,@user…]] [--due 2h]`, `/%[1]s task done <n>`, `/%[1]s task undo <n>` or `/%[1]s task assign <n> @user [@user…]`.", c.trigger)
	if len(c.words) < 1 {
		return usage
	}
	verb := strings.ToLower(c.words[0])
	if verb == "add" && c.text == "" && len(c.flags) == 0 {
		return h.openDialog(c, app.DialogTask)
	}
	if verb == "add" {
		// The text is the task as typed; an assignee is named with --to, never taken
		// from the end of the text ("Sync with @sue" is a task about Sue).
		// Several assignees: --to @sue,@ben.
		to := strings.Split(c.flags["to"], ",")
		for _, name := range to {
			if c.flags["to"] != "" && !strings.HasPrefix(strings.TrimSpace(name), "@") {
				return usage
			}
		}
		if c.text == "" {
			return usage
		}
		var task *app.Task
		answer := h.onHere(c, func(ctx context.Context, w *app.Workflow) (err error) {
			task, err = h.svc.AddTask(ctx, c.args.UserId, w.ID, app.TaskRequest{Text: c.text, Assignees: to, Due: c.flags["due"], Followup: c.flags.has("followup")})
			return err
		})
		if task != nil && task.DueAt != 0 && answer.Text == "" {
			// The channel's post shows UTC, for everyone; the typist sees it in their time.
			return ephemeral("Task #%d is due %s, your time.", task.Number, app.FormatTime(task.DueAt, h.svc.Location(c.args.UserId)))
		}
		return answer
	}
	// The other verbs take words, not text.
	for _, w := range splitWords(c.text) {
		c.words = append(c.words, w.text)
	}
	if len(c.words) < 2 || c.flags.has("due") || c.flags.has("to") || c.flags.has("followup") {
		return usage
	}
	switch verb {
	case "assign":
		// Several people: `task assign 3 @sue @ben` (commas are fine too).
		var names []string
		for _, word := range c.words[2:] {
			for _, name := range strings.Split(word, ",") {
				if name == "" {
					continue
				}
				if !strings.HasPrefix(name, "@") {
					return usage
				}
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			return usage
		}
		n, bad := h.taskNumber(c)
		if bad != nil {
			return bad
		}
		return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
			_, err := h.svc.AssignTask(ctx, c.args.UserId, w.ID, n, names...)
			return err
		})
	case "done", "undo":
		if len(c.words) != 2 {
			return usage
		}
		n, bad := h.taskNumber(c)
		if bad != nil {
			return bad
		}
		return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
			_, err := h.svc.SetTaskDone(ctx, c.args.UserId, w.ID, n, verb == "done")
			return err
		})
	default:
		return usage
	}
}

// taskNumber reads the task number in `task <verb> <n>`; the answer is non-nil when it is not one.
func (h *Handler) taskNumber(c *call) (int, *model.CommandResponse) {
	n, err := app.ParseTaskNumber(c.words[1])
	if err != nil {
		return 0, h.fail(c, err)
	}
	return n, nil
}

func (h *Handler) tasks(c *call) *model.CommandResponse {
	w, err := h.workflowHere(c)
	if err != nil {
		return h.fail(c, err)
	}
	_, tasks, err := h.svc.Tasks(context.Background(), c.args.UserId, w.ID)
	if err != nil {
		return h.fail(c, err)
	}
	if len(tasks) == 0 {
		return ephemeral("No tasks yet. Add one with `/%s task add <text>`.", c.trigger)
	}
	var b strings.Builder
	open := 0
	loc := h.svc.ReaderLocation(w, c.args.UserId)
	for _, t := range tasks {
		box := "☑"
		if !t.Done {
			box = "☐"
			open++
		}
		fmt.Fprintf(&b, "%s **#%d** %s", box, t.Number, app.Inline(t.Text))
		if t.Discipline != "" {
			fmt.Fprintf(&b, " · _%s_", t.Discipline)
		}
		for i, id := range t.Assignees() {
			sep := ", "
			if i == 0 {
				sep = " · "
			}
			fmt.Fprintf(&b, "%s%s", sep, h.username(id))
		}
		if t.DueAt != 0 {
			fmt.Fprintf(&b, " · due %s", app.FormatTime(t.DueAt, loc))
		}
		fmt.Fprintf(&b, " · %s\n", t.Stage)
	}
	return ephemeral("#### Tasks: %d open of %d\n%s", open, len(tasks), b.String())
}

func (h *Handler) timeline(c *call) *model.CommandResponse {
	w, err := h.workflowHere(c)
	if err != nil {
		return h.fail(c, err)
	}
	events, next, err := h.svc.Timeline(context.Background(), c.args.UserId, w.ID, "", 100, false)
	if err != nil {
		return h.fail(c, err)
	}
	var b strings.Builder
	// The answer is the caller's alone: their time zone, named in the heading.
	loc := h.svc.ReaderLocation(w, c.args.UserId)
	fmt.Fprintf(&b, "#### Timeline\n| When (%s) | Who | What | |\n|:--|:--|:--|:--|\n", loc)
	for _, ev := range events {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", time.UnixMilli(ev.At).In(loc).Format(app.MinuteLayout+":05"), h.svc.ActorName(ev.ActorID),
			app.EventLabel(ev.Type), app.Inline(ev.Summary))
	}
	if next != "" {
		b.WriteString("\nThe first 100 events; the panel and the API page through the rest.")
	}
	return ephemeral("%s", b.String())
}

func (h *Handler) snooze(c *call) *model.CommandResponse {
	if len(c.words) != 1 {
		return ephemeral("Usage: `/%s snooze <duration>`, e.g. `/%s snooze 30m`.", c.trigger, c.trigger)
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.Snooze(ctx, c.args.UserId, w.ID, c.words[0])
		return err
	})
}

// whoPerPage keeps `who` of a channel of hundreds under Mattermost's post size: a
// row is at most ~250 characters (a 64-character username, a granted-by name, a
// zone), so 50 rows stay near 12,500 of the 16,383 a post may hold.
const whoPerPage = 50

func (h *Handler) who(c *call) *model.CommandResponse {
	page := 1
	if len(c.words) > 0 {
		n, err := strconv.Atoi(c.words[0])
		if err != nil || n < 1 || len(c.words) > 1 {
			return ephemeral("Usage: `/%s who [page]`, a page number from 1.", c.trigger)
		}
		page = n
	}
	w, err := h.workflowHere(c)
	if err != nil {
		return h.fail(c, err)
	}
	_, people, err := h.svc.Who(context.Background(), c.args.UserId, w.ID)
	if err != nil {
		return h.fail(c, err)
	}
	return ephemeral("%s", h.whoPage(people, page, c.trigger))
}

// whoPage renders one page of `who`, saying where the others are.
func (h *Handler) whoPage(people []app.Person, page int, trigger string) string {
	pages := max(1, (len(people)+whoPerPage-1)/whoPerPage)
	if page > pages {
		return fmt.Sprintf("There is no page %d: %d people are on this, %d a page (`/%s who %d` is the last).",
			page, len(people), whoPerPage, trigger, pages)
	}
	from, to := (page-1)*whoPerPage, min(page*whoPerPage, len(people))
	var b strings.Builder
	b.WriteString("#### Who is on this\n| Person | Discipline | Role | Local time | |\n|:--|:--|:--|:--|:--|\n")
	for _, p := range people[from:to] {
		at := "off hours"
		if p.InWorkingHours {
			at = "at work"
		}
		fmt.Fprintf(&b, "| @%s | %s | %s | %s (%s) | %s |\n", p.Username, h.provenance(p), orDash(p.Role), p.LocalTime, p.Timezone, at)
	}
	if pages > 1 {
		fmt.Fprintf(&b, "\nPeople %d–%d of %d.", from+1, to, len(people))
		if page < pages {
			fmt.Fprintf(&b, " `/%s who %d` for the next ones.", trigger, page+1)
		}
	}
	return b.String()
}

// provenance is a person's discipline and how it is known: "qa (granted by @carol)".
func (h *Handler) provenance(p app.Person) string {
	switch p.DisciplineSource {
	case app.SourceGranted:
		return fmt.Sprintf("%s (granted by %s)", p.Discipline, h.username(p.GrantedBy))
	case app.SourceMapped, app.SourceDeclared:
		return fmt.Sprintf("%s (%s)", p.Discipline, p.DisciplineSource)
	default:
		return "—"
	}
}

func (h *Handler) handoff(c *call) *model.CommandResponse {
	if len(c.words) == 0 && c.text == "" {
		return h.openDialog(c, app.DialogHandoff)
	}
	if len(c.words) < 1 || !strings.HasPrefix(c.words[0], "@") {
		return ephemeral("Usage: `/%s handoff @user [note]`.", c.trigger)
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.Handoff(ctx, c.args.UserId, w.ID, c.words[0], c.text)
		return err
	})
}

func (h *Handler) stats(c *call) *model.CommandResponse {
	if len(c.words) > 1 {
		return ephemeral("Usage: `/%s stats [type] [--days N] [--by severity or <select field>]`.", c.trigger)
	}
	days := 0
	if v, ok := c.flags["days"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return ephemeral("`--days` takes a whole number of days, not %q.", v)
		}
		days = n
	}
	typ := ""
	if len(c.words) == 1 {
		typ = c.words[0]
	}
	by := c.flags["by"]
	stats, err := h.svc.StatsBy(context.Background(), c.args.UserId, c.args.TeamId, typ, days, by)
	if err != nil {
		return h.fail(c, err)
	}
	if days == 0 {
		days = 30
	}
	if len(stats) == 0 {
		return ephemeral("No workflows started in the last %d days.", days)
	}
	var b strings.Builder
	groupHead, groupCol := "", ""
	if by != "" {
		groupHead, groupCol = " "+strings.TrimPrefix(strings.ToLower(by), "field.")+" |", ":--|"
	}
	fmt.Fprintf(&b, "#### Workflows started in the last %d days\n| Type |%s Started | Active | Closed | First status (mean / median) | Close (mean / median) |\n|:--|%s--:|--:|--:|:--|:--|\n", days, groupHead, groupCol)
	for _, s := range stats {
		group := ""
		if s.Group != nil {
			group = " " + orDash(app.Inline(*s.Group)) + " |"
		}
		fmt.Fprintf(&b, "| %s |%s %d | %d | %d | %s / %s | %s / %s |\n", s.Type, group, s.Started, s.Active, s.Closed,
			ms(s.MeanToFirstStatusMs), ms(s.MedianToFirstStatusMs), ms(s.MeanToCloseMs), ms(s.MedianToCloseMs))
	}
	return ephemeral("%s", b.String())
}

// ms renders a duration in milliseconds for people; zero is "—" (nothing to measure).
func ms(v int64) string {
	if v <= 0 {
		return "—"
	}
	return app.HumanDuration(time.Duration(v) * time.Millisecond)
}
