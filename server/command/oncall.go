package command

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// oncallSubcommands are on call's commands: who is on call, rotations, pages.
func (h *Handler) oncallSubcommands() []*subcommand {
	return []*subcommand{
		{name: "oncall", examples: []string{"oncall", "oncall platform", "oncall override platform @sue 4h"}, usage: "oncall [rotation] · oncall override <rotation> @user <duration>",
			help: "Who is on call now and next for the team's rotations (or one), with their local times; `override` puts someone on call from now for a while (the rotation's members or an admin).", run: (*Handler).oncall},
		{name: "rotation", examples: []string{"rotation create platform @ann @bob --shift 1w --handoff 09:00 --timezone Europe/Berlin --escalate-after 5m --discipline operations",
			"rotation create follow --follow-the-sun @ann @kenji @maria", "rotation add platform @cho", "rotation remove platform @bob", "rotation show platform", "rotation delete platform"},
			usage: "rotation create <name> @user… [--shift 1w] [--handoff 09:00] [--timezone UTC] [--escalate-after 5m] [--discipline D] [--follow-the-sun] [--escalate-to rotation:<name>,@user] · rotation add|remove <name> @user… · rotation show [name] · rotation delete <name>",
			help:  "Manage the team's on-call rotations (team or system admins; anyone may show). `rotation create` alone: a form.",
			flags: []string{"shift", "handoff", "timezone", "escalate-after", "discipline", "follow-the-sun", "escalate-to"}, run: (*Handler).rotation},
		{name: "page", examples: []string{"page platform Checkout is down in EU", "page @sue Can you look at the failed deploy?"}, usage: "page <@user|rotation> <message>",
			help: "Page someone, or a rotation's person on call (escalating to the next until acknowledged): a direct message with an Acknowledge button. In a workflow's channel the page is linked to it.", text: true, leading: 1, run: (*Handler).page},
		{name: "ack", usage: "ack", help: "Acknowledge the newest open page that reached you (or, in a workflow's channel, its open page).", run: (*Handler).ack},
	}
}

// beforeHelp puts more subcommands into the table before `help`, which stays last.
func beforeHelp(subs, more []*subcommand) []*subcommand {
	for i, s := range subs {
		if s.name == "help" {
			return append(append(append([]*subcommand{}, subs[:i]...), more...), subs[i:]...)
		}
	}
	return append(subs, more...)
}

// addOncallAutocomplete gives `rotation` and `oncall` their verbs.
func addOncallAutocomplete(sub *model.AutocompleteData) {
	verbs := map[string][][2]string{
		"rotation": {{"create", "<name> @user… [--shift 1w] [--handoff 09:00] [--timezone UTC] [--escalate-after 5m] [--discipline D] [--follow-the-sun] [--escalate-to rotation:<name>]"},
			{"add", "<name> @user…"}, {"remove", "<name> @user…"}, {"show", "[name]"}, {"delete", "<name>"}},
		"oncall": {{"override", "<rotation> @user <duration>"}},
	}
	for _, v := range verbs[sub.Trigger] {
		verb := model.NewAutocompleteData(v[0], v[1], v[0]+" a rotation")
		if v[0] == "override" {
			verb.HelpText = "Put someone on call from now for a while"
		}
		sub.AddCommand(verb)
	}
}

