package command

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// subcommands is the table every part of the door reads: dispatch, help and autocomplete.
func (h *Handler) subcommands() []*subcommand {
	return []*subcommand{
		{name: "start", examples: []string{"start incident Checkout errors in EU --severity sev1", "start release Release 2.4.0", "start security Leaked token in CI --private", "start incident --from https://chat.example.com/team/pl/abc123"}, usage: "start <type> <title> [--severity S] [--private] [--force] · start <type> --from <message link> [title]",
			help: fmt.Sprintf("Start a workflow channel (no arguments: a form); a title has at most %d characters. From a message: the title defaults to its first line, the first post quotes it and its thread links the channel.", app.MaxTitleRunes), flags: []string{"severity", "private", "force", "from"}, text: true, leading: 1, run: (*Handler).start},
		{name: "list", examples: []string{"list", "list incident --mine", "list --closed", "list --outdated", "list incident field.service=checkout"}, usage: "list [type] [field.<key>=value] [--mine] [--closed] [--outdated]", help: "List the team's workflows you can see; `--outdated`: those running on an older template than their type's current one; `field.<key>=value`: those whose custom field holds the value.",
			flags: []string{"mine", "closed", "outdated"}, run: (*Handler).list},
		{name: "info", usage: "info", help: "Show this channel's workflow: stage, gates, roles, sign-offs.", run: (*Handler).info},
		{name: "set", examples: []string{"set", "set service checkout-api", "set ticket https://jira.example.com/browse/OPS-12", "set owner @sue", "set customer --clear"},
			usage: "set <field> <value> · set <field> --clear", help: "Set or empty a custom field of this workflow (channel members); alone, list the fields. A field a stage requires must be set before the stage is entered.",
			flags: []string{"clear"}, text: true, leading: 1, run: (*Handler).set},
		{name: "stage", examples: []string{"stage", "stage next", "stage staging"}, usage: "stage [next · <stage>]", help: "Without a word: where the workflow stands and what is next. `next` or a stage's name moves it (lead or admin; gates apply).", run: (*Handler).stage},
		{name: "severity", examples: []string{"severity sev1", "severity p2"}, usage: "severity <severity>", help: "Change the severity (lead or admin); reminders follow its cadence. Without a severity: a form.", run: (*Handler).severity},
		{name: "signoff", examples: []string{"signoff", "signoff production Regression suite green on 2.4.0"}, usage: "signoff [stage] [note]", help: fmt.Sprintf("Sign off a gated stage for your discipline; a note has at most %d characters.", app.MaxNoteRunes), text: true, run: (*Handler).signoff},
		{name: "status", examples: []string{"status We're rolling back; it's the 2.4.0 deploy", "status Error rate back to normal; watching for 30 minutes"}, usage: "status <text>", help: fmt.Sprintf("Post a status update here and to the type's broadcast channels, as typed: line breaks and punctuation are kept (at most %d characters). Without text: a form.", app.MaxNoteRunes), text: true, run: (*Handler).status},
		{name: "task", examples: []string{"task add Roll back checkout-api --to @dev --due 30m", "task add Post-incident review --due 2030-12-05 15:00", "task add Call ACME --due tomorrow 9:00", "task add Rotate keys --to @sue,@ben", "task done 3", "task undo 3", "task assign 3 @sue", "task assign 3 @sue @ben"}, usage: "task add <text> [--to @user[,@user…]] [--due 2h, tomorrow 9:00 or 2026-12-01 15:00] · task done <n> · task undo <n> · task assign <n> @user [@user…]",
			help: fmt.Sprintf("Add, finish, reopen or assign a checklist task: at most %d characters, due within a year (2h, 52w) or by a day and time up to 5 years ahead, in your time zone. `task add` alone: a form.", app.MaxTaskRunes), flags: []string{"due", "to", "followup"}, text: true, leading: 1, run: (*Handler).task},
		{name: "tasks", usage: "tasks", help: "List this workflow's checklist.", run: (*Handler).tasks},
		{name: "timeline", usage: "timeline", help: "Show what happened, oldest first.", run: (*Handler).timeline},
		{name: "snooze", examples: []string{"snooze 30m"}, usage: "snooze <duration>", help: "Postpone the next status reminder (1m to 7d; lead or admin).", run: (*Handler).snooze},
		{name: "who", examples: []string{"who", "who 2"}, usage: "who [page]", help: "Members with discipline, role, local time and whether they are at work, 50 a page.", run: (*Handler).who},
		{name: "handoff", examples: []string{"handoff @sue EU shift ends; watch the p99"}, usage: "handoff @user [note]", help: fmt.Sprintf("Hand the lead to someone with a summary (follow the sun); a note has at most %d characters. Without arguments: a form.", app.MaxNoteRunes), text: true, leading: 1, run: (*Handler).handoff},
		{name: "stats", examples: []string{"stats", "stats incident --days 90", "stats incident --by severity", "stats security --by affected"}, usage: "stats [type] [--days N] [--by severity or <select field>]", help: "Counts and time to first status update and to close, per type; `--by` splits them by severity or a select field.", flags: []string{"days", "by"}, run: (*Handler).stats},
		{name: "role", examples: []string{"role scribe @ben", "role commander @sue"}, usage: "role <role> @user", help: "Give a workflow role to someone (lead or admin).", run: (*Handler).role},
		{name: "close", examples: []string{"close It's fixed: rolled back 2.4.0"}, usage: "close [summary]", help: fmt.Sprintf("Close the workflow (lead or admin); a summary has at most %d characters.", app.MaxNoteRunes), text: true, run: (*Handler).close},
		{name: "reopen", usage: "reopen", help: "Reopen a closed workflow (lead or admin).", run: (*Handler).reopen},
		{name: "panel", usage: "panel", help: "Open the DevOps Channels panel on the right.", run: (*Handler).panel},
		{name: "discipline", examples: []string{"discipline", "discipline qa", "discipline grant @quinn qa", "discipline revoke @quinn"}, usage: "discipline [name] · discipline grant @user <name> · discipline revoke @user",
			help: "Show or declare your discipline (the built-in ones and any your admin added); grant or revoke a verified one " +
				"(a system admin, or someone whose own is verified). Sign-offs need a verified discipline.", run: (*Handler).discipline},
		{name: "schedule", examples: []string{"schedule add sprint Sprint {n} --every 2w --at monday 9:00 --zone Europe/Berlin --carry",
			"schedule add release Release {version} --every monthly:15 --at 2030-01-15 10:00 --bump minor", "schedule list", "schedule pause 3f9a", "schedule resume 3f9a", "schedule delete 3f9a"},
			usage: "schedule add <type> <title pattern> --every <1d, 1w, 2w, 4w or monthly:day> --at <first start> [--zone Z] [--severity S] [--bump patch or minor] [--carry] · schedule list · schedule pause <id> · schedule resume <id> · schedule delete <id>",
			help: "Start a workflow of a type on a cadence, led by you: the title pattern takes {n} (the occurrence's number), {date} (its date in the schedule's zone) and {version} " +
				"(the last release's, incremented: --bump patch or minor); --carry copies the previous occurrence's open tasks. Times are in --zone (default: yours). `schedule add` alone: a form.",
			flags: []string{"every", "at", "zone", "severity", "bump", "carry"}, text: true, leading: 2, run: (*Handler).schedule},
		{name: "followups", usage: "followups", help: "The team's open follow-ups (tasks added with --followup or after the close), which outlive their workflows.", run: (*Handler).followups},
		{name: "export", usage: "export", help: "Attach this workflow's postmortem (markdown: people, stages, sign-offs, every status update, the timeline, tasks, follow-ups) to the channel.", run: (*Handler).export},
		{name: "service", examples: []string{"service add checkout-api --owners @dana,@omar --discipline operations --tier 1 --repo https://git.example.com/shop/checkout", "service show checkout-api", "service list", "service remove checkout-api"},
			usage: "service add <name> [--owners @a,@b] [--discipline D] [--rotation R] [--repo URL] [--tier T] · service show <name> · service list · service remove <name>",
			help:  "The team's service catalog: deploys, gate checks and alerts that name a service find its active workflow, and its incidents invite its owners.",
			flags: serviceFlags, run: (*Handler).service},
		{name: "todo", usage: "todo", help: "What waits for you across this team's workflows: your tasks (overdue first), sign-offs your discipline could give, status updates due where you lead; each links to its channel.", run: (*Handler).todo},
		{name: "digest", examples: []string{"digest", "digest off", "digest on"}, usage: "digest [on · off]", help: "Your daily digest: a direct message at the start of your working hours, in your time zone, when something waits (on unless you turn it off).", run: (*Handler).digest},
		{name: "help", examples: []string{"help", "help task"}, usage: "help [command]", help: "Show this command reference, or one command's usage and examples.", run: (*Handler).help},
	}
}

