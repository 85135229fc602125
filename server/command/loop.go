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
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.PostStatus(ctx, c.args.UserId, w.ID, strings.Join(c.words, " "))
		return err
	})
}

func (h *Handler) task(c *call) *model.CommandResponse {
	usage := ephemeral("Usage: `/%s task add <text> [@user] [--due 2h]`, `/%s task done <n>` or `/%s task undo <n>`.", c.trigger, c.trigger, c.trigger)
	if len(c.words) < 2 {
		return usage
	}
	switch strings.ToLower(c.words[0]) {
	case "add":
		words := c.words[1:]
		assignee := ""
		if last := words[len(words)-1]; strings.HasPrefix(last, "@") && len(words) > 1 {
			assignee, words = last, words[:len(words)-1]
		}
		return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
			_, err := h.svc.AddTask(ctx, c.args.UserId, w.ID, app.TaskRequest{Text: strings.Join(words, " "), Assignee: assignee, Due: c.flags["due"]})
			return err
		})
	case "done", "undo":
		if len(c.words) != 2 || c.flags.has("due") {
			return usage
		}
		n, err := strconv.Atoi(strings.TrimPrefix(c.words[1], "#"))
		if err != nil || n < 1 {
			return ephemeral("%q is not a task number; `/%s tasks` lists them.", c.words[1], c.trigger)
		}
		return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
			_, err := h.svc.SetTaskDone(ctx, c.args.UserId, w.ID, n, c.words[0] == "done")
			return err
		})
	default:
		return usage
	}
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
		if t.AssigneeID != "" {
			fmt.Fprintf(&b, " · %s", h.username(t.AssigneeID))
		}
		if t.DueAt != 0 {
			fmt.Fprintf(&b, " · due %s", time.UnixMilli(t.DueAt).UTC().Format("2006-01-02 15:04 UTC"))
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
	b.WriteString("#### Timeline\n| When (UTC) | Event | |\n|:--|:--|:--|\n")
	for _, ev := range events {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", time.UnixMilli(ev.At).UTC().Format("01-02 15:04:05"), ev.Type, app.Inline(ev.Summary))
	}
	if next != "" {
		b.WriteString("\nThe first 100 events; the panel and the API page through the rest.")
	}
	return ephemeral("%s", b.String())
}
