package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// FieldError is a refused setting: its key (as in plugin.json), the value as stored
// and why it is refused.
type FieldError struct {
	Field  string
	Value  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Live is what a setting is checked against on the running server, beyond its syntax.
type Live interface {
	// ChannelProblem says why the plugin cannot post in a channel; "" when it can.
	ChannelProblem(channelID string) (string, error)
	// UnknownUsernames returns the names that belong to no active user.
	UnknownUsernames(names []string) ([]string, error)
	// EmojiExists asks whether a system or custom emoji has this name.
	EmojiExists(name string) (bool, error)
	// CommandOwner names what already answers to /trigger ("" when nothing does).
	CommandOwner(trigger string) (string, error)
}

// MinCadence is the shortest reminder cadence: a shorter one would remind at every
// scheduler tick, which is noise, not a reminder.
const MinCadence = time.Minute

// Checks say how far validation goes.
type Checks struct {
	// Live asks the server whether channels, users, emoji and commands exist; nil
	// checks the syntax only.
	Live Live
	// CadenceFloor replaces MinCadence when set (tests run a scheduler tick of seconds).
	CadenceFloor time.Duration
}

// DisplayNames are the System Console's names of the settings (plugin.json's
// display_name, checked by a test), for messages an admin reads.
var DisplayNames = map[string]string{
	"CommandTrigger":              "Slash command trigger",
	"EnabledTypes":                "Enabled workflow types",
	"TemplateOverrides":           "Template overrides (JSON)",
	"DisciplineMapping":           "Discipline mapping",
	"AdditionalDisciplines":       "Additional disciplines",
	"AllowSelfDeclaredDiscipline": "Allow self-declared disciplines",
	"SelfDeclaredMaySignOff":      "Self-declared disciplines may sign off gates",
	"BroadcastChannels":           "Broadcast channels",
	"ReminderCadence":             "Status reminder cadence",
	"TimelineEmoji":               "Timeline emoji",
	"WorkingHours":                "Default working hours",
	"ArchiveAfterDays":            "Archive closed channels after (days)",
	"WebhookSecret":               "CI/CD webhook secret",
	"IncidentOnFailedDeploy":      "Open an incident on a failed production deploy",
	"ProductionEnvironments":      "Production environments",
	"WebhookFallbackChannel":      "Webhook fallback channel",
	"SidebarCategories":           "Group workflow channels in the sidebar",
	"SidebarArchiveCategory":      "Sidebar category for closed workflows",
	"DatabasePoolSize":            "Database connections per server",
	"AlertToken":                  "Alert intake token",
	"AlertSeverities":             "Alert severities",
	"AlertStormLimit":             "Alert storm cap",
}

// DisplayName is a setting's System Console name with its key.
func DisplayName(field string) string {
	if name, ok := DisplayNames[field]; ok {
		return fmt.Sprintf("%s (%s)", name, field)
	}
	return field
}

// Parse checks the syntax of every setting and returns the typed settings, or the
// first refusal.
func (c *Configuration) Parse() (*app.Settings, error) {
	s, errs := c.Validate(Checks{})
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return s, nil
}

// Validate checks every setting, against the live server when checks.Live is set,
// and returns the typed settings with every refusal, each naming its field. It is
// the one validation: the save hook refuses with it and the load falls back with it.
func (c *Configuration) Validate(checks Checks) (*app.Settings, []*FieldError) {
	v := &validation{c: c, checks: checks, s: &app.Settings{
		AllowSelfDeclaredDiscipline: c.AllowSelfDeclaredDiscipline,
		SelfDeclaredMaySignOff:      c.SelfDeclaredMaySignOff,
		IncidentOnFailedDeploy:      c.IncidentOnFailedDeploy,
		WebhookSecret:               strings.TrimSpace(c.WebhookSecret),
		SidebarCategories:           c.SidebarCategories,
		SidebarArchiveCategory:      strings.TrimSpace(c.SidebarArchiveCategory),
		DatabasePoolSize:            int(c.DatabasePoolSize),
		AlertToken:                  strings.TrimSpace(c.AlertToken),
		AlertStormLimit:             int(c.AlertStormLimit),
		EscalateFloor:               checks.CadenceFloor,
	}}
	v.trigger()
	v.disciplines()
	v.templates()
	v.disciplineMapping()
	v.broadcast()
	v.cadence()
	v.emoji()
	v.workingHours()
	v.webhook()
	v.limits()
	v.alerts()
	return v.s, v.errs
}

type validation struct {
	c      *Configuration
	checks Checks
	s      *app.Settings
	errs   []*FieldError
}

func (v *validation) fail(field, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Field: field, Value: v.c.value(field), Reason: fmt.Sprintf(format, args...)})
}