func (h *Handler) panel(c *call) *model.CommandResponse {
	h.svc.OpenPanel(c.args.UserId)
	return done()
}

func (h *Handler) help(c *call) *model.CommandResponse {
	switch len(c.words) {
	case 0:
		return ephemeral("%s", h.reference(c.trigger))
	case 1:
		name := strings.ToLower(c.words[0])
		if sub, ok := h.byName[name]; ok {
			return ephemeral("%s", h.usageOf(sub, c.trigger))
		}
		return ephemeral("No command `%s`.%s `/%s help` lists them.", name, h.didYouMean(name, c.trigger), c.trigger)
	default:
		return ephemeral("Usage: `/%s help [command]`.", c.trigger)
	}
}

// done is the answer to a command whose visible effect is the bot's post.
func done() *model.CommandResponse {
	return &model.CommandResponse{}
}

// fail turns a service error into an ephemeral answer: a refusal says what is
// required; anything else is logged and reported without internals.
func (h *Handler) fail(c *call, err error) *model.CommandResponse {
	if e, ok := app.AsError(err); ok {
		return ephemeral("%s", e.Message)
	}
	h.log.LogError("DevOps Channels command failed", "command", c.args.Command, "user_id", c.args.UserId, "err", err.Error())
	return ephemeral("Something went wrong on the server; it has been logged. Please try again.")
}

