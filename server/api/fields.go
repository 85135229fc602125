package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// patchFields sets and clears custom fields: a JSON object of key -> value, where a
// value is a string, a number (for number fields) or null (clears the field). All or
// nothing: a refused value changes no field.
func (h *handler) patchFields(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *map[string]json.RawMessage) (*app.Workflow, error) {
		values := make(map[string]*string, len(*b))
		for k, raw := range *b {
			v, err := fieldValueOf(k, raw)
			if err != nil {
				return nil, err
			}
			values[k] = v
		}
		return h.svc.SetFields(r.Context(), userID(r), id, values)
	})(w, r)
}

// fieldValueOf reads one value of a fields patch: a string, a number as written, or
// null (nil: clear).
func fieldValueOf(key string, raw json.RawMessage) (*string, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return &s, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		s = n.String()
		return &s, nil
	}
	return nil, &app.Error{Kind: app.KindInvalid, Message: "fields." + key + ": give a string, a number or null (to clear it)."}
}

// closeTimes answers the team view's chart: the median time to close per week.
func (h *handler) closeTimes(w http.ResponseWriter, r *http.Request) {
	out, err := h.svc.CloseTimes(r.Context(), userID(r), r.URL.Query().Get("team_id"), time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// viewHere is the workflow of the autocompleting channel as its user sees it, or nil.
func (h *handler) viewHere(r *http.Request) *app.WorkflowView {
	wf, err := h.svc.GetByChannel(r.Context(), userID(r), r.URL.Query().Get("channel_id"))
	if err != nil {
		return nil
	}
	v, err := h.svc.View(r.Context(), userID(r), wf)
	if err != nil {
		return nil
	}
	return v
}

// autocompleteFields lists the custom fields of the channel's workflow for `set`.
func (h *handler) autocompleteFields(w http.ResponseWriter, r *http.Request) {
	items := []model.AutocompleteListItem{}
	if v := h.viewHere(r); v != nil {
		for _, f := range v.FieldValues {
			help := f.Name + " (" + f.Type + ")"
			if f.Display != "" {
				help += ": now " + f.Display
			}
			items = append(items, model.AutocompleteListItem{Item: f.Key, HelpText: help})
		}
	}
	writeJSON(w, http.StatusOK, items)
}

// autocompleteFieldValues suggests values for the field `set` names so far: a select's
// options, and --clear for a field that holds a value.
func (h *handler) autocompleteFieldValues(w http.ResponseWriter, r *http.Request) {
	items := []model.AutocompleteListItem{}
	key := fieldKeyIn(r.URL.Query().Get("parsed"))
	if v := h.viewHere(r); v != nil && key != "" {
		for _, f := range v.FieldValues {
			if f.Key != key {
				continue
			}
			for _, o := range f.Options {
				items = append(items, model.AutocompleteListItem{Item: o, HelpText: f.Name})
			}
			if f.Value != "" {
				items = append(items, model.AutocompleteListItem{Item: "--clear", HelpText: "empty " + f.Name})
			}
		}
	}
	writeJSON(w, http.StatusOK, items)
}

// fieldKeyIn finds the field key in the command typed so far: the word after `set`.
func fieldKeyIn(parsed string) string {
	words := strings.Fields(parsed)
	for i, w := range words {
		if strings.EqualFold(w, "set") && i+1 < len(words) {
			return strings.ToLower(words[i+1])
		}
	}
	return ""
}

// fieldParams reads the list's field.<key>=value query parameters.
func fieldParams(q url.Values) map[string]string {
	var out map[string]string
	for k, vs := range q {
		key, ok := strings.CutPrefix(k, "field.")
		if !ok || len(vs) == 0 {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[key] = vs[0]
	}
	return out
}