// unknownUsers asks the server which names are no one's; nil without a live server.
func (v *validation) unknownUsers(field string, names []string) map[string]bool {
	if v.checks.Live == nil || len(names) == 0 {
		return nil
	}
	unknown, err := v.checks.Live.UnknownUsernames(names)
	if err != nil {
		v.fail(field, "the users could not be checked: %v", err)
		return nil
	}
	out := map[string]bool{}
	for _, n := range unknown {
		out[n] = true
	}
	return out
}

// channelProblem asks the server whether the plugin can post in a channel.
func (v *validation) channelProblem(id string) string {
	if v.checks.Live == nil {
		return ""
	}
	problem, err := v.checks.Live.ChannelProblem(id)
	if err != nil {
		return fmt.Sprintf("could not be checked: %v", err)
	}
	return problem
}

func (v *validation) trigger() {
	t := strings.TrimPrefix(strings.TrimSpace(v.c.CommandTrigger), "/")
	if t == "" {
		t = "devops"
	}
	if !triggerRE.MatchString(t) {
		v.fail("CommandTrigger", "%q: use lower-case letters, digits, '-' or '_' (at most 64)", v.c.CommandTrigger)
		return
	}
	v.s.CommandTrigger = t
	if v.checks.Live == nil {
		return
	}
	owner, err := v.checks.Live.CommandOwner(t)
	switch {
	case err != nil:
		v.fail("CommandTrigger", "/%s could not be checked against the server's commands: %v", t, err)
	case owner != "":
		v.fail("CommandTrigger", "/%s is already %s; choose another word", t, owner)
	}
}

// disciplines is read first: the templates and the mapping may name the disciplines it
// adds. A refused list leaves the built-in disciplines, so the rest is still judged.
func (v *validation) disciplines() {
	ds, err := app.ParseDisciplineSet(v.c.AdditionalDisciplines)
	if err != nil {
		v.fail("AdditionalDisciplines", "%v", err)
		return
	}
	v.s.Disciplines = ds
}

func (v *validation) templates() {
	enabled := splitList(v.c.EnabledTypes)
	if dup := firstDuplicate(enabled); dup != "" {
		v.fail("EnabledTypes", "%q is listed twice", dup)
		return
	}
	ts, err := app.BuildTemplates(v.c.TemplateOverrides, enabled, v.s.DisciplineSet())
	if err != nil {
		field := "TemplateOverrides"
		if strings.Contains(err.Error(), "enabled type") {
			field = "EnabledTypes"
		}
		v.fail(field, "%v", err)
		return
	}
	v.s.Templates = ts
	var names []string
	for _, t := range ts.All() {
		names = append(names, t.AutoInvite.Usernames...)
	}
	unknown := v.unknownUsers("TemplateOverrides", names)
	for _, t := range ts.All() {
		for _, u := range t.AutoInvite.Usernames {
			if unknown[u] {
				v.fail("TemplateOverrides", "template %q: auto_invite: no user named %q", t.Type, u)
			}
		}
	}
}