// workflowHere is the workflow of the channel the command was run in.
func (h *Handler) workflowHere(c *call) (*app.Workflow, error) {
	return h.svc.GetByChannel(context.Background(), c.args.UserId, c.args.ChannelId)
}

func (h *Handler) start(c *call) *model.CommandResponse {
	if len(c.words) == 0 && len(c.flags) == 0 {
		return h.openStartDialog(c)
	}
	from := c.flags.has("from")
	if len(c.words) < 1 || (c.text == "" && !from) {
		return ephemeral("Usage: `/%s start <type> <title>`, e.g. `/%s start incident Checkout errors in EU --severity sev1`, or `/%s start <type> --from <message link> [title]`. Types: %s.",
			c.trigger, c.trigger, c.trigger, strings.Join(h.settings().Templates.Types(), ", "))
	}
	req := app.StartRequest{
		TeamID: c.args.TeamId, Type: c.words[0], Title: unquoteTitle(c.text),
		Severity: c.flags["severity"], Private: c.flags.has("private"), Force: c.flags.has("force"),
	}
	if from {
		postID, err := app.PostIDFromPermalink(c.flags["from"])
		if err != nil {
			return h.fail(c, err)
		}
		req.FromPostID = postID
	}
	w, err := h.svc.Start(context.Background(), c.args.UserId, req)
	if err != nil {
		return h.fail(c, err)
	}
	return ephemeral("Started ~%s.", w.ChannelName)
}

