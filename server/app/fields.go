package app

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// Field types a template may declare.
const (
	FieldText   = "text"
	FieldNumber = "number"
	FieldSelect = "select"
	FieldUser   = "user"
	FieldURL    = "url"
)

var fieldTypes = []string{FieldText, FieldNumber, FieldSelect, FieldUser, FieldURL}

// Limits on field definitions and values.
const (
	MaxFields          = 20
	MaxFieldOptions    = 50
	MaxFieldValueRunes = 200
	MaxFieldURLRunes   = 2000
)

// Field is a custom field a template declares: a fact of the work (the service, the
// customer, the ticket, the CVE) that people set as they learn it, that lists filter
// and stats group by, and that a stage may require before it is entered.
type Field struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Type string `json:"type"`
	// Options are a select field's choices, in the order they are offered.
	Options []string `json:"options,omitempty"`
	// RequiredAt names the stage that cannot be entered (or skipped over) while the
	// field is empty.
	RequiredAt string `json:"required_at,omitempty"`
}

// FieldValue is a field of a workflow with its value: Value as stored (a select's
// option, a number in its shortest form, a user's id), Display as people read it (a
// user as @username); both "" when the field is not set.
type FieldValue struct {
	Field
	Value   string `json:"value"`
	Display string `json:"display"`
}

var fieldKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// validateFields checks a template's field definitions; errors name the field by its
// key, so an admin finds it in their JSON.
func (t *Template) validateFields(fail func(field, format string, args ...any) error) error {
	if len(t.Fields) > MaxFields {
		return fail("fields", "%d fields; at most %d", len(t.Fields), MaxFields)
	}
	seen := map[string]bool{}
	for i := range t.Fields {
		f := &t.Fields[i]
		where := fmt.Sprintf("fields[%d]", i)
		if !fieldKeyRE.MatchString(f.Key) {
			return fail(where+".key", "%q: use 1-32 lower-case letters, digits, '-' or '_', starting with a letter", f.Key)
		}
		where = "fields[" + f.Key + "]"
		if seen[f.Key] {
			return fail(where+".key", "%q is declared twice", f.Key)
		}
		seen[f.Key] = true
		f.Name = strings.TrimSpace(f.Name)
		if f.Name == "" {
			return fail(where+".name", "must not be empty")
		}
		if utf8.RuneCountInString(f.Name) > 64 {
			return fail(where+".name", "longer than 64 characters")
		}
		if !slices.Contains(fieldTypes, f.Type) {
			return fail(where+".type", "%q: use one of %s", f.Type, strings.Join(fieldTypes, ", "))
		}
		if err := f.validateOptions(); err != nil {
			return fail(where+".options", "%v", err)
		}
		if f.RequiredAt != "" {
			i := t.StageIndex(f.RequiredAt)
			if i < 0 {
				return fail(where+".required_at", "%q is not a stage (stages: %s)", f.RequiredAt, strings.Join(t.StageNames(), ", "))
			}
			if i == 0 {
				return fail(where+".required_at", "%q is the first stage: a workflow starts in it, before any field is set", f.RequiredAt)
			}
		}
	}
	return nil
}

func (f *Field) validateOptions() error {
	if f.Type != FieldSelect {
		if len(f.Options) > 0 {
			return errors.Errorf("only a select field has options; this one is %s", f.Type)
		}
		return nil
	}
	if len(f.Options) == 0 {
		return errors.New("a select field needs at least one option")
	}
	if len(f.Options) > MaxFieldOptions {
		return errors.Errorf("%d options; at most %d", len(f.Options), MaxFieldOptions)
	}
	seen := map[string]bool{}
	for _, o := range f.Options {
		if strings.TrimSpace(o) != o || o == "" || utf8.RuneCountInString(o) > 64 || strings.ContainsAny(o, "\n\r\t") {
			return errors.Errorf("option %q: 1-64 characters, no surrounding spaces", o)
		}
		if seen[strings.ToLower(o)] {
			return errors.Errorf("option %q is given twice", o)
		}
		seen[strings.ToLower(o)] = true
	}
	return nil
}