func (v *validation) disciplineMapping() {
	out := map[string]app.Discipline{}
	lineOf := map[string]int{}
	err := eachLine(v.c.DisciplineMapping, func(n int, key, value string) error {
		username := strings.ToLower(strings.TrimPrefix(key, "@"))
		if !usernameRE.MatchString(username) {
			return errors.Errorf("line %d: %q is not a username", n, key)
		}
		d, ok := v.s.DisciplineSet().Parse(value)
		if !ok {
			return errors.Errorf("line %d: %q is not a discipline (one of %s)", n, value, strings.Join(v.s.DisciplineSet().Names(), ", "))
		}
		if first, dup := lineOf[username]; dup {
			return errors.Errorf("line %d: %s is already mapped on line %d; keep one line per person", n, username, first)
		}
		lineOf[username] = n
		out[username] = d
		return nil
	})
	if err != nil {
		v.fail("DisciplineMapping", "%v", err)
		return
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	unknown := v.unknownUsers("DisciplineMapping", names)
	sort.Slice(names, func(i, j int) bool { return lineOf[names[i]] < lineOf[names[j]] })
	for _, n := range names {
		if unknown[n] {
			v.fail("DisciplineMapping", "line %d: no user named %s; check the spelling (a username, without @)", lineOf[n], n)
			return
		}
	}
	v.s.DisciplineMapping = out
}

func (v *validation) broadcast() {
	if v.s.Templates == nil {
		return // judged once the types are
	}
	out := map[string][]string{}
	lineOf := map[string]int{}
	err := eachLine(v.c.BroadcastChannels, func(n int, key, value string) error {
		if _, ok := v.s.Templates.Get(key); !ok {
			return errors.Errorf("line %d: %q is not an enabled workflow type", n, key)
		}
		if first, dup := lineOf[key]; dup {
			return errors.Errorf("line %d: %s already has its channels on line %d; list them on one line", n, key, first)
		}
		lineOf[key] = n
		ids := splitList(value)
		if dup := firstDuplicate(ids); dup != "" {
			return errors.Errorf("line %d: channel %s is listed twice (each update would be posted twice)", n, dup)
		}
		for _, id := range ids {
			if !idRE.MatchString(id) {
				return errors.Errorf("line %d: %q is not a channel ID (26 letters and digits)", n, id)
			}
			if problem := v.channelProblem(id); problem != "" {
				return errors.Errorf("line %d: channel %s %s", n, id, problem)
			}
			out[key] = append(out[key], id)
		}
		return nil
	})
	if err != nil {
		v.fail("BroadcastChannels", "%v", err)
		return
	}
	v.s.BroadcastChannels = out
}

func (v *validation) cadence() {
	text := v.c.ReminderCadence
	if strings.TrimSpace(text) == "" {
		text = Defaults().ReminderCadence // empty means the defaults, not "never remind"
	}
	known := v.knownSeverities()
	floor := v.checks.CadenceFloor
	if floor == 0 {
		floor = MinCadence
	}
	out := map[string]time.Duration{}
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		key = strings.TrimSpace(key)
		if !ok {
			v.fail("ReminderCadence", "%q: expected severity=duration", part)
			return
		}
		if _, dup := out[key]; dup {
			v.fail("ReminderCadence", "%s is given twice", key)
			return
		}
		if key != "default" && known != nil && !known[key] {
			v.fail("ReminderCadence", "%q is not a severity of any workflow type (%s, or default)", key, strings.Join(sortedKeys(known), ", "))
			return
		}
		d, err := cadenceDuration(value, floor)
		if err != nil {
			v.fail("ReminderCadence", "%s: %v", key, err)
			return
		}
		out[key] = d
	}
	v.s.ReminderCadence = out
}

// knownSeverities are the severities the workflow types define, enabled or not: a
// cadence for a type that is switched off is harmless, and refusing it would make
// switching a type off refuse the cadence. nil when the types are not known.
func (v *validation) knownSeverities() map[string]bool {
	if v.s.Templates == nil {
		return nil
	}
	all, err := app.BuildTemplates(v.c.TemplateOverrides, nil, v.s.DisciplineSet())
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, t := range all.All() {
		for _, s := range t.Severities {
			out[s] = true
		}
	}
	return out
}