// unquoteTitle drops one pair of quotes around a whole title, as people used to a
// shell type it (`start incident "Checkout errors in EU"`); quotes inside a title stay.
func unquoteTitle(title string) string {
	for _, q := range [][2]string{{`"`, `"`}, {"'", "'"}, {"“", "”"}} {
		inner, ok := strings.CutPrefix(title, q[0])
		if !ok {
			continue
		}
		inner, ok = strings.CutSuffix(inner, q[1])
		if ok && inner != "" && !strings.Contains(inner, q[0]) && !strings.Contains(inner, q[1]) {
			return inner
		}
	}
	return title
}

func (h *Handler) list(c *call) *model.CommandResponse {
	words, fields, err := fieldFilters(c.words)
	if err != nil {
		return ephemeral("%s.", err.Error())
	}
	if len(words) > 1 {
		return ephemeral("Usage: `/%s list [type] [field.<key>=value] [--mine] [--closed] [--outdated]`.", c.trigger)
	}
	c.words = words
	f := app.ListFilter{TeamID: c.args.TeamId, Status: app.StatusActive, Mine: c.flags.has("mine"), Outdated: c.flags.has("outdated"),
		PerPage: 25, Brief: true, Fields: fields}
	if c.flags.has("closed") {
		f.Status = app.StatusClosed
	}
	if len(c.words) == 1 {
		f.Type = strings.ToLower(c.words[0])
	}
	items, next, err := h.svc.List(context.Background(), c.args.UserId, f)
	if err != nil {
		return h.fail(c, err)
	}
	if len(items) == 0 {
		if f.Outdated {
			return ephemeral("No %s workflows%s: every one runs on its type's current template.", f.Status, listSuffix(f))
		}
		return ephemeral("No %s workflows%s. Start one with `/%s start <type> <title>`.", f.Status, listSuffix(f), c.trigger)
	}
	answer := ephemeral("%s", renderList(items, f, next != ""))
	if mentions := channelMentions(items); len(mentions) > 0 {
		answer.Props = model.StringInterface{"channel_mentions": mentions}
	}
	return answer
}

// renderList is the table `list` answers. A workflow is shown by a link to its
// channel, which Mattermost renders with the channel's display name ("Incident 12:
// Checkout errors"): its type, number and title, and one click away.
func renderList(items []*app.Workflow, f app.ListFilter, more bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### %s workflows%s\n| Workflow | Stage | Severity | Lead |\n|:--|:--|:--|:--|\n",
		strings.ToUpper(f.Status[:1])+f.Status[1:], listSuffix(f))
	for _, w := range items {
		lock := ""
		if w.Private {
			lock = " 🔒"
		}
		lead := "—"
		if w.LeadUsername != "" {
			lead = "@" + w.LeadUsername
		}
		fmt.Fprintf(&b, "| ~%s%s | %s | %s | %s |\n", w.ChannelName, lock, w.Stage, orDash(w.Severity), lead)
	}
	if more {
		fmt.Fprintf(&b, "\nShowing the newest %d; filter by type or use the panel for more.", len(items))
	}
	return b.String()
}

// channelMentions names, for the clients, the listed channels their user is not in:
// a client renders "~name" as a link only for a channel it knows, and it knows the
// ones its user is in. The same prop Mattermost sets on posts that mention channels.
// Plain maps of any: the plugin RPC's gob registers map[string]any, not other maps.
func channelMentions(items []*app.Workflow) map[string]any {
	out := map[string]any{}
	for _, w := range items {
		if !w.ViewerInChannel && w.ChannelDisplayName != "" {
			out[w.ChannelName] = map[string]any{"display_name": w.ChannelDisplayName}
		}
	}
	return out
}

