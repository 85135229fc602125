package command

import (
	"context"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// serviceFlags are `/devops service add`'s options, each with a value.
var serviceFlags = []string{"owners", "discipline", "rotation", "repo", "tier"}

// service runs `/devops service add|show|list|remove`: the catalog through the same
// service as the REST door. Changes are announced to the caller only: the catalog
// belongs to no channel.
func (h *Handler) service(c *call) *model.CommandResponse {
	ctx := context.Background()
	usage := func() *model.CommandResponse {
		return ephemeral("Usage: `/%s %s`.", c.trigger, h.byName["service"].usage)
	}
	if len(c.words) == 0 {
		return usage()
	}
	verb := strings.ToLower(c.words[0])
	if verb == "list" && len(c.words) == 1 {
		items, err := h.svc.ListServices(ctx, c.args.UserId, c.args.TeamId)
		if err != nil {
			return h.fail(c, err)
		}
		if len(items) == 0 {
			return ephemeral("The team's catalog is empty. Add a service with `/%s service add <name> --owners @someone`.", c.trigger)
		}
		var b strings.Builder
		b.WriteString("**Services**")
		for _, svc := range items {
			b.WriteString("\n- " + h.svc.Describe(svc))
		}
		return ephemeral("%s", b.String())
	}
	if len(c.words) != 2 || verb != "add" && len(c.flags) > 0 {
		return usage()
	}
	name := c.words[1]
	switch verb {
	case "add":
		req := app.ServiceRequest{TeamID: c.args.TeamId, Name: name}
		set := func(flag string) *string {
			if v, ok := c.flags[flag]; ok {
				return &v
			}
			return nil
		}
		if v, ok := c.flags["owners"]; ok {
			owners := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
			req.Owners = &owners
		}
		req.OwnerDiscipline, req.Rotation, req.Repository, req.Tier = set("discipline"), set("rotation"), set("repo"), set("tier")
		svc, err := h.svc.AddService(ctx, c.args.UserId, req)
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Added to the catalog: %s", h.svc.Describe(svc))
	case "show":
		svc, err := h.svc.ServiceByName(ctx, c.args.UserId, c.args.TeamId, name)
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("%s", h.svc.Describe(svc))
	case "remove":
		svc, err := h.svc.ServiceByName(ctx, c.args.UserId, c.args.TeamId, name)
		if err != nil {
			return h.fail(c, err)
		}
		if _, err := h.svc.RemoveService(ctx, c.args.UserId, svc.ID); err != nil {
			return h.fail(c, err)
		}
		return ephemeral("Removed **%s** from the catalog.", app.Inline(svc.Name))
	}
	return usage()
}
