// Package config reads and validates the plugin's System Console settings.
package config

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// Configuration mirrors the settings_schema of plugin.json, as the server stores it.
type Configuration struct {
	CommandTrigger              string
	EnabledTypes                string
	TemplateOverrides           string
	DisciplineMapping           string
	AdditionalDisciplines       string
	AllowSelfDeclaredDiscipline bool
	SelfDeclaredMaySignOff      bool
	BroadcastChannels           string
	ReminderCadence             string
	TimelineEmoji               string
	WorkingHours                string
	ArchiveAfterDays            Number
	WebhookSecret               string
	IncidentOnFailedDeploy      bool
	ProductionEnvironments      string
	WebhookFallbackChannel      string
	SidebarCategories           bool
	SidebarArchiveCategory      string
	DatabasePoolSize            Number
}

const (
	// DefaultDatabasePoolSize is the plugin's own connections per node: enough for
	// 16 concurrent commands on a 2-core node to wait little (make bench), few
	// beside the server's own pool (SqlSettings.MaxOpenConns, 100 by default).
	DefaultDatabasePoolSize = 8
	// MaxDatabasePoolSize bounds a typo before it exhausts PostgreSQL's max_connections.
	MaxDatabasePoolSize = 64
)

// Defaults returns the configuration of a fresh install (plugin.json's defaults).
func Defaults() *Configuration {
	return &Configuration{
		CommandTrigger:              "devops",
		AllowSelfDeclaredDiscipline: true,
		ReminderCadence:             "sev1=15m, sev2=30m, sev3=2h, sev4=1d, default=1d",
		TimelineEmoji:               "pushpin",
		WorkingHours:                "09:00-17:00",
		IncidentOnFailedDeploy:      true,
		ProductionEnvironments:      "production,prod",
		SidebarCategories:           true,
		SidebarArchiveCategory:      "Closed workflows",
		DatabasePoolSize:            DefaultDatabasePoolSize,
	}
}

// Clone returns a shallow copy: every field is a value.
func (c *Configuration) Clone() *Configuration {
	clone := *c
	return &clone
}