// cadenceDuration reads a reminder cadence: 0 (no reminders for that severity) or
// at least the floor, in unambiguous units.
func cadenceDuration(text string, floor time.Duration) (time.Duration, error) {
	text = strings.TrimSpace(text)
	if strings.Contains(text, "M") {
		return 0, errors.Errorf("%q: M could be minutes or months; use m (minutes), h (hours) or d (days)", text)
	}
	d, err := app.ParseDuration(text)
	if err != nil {
		return 0, err
	}
	if d != 0 && d < floor {
		return 0, errors.Errorf("%q is shorter than %s, the shortest cadence (0 turns reminders off)", text, shortDuration(floor))
	}
	return d, nil
}

func shortDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

func (v *validation) emoji() {
	e := strings.Trim(strings.TrimSpace(v.c.TimelineEmoji), ":")
	if e == "" {
		e = "pushpin"
	}
	if !emojiRE.MatchString(e) {
		v.fail("TimelineEmoji", "%q is not an emoji name (e.g. pushpin)", v.c.TimelineEmoji)
		return
	}
	if v.checks.Live != nil {
		ok, err := v.checks.Live.EmojiExists(e)
		switch {
		case err != nil:
			v.fail("TimelineEmoji", ":%s: could not be checked: %v", e, err)
			return
		case !ok:
			v.fail("TimelineEmoji", ":%s: is no emoji on this server (neither a system emoji nor a custom one), so nobody could react with it", e)
			return
		}
	}
	v.s.TimelineEmoji = e
}

func (v *validation) workingHours() {
	var err error
	if v.s.WorkStart, v.s.WorkEnd, err = parseWorkingHours(v.c.WorkingHours); err != nil {
		v.fail("WorkingHours", "%v", err)
	}
}

func (v *validation) webhook() {
	if v.s.WebhookSecret != "" && len(v.s.WebhookSecret) < 16 {
		v.fail("WebhookSecret", "must be at least 16 characters (use Regenerate)")
	}
	envs := strings.FieldsFunc(v.c.ProductionEnvironments, func(r rune) bool { return r == ',' || r == ';' || r == '\n' })
	var production []string
	for _, env := range envs {
		if env = strings.ToLower(strings.TrimSpace(env)); env != "" {
			production = append(production, env)
		}
	}
	switch dup := firstDuplicate(production); {
	case dup != "":
		v.fail("ProductionEnvironments", "%q is listed twice", dup)
	case len(production) == 0 && v.c.IncidentOnFailedDeploy:
		v.fail("ProductionEnvironments", "empty, so no failed deploy would ever open an incident: name the production environments (separated by commas, semicolons or new lines) or turn off %q",
			DisplayNames["IncidentOnFailedDeploy"])
	default:
		v.s.ProductionEnvironments = production
	}
	if fb := strings.TrimSpace(v.c.WebhookFallbackChannel); fb != "" {
		if !idRE.MatchString(fb) {
			v.fail("WebhookFallbackChannel", "%q is not a channel ID (26 letters and digits)", fb)
		} else if problem := v.channelProblem(fb); problem != "" {
			v.fail("WebhookFallbackChannel", "channel %s %s", fb, problem)
		} else {
			v.s.WebhookFallbackChannel = fb
		}
	}
}