// Field returns the template's field of that key.
func (t *Template) Field(key string) (Field, bool) {
	i := slices.IndexFunc(t.Fields, func(f Field) bool { return f.Key == key })
	if i < 0 {
		return Field{}, false
	}
	return t.Fields[i], true
}

// fieldKeys lists the template's field keys, for refusals that say what there is.
func (t *Template) fieldKeys() string {
	keys := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		keys[i] = f.Key
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// parseFieldValue reads a value people typed for field f and returns it as stored.
// A user is named by username (with or without @) and must be an active member of
// the team; an id is accepted too (the webapp's user picker sends one).
func (s *Service) parseFieldValue(f Field, teamID, raw string) (string, error) {
	v := cleanText(raw)
	if v == "" {
		return "", invalid("Give %s (%s) a value, or clear it.", f.Name, f.Key)
	}
	switch f.Type {
	case FieldNumber:
		n, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return "", invalid("%s (%s) is a number; %q is not one.", f.Name, f.Key, v)
		}
		return strconv.FormatFloat(n, 'f', -1, 64), nil
	case FieldSelect:
		for _, o := range f.Options {
			if strings.EqualFold(o, v) {
				return o, nil
			}
		}
		return "", invalid("%s (%s) is one of %s; not %q.", f.Name, f.Key, strings.Join(f.Options, ", "), v)
	case FieldUser:
		name := strings.ToLower(strings.TrimPrefix(v, "@"))
		user, err := s.mm.GetUserByUsername(name)
		if (err != nil || user == nil) && len(name) == 26 {
			user, err = s.mm.GetUser(name)
		}
		if err != nil || user == nil || user.DeleteAt != 0 || !s.mm.IsTeamMember(teamID, user.Id) {
			return "", invalid("%s (%s) is a person of this team; there is no @%s here.", f.Name, f.Key, name)
		}
		return user.Id, nil
	case FieldURL:
		if utf8.RuneCountInString(v) > MaxFieldURLRunes {
			return "", invalid("%s (%s) is a link of at most %d characters.", f.Name, f.Key, MaxFieldURLRunes)
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(v, " <>\"") {
			return "", invalid("%s (%s) is a web link starting with http:// or https://; %q is not one.", f.Name, f.Key, v)
		}
		return v, nil
	default:
		if err := checkLength(f.Name+" ("+f.Key+")", v, MaxFieldValueRunes); err != nil {
			return "", err
		}
		return v, nil
	}
}

// displayField renders a stored value as people read it: a user as @username.
func (s *Service) displayField(f Field, value string) string {
	if value == "" || f.Type != FieldUser {
		return value
	}
	if u, err := s.mm.GetUserCached(value); err == nil {
		return "@" + u.Username
	}
	return "someone"
}

// fieldValues lists every field tmpl declares with w's value, in the template's order.
func (s *Service) fieldValues(w *Workflow, tmpl *Template) []FieldValue {
	out := make([]FieldValue, 0, len(tmpl.Fields))
	for _, f := range tmpl.Fields {
		v := w.Fields[f.Key]
		out = append(out, FieldValue{Field: f, Value: v, Display: s.displayField(f, v)})
	}
	return out
}

// SetFields sets (or, for a nil value, clears) custom fields of a workflow, all or
// none: a value that does not fit its field's type refuses the whole change, naming
// the field. Channel members may set fields while the workflow is active. Each
// change is on the timeline and in one post in the channel.
func (s *Service) SetFields(ctx context.Context, actorID, id string, values map[string]*string) (*Workflow, error) {
	if len(values) == 0 {
		return nil, invalid("Name a field to set, e.g. `/%s set <field> <value>`.", s.settings().CommandTrigger)
	}
	var changes []string
	w, _, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		changes = nil
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if !s.mm.IsChannelMember(w.ChannelID, actorID) {
			return nil, forbidden("Only members of ~%s set its fields.", w.ChannelName)
		}
		parsed, err := s.parseFieldValues(w, tmpl, values)
		if err != nil {
			return nil, err
		}
		if w.Fields == nil {
			w.Fields = map[string]string{}
		}
		var events []TimelineEvent
		for _, f := range tmpl.Fields { // in the template's order, so posts read alike
			v, given := parsed[f.Key]
			if !given || w.Fields[f.Key] == v {
				continue
			}
			var what string
			if v == "" {
				delete(w.Fields, f.Key)
				what = f.Name + " cleared"
			} else {
				w.Fields[f.Key] = v
				what = fmt.Sprintf("%s set to %s", f.Name, s.displayField(f, v))
			}
			changes = append(changes, what)
			events = append(events, TimelineEvent{Type: EventFieldChanged, ActorID: actorID,
				Data: map[string]string{"field": f.Key, "value": v}, Summary: what + " by " + s.mention(actorID)})
		}
		if len(events) == 0 {
			return nil, conflict("Nothing to change: the fields already hold those values.")
		}
		w.FieldsChanged = true
		return events, nil
	})
	if err != nil {
		return nil, err
	}
	posted := s.post(w, fmt.Sprintf("📝 **%s** (by %s)", Inline(strings.Join(changes, "; ")), s.mention(actorID)))
	s.publish(w, ChangeFields)
	return w, posted
}