// listSuffix says what a list's filters keep: "you are in", "on an older template".
func listSuffix(f app.ListFilter) string {
	out := ""
	if f.Mine {
		out += " you are in"
	}
	if f.Outdated {
		out += " on an older template than their type's current one"
	}
	if len(f.Fields) > 0 {
		out += " with the fields asked for"
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (h *Handler) username(userID string) string {
	if userID == "" {
		return "—"
	}
	if u, err := h.users.GetUserCached(userID); err == nil {
		return "@" + u.Username
	}
	return "—"
}

func (h *Handler) info(c *call) *model.CommandResponse {
	v, err := h.viewHere(c)
	if err != nil {
		return h.fail(c, err)
	}
	return ephemeral("%s", h.describe(v, c.trigger, h.svc.ReaderLocation(v.Workflow, c.args.UserId)))
}

// viewHere is the channel's workflow as the caller sees it: template and permissions.
func (h *Handler) viewHere(c *call) (*app.WorkflowView, error) {
	w, err := h.workflowHere(c)
	if err != nil {
		return nil, err
	}
	return h.svc.View(context.Background(), c.args.UserId, w)
}

// describe renders a workflow for `info`, its times in loc (the reader's zone).
func (h *Handler) describe(v *app.WorkflowView, trigger string, loc *time.Location) string {
	w := v.Workflow
	var b strings.Builder
	fmt.Fprintf(&b, "#### %s\n", app.Headline(v.Template.Name, w.Seq, w.Title))
	status := "**active**"
	if w.Status == app.StatusClosed {
		status = fmt.Sprintf("**closed** %s", app.FormatTime(w.ClosedAt, loc))
	}
	fmt.Fprintf(&b, "Status %s · stage **%s**", status, w.Stage)
	if w.Severity != "" {
		fmt.Fprintf(&b, " · severity **%s**", w.Severity)
	}
	if w.Private {
		b.WriteString(" · private")
	}
	fmt.Fprintf(&b, " · started %s\n\n", app.FormatTime(w.CreatedAt, loc))

	b.WriteString("**Stages:** ")
	for i, st := range v.Template.Stages {
		if i > 0 {
			b.WriteString(" → ")
		}
		name := st.Name
		if st.Name == w.Stage {
			name = "**" + name + "**"
		}
		b.WriteString(name)
		if len(st.Gate) > 0 {
			fmt.Fprintf(&b, " (gate: %s)", h.gateMarks(w, st, "⏳"))
		}
	}
	b.WriteString("\n**Roles:** ")
	for i, r := range v.Template.Roles {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", r, h.username(w.Roles[r]))
	}
	if w.Summary != "" {
		fmt.Fprintf(&b, "\n**Summary:** %s", app.Inline(w.Summary))
	}
	if note := v.TemplateNote(); note != "" {
		b.WriteString("\n" + note)
	}
	if len(v.FieldValues) > 0 {
		b.WriteString("\n" + describeFields(v.FieldValues))
	}
	var can []string
	p := v.Permissions
	if p.ChangeStage {
		can = append(can, fmt.Sprintf("`/%s stage next`", trigger))
	}
	if len(p.SignoffDisciplines) > 0 {
		can = append(can, fmt.Sprintf("`/%s signoff`", trigger))
	}
	if p.SetFields && len(v.FieldValues) > 0 {
		can = append(can, fmt.Sprintf("`/%s set <field> <value>`", trigger))
	}
	if p.AssignRoles {
		can = append(can, fmt.Sprintf("`/%s role <role> @user`", trigger))
	}
	if p.Close {
		can = append(can, fmt.Sprintf("`/%s close`", trigger))
	}
	if p.Reopen {
		can = append(can, fmt.Sprintf("`/%s reopen`", trigger))
	}
	if len(can) > 0 {
		fmt.Fprintf(&b, "\n\nYou can: %s", strings.Join(can, " · "))
	}
	return b.String()
}

// gateMarks renders a stage's gate: each discipline with who signed it, or waiting.
func (h *Handler) gateMarks(w *app.Workflow, st app.StageSummary, waiting string) string {
	marks := make([]string, 0, len(st.Gate))
	for _, d := range st.Gate {
		mark := waiting
		for _, so := range w.Signoffs {
			if so.Stage == st.Name && so.Discipline == d {
				mark = "✅ " + h.username(so.UserID)
			}
		}
		marks = append(marks, fmt.Sprintf("%s %s", d, mark))
	}
	return strings.Join(marks, ", ")
}

func (h *Handler) stage(c *call) *model.CommandResponse {
	if len(c.words) > 1 {
		return ephemeral("Usage: `/%s stage [next|<stage>]`.", c.trigger)
	}
	if len(c.words) == 0 {
		return h.whereItStands(c)
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.ChangeStage(ctx, c.args.UserId, w.ID, c.words[0])
		return err
	})
}

// whereItStands answers a bare `stage`: looking never moves anything. It says the
// stage, the open tasks, what comes next and its gate, and how to move on.
func (h *Handler) whereItStands(c *call) *model.CommandResponse {
	w, err := h.workflowHere(c)
	if err != nil {
		return h.fail(c, err)
	}
	ctx := context.Background()
	v, err := h.svc.View(ctx, c.args.UserId, w)
	if err != nil {
		return h.fail(c, err)
	}
	_, tasks, err := h.svc.Tasks(ctx, c.args.UserId, w.ID)
	if err != nil {
		return h.fail(c, err)
	}
	stages := v.Template.Stages
	cur := max(v.Template.StageIndex(w.Stage), 0)
	open := 0
	for _, t := range tasks {
		if !t.Done && t.Stage == w.Stage {
			open++
		}
	}
	var b strings.Builder
	noun := "open tasks"
	if open == 1 {
		noun = "open task"
	}
	fmt.Fprintf(&b, "Stage **%s** (%d of %d), %d %s in it.", w.Stage, cur+1, len(stages), open, noun)
	switch {
	case w.Status == app.StatusClosed:
		fmt.Fprintf(&b, " The workflow is closed; `/%s reopen` to go on.", c.trigger)
	case cur+1 >= len(stages):
		fmt.Fprintf(&b, " It is the last stage; `/%s close` ends the workflow.", c.trigger)
	default:
		next := stages[cur+1]
		fmt.Fprintf(&b, " Next: **%s**", next.Name)
		if len(next.Gate) > 0 {
			fmt.Fprintf(&b, ", gated by %s", h.gateMarks(w, next, "⏳ missing"))
		}
		b.WriteString(".")
		if v.Permissions.ChangeStage {
			fmt.Fprintf(&b, " `/%s stage next` moves on.", c.trigger)
		}
	}
	return ephemeral("%s", b.String())
}

func (h *Handler) severity(c *call) *model.CommandResponse {
	if len(c.words) == 0 {
		return h.openDialog(c, app.DialogSeverity)
	}
	if len(c.words) != 1 {
		return ephemeral("Usage: `/%s severity <severity>`.", c.trigger)
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.SetSeverity(ctx, c.args.UserId, w.ID, c.words[0])
		return err
	})
}