func (h *Handler) oncall(c *call) *model.CommandResponse {
	ctx := context.Background()
	if len(c.words) > 0 && strings.EqualFold(c.words[0], "override") {
		if len(c.words) != 4 || !strings.HasPrefix(c.words[2], "@") {
			return ephemeral("Usage: `/%s oncall override <rotation> @user <duration>`, e.g. `/%s oncall override platform @sue 4h`.", c.trigger, c.trigger)
		}
		o, r, err := h.svc.AddOverride(ctx, c.args.UserId, c.args.TeamId, c.words[1], c.words[2], c.words[3])
		if err != nil {
			return h.fail(c, err)
		}
		loc := h.svc.Location(c.args.UserId)
		return ephemeral("%s is on call for **%s** until %s (override by %s).", h.username(o.UserID), r.Name, app.FormatTime(o.EndsAt, loc), h.username(o.CreatedBy))
	}
	if len(c.words) > 1 {
		return ephemeral("Usage: `/%s oncall [rotation]`.", c.trigger)
	}
	name := ""
	if len(c.words) == 1 {
		name = c.words[0]
	}
	items, err := h.svc.OnCall(ctx, c.args.UserId, c.args.TeamId, name, time.Time{})
	if err != nil {
		return h.fail(c, err)
	}
	if len(items) == 0 {
		return ephemeral("This team has no rotation yet. An admin makes one with `/%s rotation create`.", c.trigger)
	}
	viewer := h.svc.Location(c.args.UserId)
	var b strings.Builder
	b.WriteString("#### On call now\n| Rotation | On call | Until | Next |\n|:--|:--|:--|:--|\n")
	for _, oc := range items {
		rot := oc.Rotation
		if oc.Discipline != "" {
			rot += " (" + string(oc.Discipline) + ")"
		}
		until, next := "—", "—"
		if oc.Until > 0 {
			until = app.FormatTime(oc.Until, viewer)
		}
		if oc.Next != nil {
			next = h.localPerson(oc.Next.UserID)
		}
		fmt.Fprintf(&b, "| %s | %s · %s | %s | %s |\n", rot, h.localPerson(oc.UserID), h.reason(oc), until, next)
	}
	return ephemeral("%s", b.String())
}

// localPerson is "@sue (14:05 Europe/Berlin)": who, and the time where they are.
func (h *Handler) localPerson(userID string) string {
	if userID == "" {
		return "nobody"
	}
	loc := h.svc.Location(userID)
	return fmt.Sprintf("%s (%s %s)", h.username(userID), time.Now().In(loc).Format("15:04 Mon"), loc)
}

func (h *Handler) reason(oc app.OnCall) string {
	if oc.Reason == app.OnCallOverride {
		return "override by " + h.username(oc.OverrideBy)
	}
	return oc.Reason
}

func (h *Handler) rotation(c *call) *model.CommandResponse {
	ctx := context.Background()
	usage := ephemeral("Usage: `/%s rotation create|add|remove|show|delete …` — `/%s help rotation` shows examples.", c.trigger, c.trigger)
	if len(c.words) == 0 {
		return usage
	}
	verb, rest := strings.ToLower(c.words[0]), c.words[1:]
	if verb != "create" && len(c.flags) > 0 {
		return ephemeral("Options such as `--shift` go with `rotation create`; change a rotation with `PATCH /rotations/{id}`.")
	}
	switch verb {
	case "create":
		if len(rest) == 0 && len(c.flags) == 0 {
			if err := h.svc.OpenRotationDialog(ctx, c.args.UserId, c.args.TeamId, c.args.TriggerId); err != nil {
				return h.fail(c, err)
			}
			return done()
		}
		if len(rest) < 2 {
			return ephemeral("Usage: `/%s rotation create <name> @user… [options]`: name the rotation and its members in order.", c.trigger)
		}
		req := app.RotationRequest{TeamID: c.args.TeamId}
		name, members := rest[0], rest[1:]
		req.Name, req.Members = &name, &members
		for flag, field := range map[string]**string{"shift": &req.Shift, "handoff": &req.Handoff, "timezone": &req.Timezone,
			"escalate-after": &req.EscalateAfter, "discipline": &req.Discipline} {
			if c.flags.has(flag) {
				v := c.flags[flag]
				*field = &v
			}
		}
		if c.flags.has("follow-the-sun") {
			yes := true
			req.FollowTheSun = &yes
		}
		if c.flags.has("escalate-to") {
			to := app.TargetNames(strings.FieldsFunc(c.flags["escalate-to"], func(r rune) bool { return r == ',' }))
			req.EscalateTo = &to
		}
		v, err := h.svc.CreateRotation(ctx, c.args.UserId, req)
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Created rotation **%s**.\n%s", v.Name, h.describeRotation(v))
	case "add", "remove":
		if len(rest) < 2 {
			return ephemeral("Usage: `/%s rotation %s <name> @user…`.", c.trigger, verb)
		}
		v, err := h.svc.ChangeRotationMembers(ctx, c.args.UserId, c.args.TeamId, rest[0], rest[1:], verb == "add")
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Rotation **%s** updated.\n%s", v.Name, h.describeRotation(v))
	case "show":
		if len(rest) == 1 {
			v, err := h.svc.GetRotation(ctx, c.args.UserId, c.args.TeamId, rest[0])
			if err != nil {
				return h.fail(c, err)
			}
			return ephemeral("#### Rotation %s\n%s", v.Name, h.describeRotation(v))
		}
		all, err := h.svc.ListRotations(ctx, c.args.UserId, c.args.TeamId)
		if err != nil {
			return h.fail(c, err)
		}
		if len(all) == 0 {
			return ephemeral("This team has no rotation yet. An admin makes one with `/%s rotation create`.", c.trigger)
		}
		var b strings.Builder
		for _, v := range all {
			fmt.Fprintf(&b, "#### %s\n%s\n", v.Name, h.describeRotation(v))
		}
		return ephemeral("%s", b.String())
	case "delete":
		if len(rest) != 1 {
			return ephemeral("Usage: `/%s rotation delete <name>`.", c.trigger)
		}
		if err := h.svc.DeleteRotation(ctx, c.args.UserId, c.args.TeamId, rest[0]); err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Deleted rotation **%s**.", rest[0])
	}
	return usage
}

