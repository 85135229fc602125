package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// Template describes one workflow type: how its channel is named and set up, its
// stages, gates, checklists and roles, and who may start it.
type Template struct {
	Type             string            `json:"type"`
	Name             string            `json:"name"`
	Category         string            `json:"category"`
	ChannelPattern   string            `json:"channel_pattern"`
	Private          bool              `json:"private"`
	Purpose          string            `json:"purpose"`
	Header           string            `json:"header"`
	Severities       []string          `json:"severities"`
	DefaultSeverity  string            `json:"default_severity"`
	Cadence          map[string]string `json:"cadence,omitempty"`
	Stages           []Stage           `json:"stages"`
	LeadRole         string            `json:"lead_role"`
	Roles            []string          `json:"roles"`
	StartDisciplines []Discipline      `json:"start_disciplines"`
	AutoInvite       AutoInvite        `json:"auto_invite"`
	// Fields are the custom fields of the type's workflows (see Field).
	Fields []Field `json:"fields,omitempty"`
	// Page maps severities to the rotation a new workflow of that severity pages:
	// a rotation's name, or discipline:<name> for the team's rotation of a discipline.
	Page map[string]string `json:"page,omitempty"`

	// Version names this exact template: a hash of its JSON, the key under which
	// workflows started from it find it again (see TemplateVersion).
	Version string `json:"-"`
}

// Stage is one step of a workflow. A stage with a gate may be entered only after a
// member of each gate discipline signed off.
type Stage struct {
	Name      string          `json:"name"`
	Gate      []Discipline    `json:"gate,omitempty"`
	Checklist []ChecklistItem `json:"checklist,omitempty"`
	// InviteGate: when the stage before this one begins, the verified holders of the
	// gate's disciplines in the team are invited, so the signers are there in time.
	InviteGate bool `json:"invite_gate,omitempty"`
	// Environment is where the stage releases to (e.g. production): a pipeline's gate
	// check for that environment asks for this stage's gate (gatecheck.go).
	Environment string `json:"environment,omitempty"`
}

// ChecklistItem is a task created when its stage begins.
type ChecklistItem struct {
	Text       string     `json:"text"`
	Discipline Discipline `json:"discipline,omitempty"`
}

// AutoInvite names who joins a new workflow's channel besides its starter.
type AutoInvite struct {
	Disciplines []Discipline `json:"disciplines,omitempty"`
	Usernames   []string     `json:"usernames,omitempty"`
	// Limits caps a discipline's invitees at the first N in InviteOrder; a discipline
	// without a limit, or with 0, invites everyone who has it.
	Limits map[Discipline]int `json:"limits,omitempty"`
}