func (h *Handler) signoff(c *call) *model.CommandResponse {
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		stage, note := "", c.text
		// The first word is the stage when it names one; otherwise the text is the note.
		if first := splitWords(c.text); len(first) > 0 {
			if v, err := h.svc.View(ctx, c.args.UserId, w); err == nil {
				for _, st := range v.Template.Stages {
					if strings.EqualFold(st.Name, first[0].text) {
						stage, note = st.Name, strings.TrimSpace(c.text[first[0].end:])
					}
				}
			}
		}
		_, err := h.svc.Signoff(ctx, c.args.UserId, w.ID, stage, note)
		return err
	})
}

func (h *Handler) role(c *call) *model.CommandResponse {
	if len(c.words) != 2 || !strings.HasPrefix(c.words[1], "@") {
		return ephemeral("Usage: `/%s role <role> @user`.", c.trigger)
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.AssignRole(ctx, c.args.UserId, w.ID, c.words[0], c.words[1])
		return err
	})
}

func (h *Handler) close(c *call) *model.CommandResponse {
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.Close(ctx, c.args.UserId, w.ID, c.text)
		return err
	})
}

func (h *Handler) reopen(c *call) *model.CommandResponse {
	if len(c.words) > 0 {
		return ephemeral("Usage: `/%s reopen`.", c.trigger)
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.Reopen(ctx, c.args.UserId, w.ID)
		return err
	})
}