func (v *validation) limits() {
	c := v.c
	if c.ArchiveAfterDays < 0 || c.ArchiveAfterDays > 3650 {
		v.fail("ArchiveAfterDays", "%d: use 0 (never) to 3650 days", c.ArchiveAfterDays)
	}
	v.s.ArchiveAfter = time.Duration(c.ArchiveAfterDays) * 24 * time.Hour
	if c.DatabasePoolSize < 0 || c.DatabasePoolSize > MaxDatabasePoolSize {
		v.fail("DatabasePoolSize", "%d: use 0 (the server's connection) to %d connections", c.DatabasePoolSize, MaxDatabasePoolSize)
	}
	if n := utf8.RuneCountInString(v.s.SidebarArchiveCategory); n > app.MaxCategoryRunes {
		v.fail("SidebarArchiveCategory", "%d characters; a sidebar category name has at most %d", n, app.MaxCategoryRunes)
	}
}

// alerts checks the alert intake's settings (issue 16).
func (v *validation) alerts() {
	if t := v.s.AlertToken; t != "" && (len(t) < 16 || strings.ContainsAny(t, " \t\r\n")) {
		v.fail("AlertToken", "must be at least 16 characters without spaces (use Regenerate)")
		v.s.AlertToken = ""
	}
	if v.c.AlertStormLimit < 0 || v.c.AlertStormLimit > MaxAlertStormLimit {
		v.fail("AlertStormLimit", "%d: use 1 to %d incidents per 10 minutes, or 0 for no cap", v.c.AlertStormLimit, MaxAlertStormLimit)
		v.s.AlertStormLimit = DefaultAlertStormLimit
	}
	mapping, err := app.ParseAlertSeverities(v.c.AlertSeverities)
	if err != nil {
		v.fail("AlertSeverities", "%v", err)
		mapping, _ = app.ParseAlertSeverities("")
	} else if v.s.Templates != nil {
		if incident, ok := v.s.Templates.Defined("incident"); ok {
			for _, label := range slices.Sorted(maps.Keys(mapping)) {
				if !incident.HasSeverity(mapping[label]) {
					v.fail("AlertSeverities", "%s=%s: %s is not a severity of incidents (%s)", label, mapping[label], mapping[label], strings.Join(incident.Severities, ", "))
					mapping, _ = app.ParseAlertSeverities("")
					break
				}
			}
		}
	}
	v.s.AlertSeverities = mapping
}

func firstDuplicate(items []string) string {
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it] {
			return it
		}
		seen[it] = true
	}
	return ""
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// field is a setting of c by its key.
func (c *Configuration) field(name string) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByName(name)
}

// value is a setting as text, for messages.
func (c *Configuration) value(name string) string {
	f := c.field(name)
	if !f.IsValid() {
		return ""
	}
	return fmt.Sprint(f.Interface())
}

// Fields are the settings' keys in plugin.json's order.
func Fields() []string {
	t := reflect.TypeOf(Configuration{})
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Name
	}
	return out
}

// Changed lists the settings whose values differ between two configurations.
func Changed(a, b *Configuration) []string {
	var out []string
	for _, f := range Fields() {
		if !reflect.DeepEqual(a.field(f).Interface(), b.field(f).Interface()) {
			out = append(out, f)
		}
	}
	return out
}

// DecodeFields reads a plugin's entry of the server configuration field by field
// (keys in any case, as the server lower-cases them): a value of the wrong kind is
// that field's refusal, and the field keeps its default, not the whole entry's.
func DecodeFields(entry map[string]any) (*Configuration, []*FieldError) {
	c := Defaults()
	var errs []*FieldError
	for key, value := range entry {
		name := fieldNamed(key)
		if name == "" {
			continue // a setting this version does not have
		}
		raw, err := json.Marshal(value)
		if err == nil {
			err = json.Unmarshal(raw, c.field(name).Addr().Interface())
		}
		if err != nil {
			errs = append(errs, &FieldError{Field: name, Value: string(raw), Reason: fmt.Sprintf("%s is not a %s", raw, kindOf(c.field(name)))})
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return c, errs
}

func fieldNamed(key string) string {
	for _, f := range Fields() {
		if strings.EqualFold(f, key) {
			return f
		}
	}
	return ""
}

func kindOf(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Bool:
		return "true or false value"
	case reflect.Int:
		return "whole number"
	}
	return "text"
}
