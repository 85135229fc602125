// Package config reads and validates the plugin's System Console settings.
package config

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

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
	AlertToken                  string
	AlertSeverities             string
	AlertStormLimit             Number
}

const (
	// DefaultDatabasePoolSize is the plugin's own connections per node: enough for
	// 16 concurrent commands on a 2-core node to wait little (make bench), few
	// beside the server's own pool (SqlSettings.MaxOpenConns, 100 by default).
	DefaultDatabasePoolSize = 8
	// MaxDatabasePoolSize bounds a typo before it exhausts PostgreSQL's max_connections.
	MaxDatabasePoolSize = 64
	// DefaultAlertStormLimit is how many incidents the alert intake opens per team in
	// ten minutes before further alert groups join one "alert storm" incident.
	DefaultAlertStormLimit = 10
	// MaxAlertStormLimit bounds the cap; 0 turns it off.
	MaxAlertStormLimit = 1000
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
		AlertSeverities:             app.DefaultAlertSeverities,
		AlertStormLimit:             DefaultAlertStormLimit,
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
