package command

import (
	"context"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// set sets or clears one custom field of this channel's workflow; without a field it
// shows the fields and how to set them.
func (h *Handler) set(c *call) *model.CommandResponse {
	clearing := c.flags.has("clear")
	switch {
	case len(c.words) == 0:
		return h.showFields(c)
	case clearing && c.text != "":
		return ephemeral("`--clear` empties the field; give either a value or `--clear`, not both.")
	case !clearing && c.text == "":
		return ephemeral("Usage: `/%s set <field> <value>`, or `/%s set <field> --clear` to empty it. `/%s set` lists the fields.", c.trigger, c.trigger, c.trigger)
	}
	var value *string
	if !clearing {
		value = &c.text
	}
	return h.onHere(c, func(ctx context.Context, w *app.Workflow) error {
		_, err := h.svc.SetFields(ctx, c.args.UserId, w.ID, map[string]*string{c.words[0]: value})
		return err
	})
}

func (h *Handler) showFields(c *call) *model.CommandResponse {
	v, err := h.viewHere(c)
	if err != nil {
		return h.fail(c, err)
	}
	if len(v.FieldValues) == 0 {
		return ephemeral("This %s has no custom fields. A system admin can declare some in the template overrides (`fields`); a workflow keeps the fields of the template it started with.", strings.ToLower(v.Template.Name))
	}
	return ephemeral("%s\n\n`/%s set <field> <value>` sets one; `/%s set <field> --clear` empties it.", describeFields(v.FieldValues), c.trigger, c.trigger)
}

// describeFields renders a workflow's fields for `info` and `set`: one line each,
// with what a value may be and the stage that requires it.
func describeFields(values []app.FieldValue) string {
	var b strings.Builder
	b.WriteString("**Fields:**")
	for _, f := range values {
		shown := "—"
		switch {
		case f.Display == "":
		case f.Type == app.FieldURL, f.Type == app.FieldUser:
			// A bare link links to itself, its text cannot hide where it goes; a user is
			// shown as roles are, a username read from Mattermost.
			shown = f.Display
		default:
			shown = app.Inline(f.Display)
		}
		fmt.Fprintf(&b, "\n- %s (`%s`, %s): %s", f.Name, f.Key, fieldKind(f.Field), shown)
	}
	return b.String()
}

func fieldKind(f app.Field) string {
	kind := f.Type
	if f.Type == app.FieldSelect {
		kind = "one of " + strings.Join(f.Options, ", ")
	}
	if f.RequiredAt != "" {
		kind += "; required to enter " + f.RequiredAt
	}
	return kind
}

// fieldFilters takes the list's `field.<key>=value` words out of words.
func fieldFilters(words []string) (rest []string, fields map[string]string, err error) {
	for _, w := range words {
		key, ok := strings.CutPrefix(strings.ToLower(w), "field.")
		if !ok {
			rest = append(rest, w)
			continue
		}
		key, value, ok := strings.Cut(key, "=")
		if !ok || key == "" {
			return nil, nil, errors.Errorf("a field filter is `field.<key>=<value>`, e.g. `field.service=checkout`; not %q", w)
		}
		if fields == nil {
			fields = map[string]string{}
		}
		fields[key] = w[len(w)-len(value):] // the value as typed, not lower-cased
	}
	return rest, fields, nil
}
