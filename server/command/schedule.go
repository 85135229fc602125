package command

import (
	"context"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// The options of `schedule add` take values; `--at` may be a day and a time.
func init() {
	for _, f := range []string{"every", "at", "zone", "bump"} {
		valueFlags[f] = true
	}
	valueGoesOn["at"] = app.IsClockTime
}

// ScheduleDialogPath is where Mattermost submits the schedule form (relative to the plugin).
const ScheduleDialogPath = "/api/v1/dialog/schedule"

func (h *Handler) schedule(c *call) *model.CommandResponse {
	usage := ephemeral("Usage: `/%[1]s schedule add <type> <title pattern> --every 2w --at <first start> [--zone Europe/Berlin] [--bump patch|minor] [--carry]`, `/%[1]s schedule list`, "+
		"`/%[1]s schedule pause <id>`, `/%[1]s schedule resume <id>` or `/%[1]s schedule delete <id>`.", c.trigger)
	if len(c.words) == 0 {
		return usage
	}
	ctx := context.Background()
	verb := strings.ToLower(c.words[0])
	if verb == "add" {
		return h.addSchedule(c, usage)
	}
	if c.text != "" || len(c.flags) > 0 {
		return usage
	}
	switch {
	case verb == "list" && len(c.words) == 1:
		items, err := h.svc.Schedules(ctx, c.args.UserId, c.args.TeamId)
		if err != nil {
			return h.fail(c, err)
		}
		if len(items) == 0 {
			return ephemeral("No schedules in this team. `/%s schedule add` makes one.", c.trigger)
		}
		loc := h.svc.Location(c.args.UserId)
		lines := make([]string, len(items))
		for i, sc := range items {
			lines[i] = "- " + h.svc.FormatSchedule(sc, loc)
		}
		return ephemeral("#### Schedules (times in %s)\n%s", loc, strings.Join(lines, "\n"))
	case (verb == "pause" || verb == "resume" || verb == "delete") && len(c.words) == 2:
		sc, err := h.svc.ScheduleByPrefix(ctx, c.args.UserId, c.args.TeamId, c.words[1])
		if err != nil {
			return h.fail(c, err)
		}
		if verb == "delete" {
			if err := h.svc.DeleteSchedule(ctx, c.args.UserId, sc.ID); err != nil {
				return h.fail(c, err)
			}
			return ephemeral("Deleted the schedule **%s**; the workflows it started stay.", app.Inline(sc.Title))
		}
		sc, err = h.svc.SetSchedulePaused(ctx, c.args.UserId, sc.ID, verb == "pause")
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("%s the schedule: %s", map[string]string{"pause": "Paused", "resume": "Resumed"}[verb], h.svc.FormatSchedule(sc, h.svc.Location(c.args.UserId)))
	}
	return usage
}

func (h *Handler) addSchedule(c *call, usage *model.CommandResponse) *model.CommandResponse {
	if len(c.words) == 1 && c.text == "" && len(c.flags) == 0 {
		return h.openScheduleDialog(c)
	}
	if len(c.words) != 2 || c.text == "" || !c.flags.has("every") || !c.flags.has("at") {
		return usage
	}
	zone := c.flags["zone"]
	loc := h.svc.Location(c.args.UserId)
	if zone != "" {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil {
			return ephemeral("timezone: %q is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC.", zone)
		}
	}
	at, err := app.ParseDue(c.flags["at"], time.Now(), loc)
	if err != nil {
		return h.fail(c, err)
	}
	carry := c.flags.has("carry")
	sc, err := h.svc.CreateSchedule(context.Background(), c.args.UserId, app.ScheduleRequest{
		TeamID: c.args.TeamId, Type: c.words[1], Title: unquoteTitle(c.text), Every: c.flags["every"], StartAt: at,
		Timezone: loc.String(), Severity: c.flags["severity"], VersionBump: c.flags["bump"], CarryOver: &carry,
	})
	if err != nil {
		return h.fail(c, err)
	}
	return ephemeral("Scheduled: %s", h.svc.FormatSchedule(sc, h.svc.Location(c.args.UserId)))
}

// openScheduleDialog shows the schedule form: `/devops schedule add` alone.
func (h *Handler) openScheduleDialog(c *call) *model.CommandResponse {
	templates, err := h.svc.Templates(context.Background(), c.args.UserId, c.args.TeamId)
	if err != nil {
		return h.fail(c, err)
	}
	var types []*model.PostActionOptions
	for _, t := range templates {
		if t.CanStart {
			types = append(types, &model.PostActionOptions{Text: t.Name, Value: t.Type})
		}
	}
	if len(types) == 0 {
		return ephemeral("You may not start any workflow type in this team, so you cannot schedule one.")
	}
	loc := h.svc.Location(c.args.UserId)
	err = h.users.OpenDialog(model.OpenDialogRequest{
		TriggerId: c.args.TriggerId,
		URL:       c.args.SiteURL + app.PluginPath + ScheduleDialogPath,
		Dialog: model.Dialog{
			CallbackId:  "schedule",
			Title:       "Schedule a workflow",
			SubmitLabel: "Schedule",
			Elements: []model.DialogElement{
				{DisplayName: "Type", Name: "type", Type: "select", Options: types},
				{DisplayName: "Title", Name: "title", Type: "text", MaxLength: app.MaxTitleRunes, Placeholder: "Sprint {n}",
					HelpText: "{n}: the occurrence's number · {date}: its date · {version}: the last release's, incremented."},
				{DisplayName: "Every", Name: "every", Type: "select", Default: "2w", Options: []*model.PostActionOptions{
					{Text: "Day", Value: "1d"}, {Text: "Week", Value: "1w"}, {Text: "2 weeks", Value: "2w"}, {Text: "4 weeks", Value: "4w"},
					{Text: "Month, on the 1st", Value: "monthly:1"}, {Text: "Month, on the 15th", Value: "monthly:15"}}},
				{DisplayName: "First start", Name: "at", Type: "text", MaxLength: 32, Placeholder: "monday 9:00 or 2026-12-07 09:00",
					HelpText: "A day and time in the time zone below, or a duration from now (2h)."},
				{DisplayName: "Time zone", Name: "timezone", Type: "text", MaxLength: 64, Default: loc.String(), HelpText: "An IANA name: Europe/Berlin, America/New_York, UTC."},
				{DisplayName: "Version", Name: "version_bump", Type: "radio", Default: app.BumpMinor, Optional: true, Options: []*model.PostActionOptions{
					{Text: "Increment the minor number (2.4.0 → 2.5.0)", Value: app.BumpMinor}, {Text: "Increment the patch number (2.4.0 → 2.4.1)", Value: app.BumpPatch}}},
				{DisplayName: "Carry over", Name: "carry_over", Type: "bool", Optional: true, Placeholder: "Copy the previous occurrence's open tasks into the next"},
			},
		},
	})
	if err != nil {
		return h.fail(c, err)
	}
	return done()
}

func (h *Handler) followups(c *call) *model.CommandResponse {
	if len(c.words) > 0 {
		return ephemeral("Usage: `/%s followups`.", c.trigger)
	}
	items, err := h.svc.Followups(context.Background(), c.args.UserId, c.args.TeamId)
	if err != nil {
		return h.fail(c, err)
	}
	return ephemeral("%s", h.svc.FormatFollowups(items, h.svc.Location(c.args.UserId)))
}

func (h *Handler) export(c *call) *model.CommandResponse {
	if len(c.words) > 0 {
		return ephemeral("Usage: `/%s export` in a workflow's channel.", c.trigger)
	}
	var exp *app.Export
	answer := h.onHere(c, func(ctx context.Context, w *app.Workflow) (err error) {
		exp, err = h.svc.PostExport(ctx, c.args.UserId, w.ID)
		return err
	})
	if exp != nil && answer.Text == "" {
		return ephemeral("Attached `%s` (%d KB) to the channel.", exp.Filename, max(1, len(exp.Content)/1024))
	}
	return answer
}