// StageIndex returns the position of a stage, or -1.
func (t *Template) StageIndex(name string) int {
	for i, s := range t.Stages {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// Stage returns the named stage.
func (t *Template) Stage(name string) (Stage, bool) {
	if i := t.StageIndex(name); i >= 0 {
		return t.Stages[i], true
	}
	return Stage{}, false
}

// StageNames lists the stages in order.
func (t *Template) StageNames() []string {
	out := make([]string, len(t.Stages))
	for i, s := range t.Stages {
		out[i] = s.Name
	}
	return out
}

// HasRole reports whether the template defines a workflow role.
func (t *Template) HasRole(role string) bool {
	for _, r := range t.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// HasSeverity reports whether sev is one of the template's severities.
func (t *Template) HasSeverity(sev string) bool {
	for _, s := range t.Severities {
		if s == sev {
			return true
		}
	}
	return false
}

// MayStart reports whether a user of discipline d may start this type.
func (t *Template) MayStart(d Discipline) bool {
	if len(t.StartDisciplines) == 0 {
		return true
	}
	for _, s := range t.StartDisciplines {
		if s == d {
			return true
		}
	}
	return false
}

func (t *Template) clone() *Template {
	raw, _ := json.Marshal(t)
	var c Template
	_ = json.Unmarshal(raw, &c)
	return &c
}

var (
	typeNameRE  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	stageNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)
	patternRE   = regexp.MustCompile(`\{[^}]*\}`)
	// environmentRE is an environment's name, as a pipeline sends it (lower-cased).
	environmentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,31}$`)
)

var patternPlaceholders = map[string]bool{"{seq}": true, "{slug}": true, "{type}": true, "{version}": true}

// keepInheritedPages drops, from a built-in template an override changed, the pages
// of severities the override took away, unless the override says its own `page`:
// an incident override with its own severities stays valid as it was before pages.
func keepInheritedPages(t *Template, override json.RawMessage) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(override, &fields) != nil {
		return
	}
	if _, own := fields["page"]; own {
		return
	}
	for sev := range t.Page {
		if !slices.Contains(t.Severities, sev) {
			delete(t.Page, sev)
		}
	}
}

// validate checks a template and fills in what can be derived (the lead role among
// the roles). Errors name the field, so an admin can find it in their JSON.
func (t *Template) validate(ds *DisciplineSet) error {
	fail := func(field, format string, args ...any) error {
		return errors.Errorf("template %q: %s: %s", t.Type, field, fmt.Sprintf(format, args...))
	}
	if !typeNameRE.MatchString(t.Type) {
		return errors.Errorf("template type %q: use 1-31 lower-case letters, digits or '-', starting with a letter", t.Type)
	}
	if strings.TrimSpace(t.Name) == "" {
		return fail("name", "must not be empty")
	}
	if t.Category == "" {
		t.Category = t.Name + "s"
	}
	if t.ChannelPattern == "" {
		return fail("channel_pattern", "must not be empty")
	}
	for _, ph := range patternRE.FindAllString(t.ChannelPattern, -1) {
		if !patternPlaceholders[ph] {
			return fail("channel_pattern", "unknown placeholder %s (use {seq}, {slug}, {type}, {version})", ph)
		}
	}
	literal := patternRE.ReplaceAllString(t.ChannelPattern, "")
	if strings.Trim(literal, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return fail("channel_pattern", "only lower-case letters, digits, '-', '_' and placeholders are allowed")
	}
	if len(literal) > 20 {
		return fail("channel_pattern", "the fixed text is longer than 20 characters")
	}
	if !strings.Contains(t.ChannelPattern, "{seq}") {
		// {seq} is what keeps two workflows of a type from wanting one channel name.
		return fail("channel_pattern", "%q must contain {seq}, which keeps channel names unique", t.ChannelPattern)
	}
	if len(t.Stages) == 0 {
		return fail("stages", "at least one stage is required")
	}
	seen := map[string]bool{}
	envStages := map[string]string{"": ""}
	for i := range t.Stages {
		s := &t.Stages[i]
		if !stageNameRE.MatchString(s.Name) {
			return fail("stages", "stage name %q: use lower-case letters, digits or '-'", s.Name)
		}
		if seen[s.Name] || s.Name == "next" {
			return fail("stages", "stage name %q is repeated or reserved", s.Name)
		}
		seen[s.Name] = true
		if err := ds.check(s.Gate); err != nil {
			return fail("stages["+s.Name+"].gate", "%v", err)
		}
		if i == 0 && len(s.Gate) > 0 {
			return fail("stages", "the first stage %q cannot have a gate: a workflow starts in it", s.Name)
		}
		if s.InviteGate && len(s.Gate) == 0 {
			return fail("stages["+s.Name+"].invite_gate", "the stage has no gate whose disciplines to invite")
		}
		s.Environment = strings.ToLower(strings.TrimSpace(s.Environment))
		if s.Environment != "" && !environmentRE.MatchString(s.Environment) {
			return fail("stages["+s.Name+"].environment", "%q: one word of at most 32 lower-case letters, digits, '.', '_' or '-', such as production", s.Environment)
		}
		if s.Environment != "" && envStages[s.Environment] != "" {
			return fail("stages["+s.Name+"].environment", "%s is already the environment of stage %s", s.Environment, envStages[s.Environment])
		}
		envStages[s.Environment] = s.Name
		for _, c := range s.Checklist {
			if strings.TrimSpace(c.Text) == "" {
				return fail("stages["+s.Name+"].checklist", "an item has no text")
			}
			if c.Discipline != "" {
				if err := ds.check([]Discipline{c.Discipline}); err != nil {
					return fail("stages["+s.Name+"].checklist", "%v", err)
				}
			}
		}
	}
	sevs := map[string]bool{}
	for _, s := range t.Severities {
		if !stageNameRE.MatchString(s) || sevs[s] {
			return fail("severities", "severity %q is malformed or repeated", s)
		}
		sevs[s] = true
	}
	if t.DefaultSeverity != "" && !sevs[t.DefaultSeverity] {
		return fail("default_severity", "%q is not one of the severities", t.DefaultSeverity)
	}
	if t.DefaultSeverity == "" && len(t.Severities) > 0 {
		t.DefaultSeverity = t.Severities[len(t.Severities)/2]
	}
	for k, v := range t.Cadence {
		if k != "default" && !sevs[k] {
			return fail("cadence", "%q is not one of the severities", k)
		}
		if _, err := ParseDuration(v); err != nil {
			return fail("cadence["+k+"]", "%v", err)
		}
	}
	for sev, target := range t.Page {
		if !sevs[sev] {
			return fail("page", "%q is not one of the severities", sev)
		}
		if d, ok := strings.CutPrefix(target, "discipline:"); ok {
			if err := ds.check([]Discipline{Discipline(d)}); err != nil {
				return fail("page["+sev+"]", "%v", err)
			}
		} else if target == "" || len(target) > MaxRotationName || strings.ContainsAny(target, " \t\n:@") {
			return fail("page["+sev+"]", "%q is neither a rotation's name nor discipline:<name>", target)
		}
	}
	if !stageNameRE.MatchString(t.LeadRole) {
		return fail("lead_role", "%q: use lower-case letters, digits or '-'", t.LeadRole)
	}
	roles := map[string]bool{}
	out := []string{t.LeadRole}
	roles[t.LeadRole] = true
	for _, r := range t.Roles {
		if !stageNameRE.MatchString(r) {
			return fail("roles", "role %q: use lower-case letters, digits or '-'", r)
		}
		if !roles[r] {
			roles[r] = true
			out = append(out, r)
		}
	}
	t.Roles = out
	if err := ds.check(t.StartDisciplines); err != nil {
		return fail("start_disciplines", "%v", err)
	}
	if err := ds.check(t.AutoInvite.Disciplines); err != nil {
		return fail("auto_invite.disciplines", "%v", err)
	}
	if err := t.validateFields(fail); err != nil {
		return err
	}
	for d, n := range t.AutoInvite.Limits {
		if !containsDiscipline(t.AutoInvite.Disciplines, d) {
			return fail("auto_invite.limits", "%q is not one of auto_invite.disciplines", d)
		}
		if n < 0 || n > MaxInviteLimit {
			return fail("auto_invite.limits["+string(d)+"]", "%d: use 1 to %d, or 0 for everyone", n, MaxInviteLimit)
		}
	}
	return nil
}

// MaxInviteLimit is the largest limit a template may set on a discipline's invitees;
// beyond it, invite everyone (0).
const MaxInviteLimit = 1000

func (set *DisciplineSet) check(ds []Discipline) error {
	for _, d := range ds {
		if !set.valid(d) {
			return errors.Errorf("unknown discipline %q (one of %s)", d, strings.Join(set.Names(), ", "))
		}
	}
	return nil
}

// Templates is the set of workflow types in force. Every defined type is kept, the
// ones "Enabled workflow types" leaves out too: that setting governs new starts only,
// and a workflow of a disabled type keeps working on the template it started with.
type Templates struct {
	byType  map[string]*Template // every defined type, enabled or not
	order   []string             // the enabled types in display order
	defined []string             // every defined type in display order
}

// Get returns the template of an enabled type: what may be started.
func (ts *Templates) Get(typ string) (*Template, bool) {
	t, ok := ts.byType[strings.ToLower(typ)]
	if !ok || !slices.Contains(ts.order, t.Type) {
		return nil, false
	}
	return t, true
}

// Startable returns the template a new workflow of typ starts from, or the refusal:
// an unknown type, or one "Enabled workflow types" leaves out, which names the
// types that may start.
func (ts *Templates) Startable(typ string) (*Template, error) {
	typ = strings.ToLower(strings.TrimSpace(typ))
	if t, ok := ts.Get(typ); ok {
		return t, nil
	}
	types := strings.Join(ts.Types(), ", ")
	if typ == "" {
		return nil, invalid("Name a workflow type: %s.", types)
	}
	if t, ok := ts.Defined(typ); ok {
		return nil, forbidden("New %s workflows cannot be started: a system admin has not enabled the %s type (System Console → Plugins → DevOps Channels → Enabled workflow types). Types you can start: %s. Running ones carry on as before.",
			typ, t.Type, types)
	}
	return nil, invalid("Unknown workflow type %q. Types: %s.", typ, types)
}

// Defined returns the current template of a type, enabled or not.
func (ts *Templates) Defined(typ string) (*Template, bool) {
	t, ok := ts.byType[strings.ToLower(typ)]
	return t, ok
}

// AllDefined lists every defined type's template, enabled or not, in display order.
func (ts *Templates) AllDefined() []*Template {
	out := make([]*Template, 0, len(ts.defined))
	for _, k := range ts.defined {
		out = append(out, ts.byType[k])
	}
	return out
}

// All lists the templates in display order.
func (ts *Templates) All() []*Template {
	out := make([]*Template, 0, len(ts.order))
	for _, k := range ts.order {
		out = append(out, ts.byType[k])
	}
	return out
}

// Types lists the type keys in display order.
func (ts *Templates) Types() []string {
	return append([]string(nil), ts.order...)
}

// BuildTemplates starts from the built-in templates, applies the admin's JSON
// overrides (a built-in key overrides only the fields given; a new key adds a type)
// and keeps the enabled types (all when enabled is empty). Templates may name the
// disciplines of ds.
func BuildTemplates(overridesJSON string, enabled []string, ds *DisciplineSet) (*Templates, error) {
	if ds == nil {
		ds = BuiltinDisciplines()
	}
	ts := &Templates{byType: map[string]*Template{}}
	for _, t := range builtinTemplates() {
		ts.byType[t.Type] = t
		ts.order = append(ts.order, t.Type)
	}
	if strings.TrimSpace(overridesJSON) != "" {
		raw, err := decodeOneObject(overridesJSON)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(raw))
		for k := range raw {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t, ok := ts.byType[k]
			if ok {
				t = t.clone()
			} else {
				t = &Template{}
				ts.order = append(ts.order, k)
			}
			d := json.NewDecoder(bytes.NewReader(raw[k]))
			d.DisallowUnknownFields()
			if err := d.Decode(t); err != nil {
				return nil, errors.Wrapf(err, "template %q", k)
			}
			if t.Type == "" {
				t.Type = k
			}
			if t.Type != k {
				return nil, errors.Errorf("template %q: type: %q does not match its key", k, t.Type)
			}
			if ok {
				keepInheritedPages(t, raw[k])
			}
			ts.byType[k] = t
		}
	}
	for _, k := range ts.order {
		t := ts.byType[k]
		if err := t.validate(ds); err != nil {
			return nil, err
		}
		t.Version = versionOf(t)
	}
	ts.defined = ts.order
	if len(enabled) > 0 {
		keep := map[string]bool{}
		for _, e := range enabled {
			if _, ok := ts.byType[e]; !ok {
				return nil, errors.Errorf("enabled type %q is not a known workflow type (known: %s)", e, strings.Join(ts.order, ", "))
			}
			keep[e] = true
		}
		var order []string
		for _, k := range ts.defined {
			if keep[k] {
				order = append(order, k)
			}
		}
		ts.order = order
	}
	return ts, nil
}

// versionOf hashes a validated template's JSON (struct fields in declaration order,
// map keys sorted by encoding/json): the same template gives the same version on
// every node and after every restart, and any change gives another.
func versionOf(t *Template) string {
	raw, err := json.Marshal(t)
	if err != nil { // a Template is plain data: Marshal cannot fail on it
		panic(errors.Wrap(err, "encode template"))
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}

// maxDuration is the longest duration ParseDuration reads.
const maxDuration = 365 * 24 * time.Hour

// DurationTooLong is ParseDuration's refusal of a duration over a year.
type DurationTooLong struct{ In string }

func (e *DurationTooLong) Error() string { return fmt.Sprintf("%q is longer than a year", e.In) }

// ParseDuration reads durations the way people write them: 90s, 15m, 2h, 1d, 1w,
// and combinations such as 1h30m. Zero is allowed ("off"); negatives are not.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	if in == "" {
		return 0, errors.New("empty duration (use e.g. 15m, 2h, 1d)")
	}
	if in == "0" {
		return 0, nil
	}
	var total time.Duration
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || i > 6 {
			return 0, errors.Errorf("%q is not a duration (use e.g. 15m, 2h, 1d)", s)
		}
		var n int64
		for _, c := range rest[:i] {
			n = n*10 + int64(c-'0')
		}
		var unit time.Duration
		switch rest[i] {
		case 's':
			unit = time.Second
		case 'm':
			unit = time.Minute
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'w':
			unit = 7 * 24 * time.Hour
		default:
			return 0, errors.Errorf("%q has an unknown unit %q (use s, m, h, d or w)", s, rest[i])
		}
		// Checked term by term, before multiplying: 999999w does not fit a Duration
		// and would wrap around to a short (or negative) one.
		if time.Duration(n) > (maxDuration-total)/unit {
			return 0, &DurationTooLong{In: s}
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	return total, nil
}

// decodeOneObject reads the overrides as exactly one JSON object keyed by type. The
// decoder alone would stop after the first value and let the last of two equal keys
// win, so whatever an admin added after it, or twice, would be ignored silently.
func decodeOneObject(text string) (map[string]json.RawMessage, error) {
	const what = "template overrides are not one JSON object keyed by type"
	if err := checkDuplicateKeys(text); err != nil {
		return nil, errors.Wrap(err, what)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, errors.Wrap(err, what)
	}
	if raw == nil {
		return nil, errors.New(what + ": null (leave the setting empty for none)")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.Errorf("%s: something follows the object at offset %d; remove it or move it inside", what, dec.InputOffset())
	}
	return raw, nil
}

// checkDuplicateKeys refuses an object, at any depth, that names a key twice.
func checkDuplicateKeys(text string) error {
	type object struct {
		keys    map[string]bool
		wantKey bool
	}
	dec := json.NewDecoder(strings.NewReader(text))
	var stack []*object // nil entries are arrays
	for {
		tok, err := dec.Token()
		if err != nil {
			//nolint:nilerr // a syntax error is the decoder's to report, with its offset
			return nil
		}
		if n := len(stack); n > 0 && stack[n-1] != nil && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				if stack[n-1].keys[key] {
					return errors.Errorf("%q is given twice", key)
				}
				stack[n-1].keys[key] = true
				stack[n-1].wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{keys: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, nil)
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
		}
		// After a value (or an object's opening brace) an object expects its next key.
		if n := len(stack); n > 0 && stack[n-1] != nil {
			stack[n-1].wantKey = true
		}
	}
}