// describeRotation is a rotation's settings in a few lines.
func (h *Handler) describeRotation(v *app.RotationView) string {
	var b strings.Builder
	members := make([]string, len(v.Members))
	for i, m := range v.Members {
		members[i] = "@" + m
	}
	fmt.Fprintf(&b, "- Members, in order: %s\n", strings.Join(members, " → "))
	if v.FollowTheSun {
		fmt.Fprintf(&b, "- Follows the sun: the first member in working hours; otherwise %s shifts handing over at %s %s\n", v.Shift, v.Handoff, v.Timezone)
	} else {
		fmt.Fprintf(&b, "- Shifts of %s, handing over at %s %s\n", v.Shift, v.Handoff, v.Timezone)
	}
	fmt.Fprintf(&b, "- Escalates after %s", v.EscalateAfter)
	if len(v.EscalateTo) > 0 {
		fmt.Fprintf(&b, ", after the members to %s", strings.Join(v.EscalateTo, ", "))
	}
	b.WriteString("\n")
	if v.Discipline != "" {
		fmt.Fprintf(&b, "- Discipline: %s\n", v.Discipline)
	}
	return b.String()
}

func (h *Handler) page(c *call) *model.CommandResponse {
	if len(c.words) != 1 || strings.TrimSpace(c.text) == "" {
		return ephemeral("Usage: `/%s page <@user|rotation> <message>`, e.g. `/%s page platform Checkout is down in EU`.", c.trigger, c.trigger)
	}
	ctx := context.Background()
	req := app.PageRequest{TeamID: c.args.TeamId, Target: c.words[0], Message: c.text}
	if w, err := h.svc.GetByChannel(ctx, c.args.UserId, c.args.ChannelId); err == nil {
		req.WorkflowID = w.ID
	}
	p, err := h.svc.Page(ctx, c.args.UserId, req)
	if err != nil {
		return h.fail(c, err)
	}
	return ephemeral("📟 Paged %s (%s). `/%s ack` or their Acknowledge button stops it.", p.Target, h.notified(p), c.trigger)
}

func (h *Handler) notified(p *app.Page) string {
	names := make([]string, len(p.Notified))
	for i, n := range p.Notified {
		names[i] = h.username(n.UserID)
	}
	return "reached " + strings.Join(names, ", ")
}

func (h *Handler) ack(c *call) *model.CommandResponse {
	if len(c.words) > 0 {
		return ephemeral("Usage: `/%s ack`.", c.trigger)
	}
	p, err := h.svc.AcknowledgeLatest(context.Background(), c.args.UserId, c.args.ChannelId)
	if err != nil {
		return h.fail(c, err)
	}
	return ephemeral("✅ Acknowledged the page to %s from %s.", p.Target, h.username(p.CreatedBy))
}