// parseFieldValues checks every given value against its field, refusing an unknown
// key with the keys there are.
func (s *Service) parseFieldValues(w *Workflow, tmpl *Template, values map[string]*string) (map[string]string, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]string{}
	for _, k := range keys {
		f, ok := tmpl.Field(strings.ToLower(strings.TrimSpace(k)))
		if !ok {
			return nil, invalid("This %s has no field %q. Fields: %s.", strings.ToLower(tmpl.Name), k, tmpl.fieldKeys())
		}
		if values[k] == nil {
			out[f.Key] = ""
			continue
		}
		v, err := s.parseFieldValue(f, w.TeamID, *values[k])
		if err != nil {
			return nil, err
		}
		out[f.Key] = v
	}
	return out, nil
}

// requiredFieldMissing refuses entering stage st while a field it requires is empty,
// saying how to set it.
func (s *Service) requiredFieldMissing(w *Workflow, tmpl *Template, st Stage) error {
	for _, f := range tmpl.Fields {
		if f.RequiredAt == st.Name && w.Fields[f.Key] == "" {
			example := "<value>"
			if f.Type == FieldSelect {
				example = "<" + strings.Join(f.Options, "|") + ">"
			}
			return conflict("Entering %s needs the field %s (%s). Set it first: `/%s set %s %s`, or in the panel's Fields section.",
				st.Name, f.Name, f.Key, s.settings().CommandTrigger, f.Key, example)
		}
	}
	return nil
}

// fieldFilter turns the list's field.<key>=value filters into stored values: a key
// some defined type declares (typ's own when given), a value read as that field reads
// it (a select's option in its spelling, a user's id).
func (s *Service) fieldFilter(teamID, typ string, filters map[string]string) (map[string]string, error) {
	if len(filters) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for k, raw := range filters {
		f, ok := s.declaredField(typ, strings.ToLower(k))
		if !ok {
			return nil, invalid("No workflow type has a field %q to filter by.", k)
		}
		v, err := s.parseFieldValue(f, teamID, raw)
		if err != nil {
			return nil, err
		}
		out[f.Key] = v
	}
	return out, nil
}

// declaredField finds a field by key among the defined types' templates: typ's when
// given, else the first type that declares it.
func (s *Service) declaredField(typ, key string) (Field, bool) {
	for _, t := range s.settings().Templates.AllDefined() {
		if typ != "" && t.Type != typ {
			continue
		}
		if f, ok := t.Field(key); ok {
			return f, true
		}
	}
	return Field{}, false
}

// statsGroup reads what stats are grouped by: "" (not at all), severity, or a select
// field some defined type declares (typ's own when given), by key or field.<key>.
func (s *Service) statsGroup(typ, by string) (string, error) {
	by = strings.ToLower(strings.TrimSpace(by))
	if by == "" || by == GroupBySeverity {
		return by, nil
	}
	key := strings.TrimPrefix(by, "field.")
	f, ok := s.declaredField(typ, key)
	if !ok {
		return "", invalid("Stats group by severity or by a select field; no workflow type has a field %q.", key)
	}
	if f.Type != FieldSelect {
		return "", invalid("Stats group by severity or by a select field; %s (%s) is a %s field.", f.Name, f.Key, f.Type)
	}
	return f.Key, nil
}