// onHere runs a state change on this channel's workflow; its bot post is the answer.
func (h *Handler) onHere(c *call, fn func(ctx context.Context, w *app.Workflow) error) *model.CommandResponse {
	w, err := h.workflowHere(c)
	if err != nil {
		return h.fail(c, err)
	}
	if err := fn(context.Background(), w); err != nil {
		return h.fail(c, err)
	}
	return done()
}

func (h *Handler) discipline(c *call) *model.CommandResponse {
	ctx := context.Background()
	switch {
	case len(c.words) == 0:
		ud, err := h.svc.DisciplineOf(ctx, c.args.UserId)
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("%s", h.describeDiscipline(ud, c.trigger))
	case len(c.words) == 3 && strings.EqualFold(c.words[0], "grant"):
		u, ud, err := h.svc.GrantDiscipline(ctx, c.args.UserId, c.words[1], c.words[2])
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Granted **%s** to @%s: their discipline is verified and opens %s gates.", ud.Discipline, u.Username, ud.Discipline)
	case len(c.words) == 2 && strings.EqualFold(c.words[0], "revoke"):
		u, revoked, ud, err := h.svc.RevokeDiscipline(ctx, c.args.UserId, c.words[1])
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Revoked @%s's granted **%s**. Their discipline is now %s.", u.Username, revoked, sourced(ud))
	case len(c.words) == 1 && !strings.EqualFold(c.words[0], "grant") && !strings.EqualFold(c.words[0], "revoke"):
		d, err := h.svc.SetDiscipline(ctx, c.args.UserId, c.words[0])
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Your discipline is now **%s**.", d)
	default:
		return ephemeral("Usage: `/%s discipline [name]`, one of %s; `/%[1]s discipline grant @user <name>`; `/%[1]s discipline revoke @user`.",
			c.trigger, strings.Join(h.settings().DisciplineSet().Names(), ", "))
	}
}

// describeDiscipline answers `discipline`: the caller's discipline, where it comes
// from, and whether it opens gates.
func (h *Handler) describeDiscipline(ud app.UserDiscipline, trigger string) string {
	switch ud.Source {
	case app.SourceMapped:
		return fmt.Sprintf("Your discipline is **%s** (mapped by a system admin; verified).", ud.Discipline)
	case app.SourceGranted:
		return fmt.Sprintf("Your discipline is **%s** (granted by %s on %s; verified).", ud.Discipline, h.username(ud.GrantedBy),
			time.UnixMilli(ud.GrantedAt).UTC().Format(app.DayLayout))
	case app.SourceDeclared:
		if h.settings().SelfDeclaredMaySignOff {
			return fmt.Sprintf("Your discipline is **%s** (you declared it).", ud.Discipline)
		}
		return fmt.Sprintf("Your discipline is **%s** (you declared it). Signing off gates needs it verified: a system admin or a verified %s can grant it with `/%s discipline grant @you %s`.",
			ud.Discipline, ud.Discipline, trigger, ud.Discipline)
	default:
		return fmt.Sprintf("Your discipline is not set. Declare it with `/%s discipline <name>`: %s.", trigger, strings.Join(h.settings().DisciplineSet().Names(), ", "))
	}
}

// sourced renders a discipline with its source: "qa (declared)", or "not set".
func sourced(ud app.UserDiscipline) string {
	if ud.Discipline == "" {
		return "not set"
	}
	return fmt.Sprintf("**%s** (%s)", ud.Discipline, ud.Source)
}