var (
	triggerRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	emojiRE     = regexp.MustCompile(`^[a-z0-9_+-]{1,64}$`)
	idRE        = regexp.MustCompile(`^[a-z0-9]{26}$`)
	usernameRE  = regexp.MustCompile(`^[a-z0-9._-]{1,64}$`)
	clockTimeRE = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)$`)
)

// builtInTriggers are the server's own slash commands, which a plugin cannot take over.
var builtInTriggers = map[string]bool{
	"away": true, "code": true, "collapse": true, "dnd": true, "echo": true, "expand": true,
	"groupmsg": true, "header": true, "help": true, "invite": true, "invite_people": true,
	"join": true, "kick": true, "leave": true, "logout": true, "me": true, "msg": true,
	"mute": true, "offline": true, "online": true, "open": true, "purpose": true, "remove": true,
	"rename": true, "search": true, "settings": true, "shortcuts": true, "shrug": true, "status": true,
}

// Parse validates the configuration and turns it into the typed settings the service
// uses. Every error names the System Console field it comes from.
func (c *Configuration) Parse() (*app.Settings, error) {
	s := &app.Settings{
		AllowSelfDeclaredDiscipline: c.AllowSelfDeclaredDiscipline,
		SelfDeclaredMaySignOff:      c.SelfDeclaredMaySignOff,
		IncidentOnFailedDeploy:      c.IncidentOnFailedDeploy,
		WebhookSecret:               strings.TrimSpace(c.WebhookSecret),
		SidebarCategories:           c.SidebarCategories,
		SidebarArchiveCategory:      strings.TrimSpace(c.SidebarArchiveCategory),
	}
	var err error

	s.CommandTrigger = strings.TrimPrefix(strings.TrimSpace(c.CommandTrigger), "/")
	if s.CommandTrigger == "" {
		s.CommandTrigger = "devops"
	}
	if !triggerRE.MatchString(s.CommandTrigger) {
		return nil, fieldErr("CommandTrigger", "%q: use lower-case letters, digits, '-' or '_' (at most 64)", c.CommandTrigger)
	}
	if builtInTriggers[s.CommandTrigger] {
		return nil, fieldErr("CommandTrigger", "%q is a built-in Mattermost command", s.CommandTrigger)
	}

	// Read first: the templates and the mapping may name the disciplines it adds.
	if s.Disciplines, err = app.ParseDisciplineSet(c.AdditionalDisciplines); err != nil {
		return nil, fieldErr("AdditionalDisciplines", "%v", err)
	}
	enabled := splitList(c.EnabledTypes)
	if s.Templates, err = app.BuildTemplates(c.TemplateOverrides, enabled, s.Disciplines); err != nil {
		field := "TemplateOverrides"
		if strings.Contains(err.Error(), "enabled type") {
			field = "EnabledTypes"
		}
		return nil, fieldErr(field, "%v", err)
	}

	if s.DisciplineMapping, err = parseDisciplineMapping(c.DisciplineMapping, s.Disciplines); err != nil {
		return nil, fieldErr("DisciplineMapping", "%v", err)
	}
	if s.BroadcastChannels, err = parseBroadcast(c.BroadcastChannels, s.Templates); err != nil {
		return nil, fieldErr("BroadcastChannels", "%v", err)
	}
	if s.ReminderCadence, err = parseCadence(c.ReminderCadence); err != nil {
		return nil, fieldErr("ReminderCadence", "%v", err)
	}

	s.TimelineEmoji = strings.Trim(strings.TrimSpace(c.TimelineEmoji), ":")
	if s.TimelineEmoji == "" {
		s.TimelineEmoji = "pushpin"
	}
	if !emojiRE.MatchString(s.TimelineEmoji) {
		return nil, fieldErr("TimelineEmoji", "%q is not an emoji name (e.g. pushpin)", c.TimelineEmoji)
	}

	if s.WorkStart, s.WorkEnd, err = parseWorkingHours(c.WorkingHours); err != nil {
		return nil, fieldErr("WorkingHours", "%v", err)
	}

	if c.ArchiveAfterDays < 0 || c.ArchiveAfterDays > 3650 {
		return nil, fieldErr("ArchiveAfterDays", "%d: use 0 (never) to 3650 days", c.ArchiveAfterDays)
	}
	s.ArchiveAfter = time.Duration(c.ArchiveAfterDays) * 24 * time.Hour

	if s.WebhookSecret != "" && len(s.WebhookSecret) < 16 {
		return nil, fieldErr("WebhookSecret", "must be at least 16 characters (use Regenerate)")
	}
	for _, env := range splitList(c.ProductionEnvironments) {
		s.ProductionEnvironments = append(s.ProductionEnvironments, strings.ToLower(env))
	}
	if fb := strings.TrimSpace(c.WebhookFallbackChannel); fb != "" {
		if !idRE.MatchString(fb) {
			return nil, fieldErr("WebhookFallbackChannel", "%q is not a channel ID (26 letters and digits)", fb)
		}
		s.WebhookFallbackChannel = fb
	}
	if c.DatabasePoolSize < 0 || c.DatabasePoolSize > MaxDatabasePoolSize {
		return nil, fieldErr("DatabasePoolSize", "%d: use 0 (the server's connection) to %d connections", c.DatabasePoolSize, MaxDatabasePoolSize)
	}
	s.DatabasePoolSize = int(c.DatabasePoolSize)
	if n := utf8.RuneCountInString(s.SidebarArchiveCategory); n > app.MaxCategoryRunes {
		return nil, fieldErr("SidebarArchiveCategory", "%d characters; a sidebar category name has at most %d", n, app.MaxCategoryRunes)
	}
	return s, nil
}

func fieldErr(field, format string, args ...any) error {
	return errors.Errorf(field+": "+format, args...)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\t' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// eachLine calls fn with the key and value of every non-empty, non-comment "key: value" line.
func eachLine(text string, fn func(n int, key, value string) error) error {
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			key, value, ok = strings.Cut(line, "=")
		}
		if !ok {
			return errors.Errorf("line %d %q: expected `key: value`", i+1, line)
		}
		if err := fn(i+1, strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return err
		}
	}
	return nil
}

func parseDisciplineMapping(text string, disciplines *app.DisciplineSet) (map[string]app.Discipline, error) {
	out := map[string]app.Discipline{}
	err := eachLine(text, func(n int, key, value string) error {
		username := strings.ToLower(strings.TrimPrefix(key, "@"))
		if !usernameRE.MatchString(username) {
			return errors.Errorf("line %d: %q is not a username", n, key)
		}
		d, ok := disciplines.Parse(value)
		if !ok {
			return errors.Errorf("line %d: %q is not a discipline (one of %s)", n, value, strings.Join(disciplines.Names(), ", "))
		}
		out[username] = d
		return nil
	})
	return out, err
}

func parseBroadcast(text string, templates *app.Templates) (map[string][]string, error) {
	out := map[string][]string{}
	err := eachLine(text, func(n int, key, value string) error {
		if _, ok := templates.Get(key); !ok {
			return errors.Errorf("line %d: %q is not an enabled workflow type", n, key)
		}
		for _, id := range splitList(value) {
			if !idRE.MatchString(id) {
				return errors.Errorf("line %d: %q is not a channel ID (26 letters and digits)", n, id)
			}
			out[key] = append(out[key], id)
		}
		return nil
	})
	return out, err
}

func parseCadence(text string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, errors.Errorf("%q: expected severity=duration", part)
		}
		d, err := app.ParseDuration(value)
		if err != nil {
			return nil, errors.Wrapf(err, "%s", strings.TrimSpace(key))
		}
		out[strings.TrimSpace(key)] = d
	}
	return out, nil
}

func parseWorkingHours(text string) (start, end int, err error) {
	text = strings.TrimSpace(text)
	if text == "" {
		text = "09:00-17:00"
	}
	from, to, ok := strings.Cut(text, "-")
	if !ok {
		return 0, 0, errors.Errorf("%q: expected HH:MM-HH:MM", text)
	}
	if start, err = minutesOfDay(from); err != nil {
		return 0, 0, err
	}
	if end, err = minutesOfDay(to); err != nil {
		return 0, 0, err
	}
	if start == end {
		return 0, 0, errors.Errorf("%q: start and end are the same", text)
	}
	return start, end, nil
}

func minutesOfDay(s string) (int, error) {
	m := clockTimeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, errors.Errorf("%q is not a time of day (HH:MM)", s)
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return h*60 + mm, nil
}

// Decode reads a plugin's entry of the server configuration (a JSON-like map) into c.
func Decode(entry any, c *Configuration) error {
	raw, err := json.Marshal(entry)
	if err != nil {
		return errors.Wrap(err, "encode plugin settings")
	}
	return errors.Wrap(json.Unmarshal(raw, c), "decode plugin settings")
}

// Number is a whole-number setting. The System Console saves numbers as JSON numbers,
// but config.json, environment variables and mmctl may give strings; both are read,
// and anything else is an error naming the value.
type Number int

// UnmarshalJSON accepts 7, 7.0 and "7".
func (n *Number) UnmarshalJSON(raw []byte) error {
	text := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if text == "" || text == "null" {
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || f != float64(int(f)) {
		return errors.Errorf("%s is not a whole number", string(raw))
	}
	*n = Number(int(f))
	return nil
}
