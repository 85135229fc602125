package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaultsParse(t *testing.T) {
	s, err := Defaults().Parse()
	require.NoError(t, err)
	require.Equal(t, "devops", s.CommandTrigger)
	require.Len(t, s.Templates.Types(), 7)
	require.Equal(t, 9*60, s.WorkStart)
}

// Every invalid value is refused with a message naming its field.
func TestInvalidSettingsNameTheirField(t *testing.T) {
	cases := []struct {
		field string
		set   func(c *Configuration)
	}{
		{"CommandTrigger", func(c *Configuration) { c.CommandTrigger = "dev ops" }},
		{"EnabledTypes", func(c *Configuration) { c.EnabledTypes = "incident, party" }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = "{not json" }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"release":{"stages":[]}}` }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"release":{"stagez":[]}}` }},
		{"TemplateOverrides", func(c *Configuration) {
			c.TemplateOverrides = `{"release":{"stages":[{"name":"a"},{"name":"b","gate":["wizard"]}]}}`
		}},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"Bad Type":{"name":"x"}}` }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"incident":{"channel_pattern":"inc-{nope}"}}` }},
		{"DisciplineMapping", func(c *Configuration) { c.DisciplineMapping = "alice: wizard" }},
		{"DisciplineMapping", func(c *Configuration) { c.DisciplineMapping = "no colon here" }},
		{"BroadcastChannels", func(c *Configuration) { c.BroadcastChannels = "incident: not-an-id" }},
		{"BroadcastChannels", func(c *Configuration) { c.BroadcastChannels = "party: abcdefghijklmnopqrstuvwxyz" }},
		{"ReminderCadence", func(c *Configuration) { c.ReminderCadence = "sev1=soon" }},
		{"ReminderCadence", func(c *Configuration) { c.ReminderCadence = "sev1" }},
		{"TimelineEmoji", func(c *Configuration) { c.TimelineEmoji = "push pin" }},
		{"WorkingHours", func(c *Configuration) { c.WorkingHours = "9-5" }},
		{"WorkingHours", func(c *Configuration) { c.WorkingHours = "25:00-17:00" }},
		{"ArchiveAfterDays", func(c *Configuration) { c.ArchiveAfterDays = -1 }},
		{"WebhookSecret", func(c *Configuration) { c.WebhookSecret = "short" }},
		{"WebhookFallbackChannel", func(c *Configuration) { c.WebhookFallbackChannel = "town-square" }},
		{"SidebarArchiveCategory", func(c *Configuration) { c.SidebarArchiveCategory = strings.Repeat("é", 65) }},
		{"DatabasePoolSize", func(c *Configuration) { c.DatabasePoolSize = -1 }},
		{"DatabasePoolSize", func(c *Configuration) { c.DatabasePoolSize = MaxDatabasePoolSize + 1 }},
		{"EnabledTypes", func(c *Configuration) { c.EnabledTypes = "incident, qa, incident" }},
		{"TemplateOverrides", func(c *Configuration) {
			c.TemplateOverrides = `{"qa": {"name": "QA"}} , "qa": {"start_disciplines": ["wizard"]}}`
		}},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"qa": {"name": "QA"}, "qa": {"name": "Q"}}` }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"qa": {"name": "QA", "name": "Q"}}` }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `null` }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"qa": {"channel_pattern": "qa-{slug}"}}` }},
		{"DisciplineMapping", func(c *Configuration) { c.DisciplineMapping = "alice: qa\nbob: qa\nalice: developer" }},
		{"BroadcastChannels", func(c *Configuration) {
			c.BroadcastChannels = "incident: abcdefghijklmnopqrstuvwxyz, abcdefghijklmnopqrstuvwxyz"
		}},
		{"BroadcastChannels", func(c *Configuration) {
			c.BroadcastChannels = "incident: abcdefghijklmnopqrstuvwxyz\nincident: bbcdefghijklmnopqrstuvwxyz"
		}},
		{"ReminderCadence", func(c *Configuration) { c.ReminderCadence = "sve1=15m, sev2=30m" }},
		{"ReminderCadence", func(c *Configuration) { c.ReminderCadence = "sev1=1s" }},
		{"ReminderCadence", func(c *Configuration) { c.ReminderCadence = "sev4=1M" }},
		{"ReminderCadence", func(c *Configuration) { c.ReminderCadence = "sev1=15m, sev1=30m" }},
		{"ProductionEnvironments", func(c *Configuration) { c.ProductionEnvironments = " , ;" }},
		{"ProductionEnvironments", func(c *Configuration) { c.ProductionEnvironments = "prod; Prod" }},
	}
	for _, tc := range cases {
		c := Defaults()
		tc.set(c)
		_, err := c.Parse()
		require.Error(t, err, tc.field)
		require.Contains(t, err.Error(), tc.field+":")
	}
}

func TestTemplateOverridesMergeAndAdd(t *testing.T) {
	c := Defaults()
	c.TemplateOverrides = `{
		"release": {"start_disciplines": []},
		"postmortem": {"name": "Postmortem", "channel_pattern": "pm-{seq}-{slug}", "lead_role": "facilitator",
			"stages": [{"name": "draft"}, {"name": "review", "gate": ["project-manager"]}, {"name": "published"}]}
	}`
	c.EnabledTypes = "release, postmortem"
	s, err := c.Parse()
	require.NoError(t, err)
	require.Equal(t, []string{"release", "postmortem"}, s.Templates.Types())
	rel, _ := s.Templates.Get("release")
	require.Empty(t, rel.StartDisciplines, "only the given field changed")
	require.Len(t, rel.Stages, 6, "the rest of the built-in stays")
	pm, ok := s.Templates.Get("postmortem")
	require.True(t, ok)
	require.Equal(t, []string{"facilitator"}, pm.Roles, "the lead role is always a role")
	require.Equal(t, "Postmortems", pm.Category)
}

func TestNumberSettingsAcceptStrings(t *testing.T) {
	for raw, want := range map[string]Number{`7`: 7, `"7"`: 7, `7.0`: 7, `""`: 0, `null`: 0} {
		c := Defaults()
		require.NoError(t, Decode(map[string]any{"ArchiveAfterDays": json.RawMessage(raw)}, c), raw)
		require.Equal(t, want, c.ArchiveAfterDays, raw)
	}
	for _, raw := range []string{`"soon"`, `1.5`, `[1]`} {
		require.Error(t, Decode(map[string]any{"ArchiveAfterDays": json.RawMessage(raw)}, Defaults()), raw)
	}
}

func TestSettingsThatRead(t *testing.T) {
	c := Defaults()
	c.ReminderCadence = " "
	c.ProductionEnvironments = "production; prod\nlive,  eu-prod"
	s, err := c.Parse()
	require.NoError(t, err)
	require.Equal(t, 15*time.Minute, s.ReminderCadence["sev1"], "empty is the defaults, not off")
	require.Equal(t, []string{"production", "prod", "live", "eu-prod"}, s.ProductionEnvironments)

	c = Defaults()
	c.ReminderCadence = "sev1=1m, p1=2h, critical=0, default=1d"
	s, err = c.Parse()
	require.NoError(t, err, "severities of any type; 0 is off for that severity")
	require.Equal(t, time.Minute, s.ReminderCadence["sev1"])

	c.ProductionEnvironments, c.IncidentOnFailedDeploy = "", false
	_, err = c.Parse()
	require.NoError(t, err, "no production environment is fine when failed deploys open nothing")

	_, errs := c.Validate(Checks{CadenceFloor: 2 * time.Second})
	require.Empty(t, errs)
	c.ReminderCadence = "sev1=3s"
	_, errs = c.Validate(Checks{CadenceFloor: 2 * time.Second})
	require.Empty(t, errs, "a lower floor (a test's scheduler tick) lets seconds through")
}

// live is a server whose channels, users, emoji and commands a test chooses.
type live struct {
	channels map[string]string // id → problem ("" = fine)
	users    map[string]bool
	emoji    map[string]bool
	commands map[string]string
}

func (l *live) ChannelProblem(id string) (string, error) {
	if p, ok := l.channels[id]; ok {
		return p, nil
	}
	return "does not exist", nil
}

func (l *live) UnknownUsernames(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		if !l.users[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

func (l *live) EmojiExists(name string) (bool, error) { return l.emoji[name], nil }

func (l *live) CommandOwner(trigger string) (string, error) { return l.commands[trigger], nil }

func testLive() *live {
	return &live{
		channels: map[string]string{strings.Repeat("a", 26): "", strings.Repeat("b", 26): "is archived"},
		users:    map[string]bool{"alice": true},
		emoji:    map[string]bool{"pushpin": true, "pin": true},
		commands: map[string]string{"marketplace": "a built-in command"},
	}
}

func TestLiveChecksNameWhatIsMissing(t *testing.T) {
	checks := Checks{Live: testLive()}
	cases := []struct {
		field, want string
		set         func(c *Configuration)
	}{
		{"CommandTrigger", "/marketplace is already a built-in command", func(c *Configuration) { c.CommandTrigger = "marketplace" }},
		{"TimelineEmoji", ":nosuch: is no emoji", func(c *Configuration) { c.TimelineEmoji = "nosuch" }},
		{"DisciplineMapping", "line 2: no user named bob", func(c *Configuration) { c.DisciplineMapping = "alice: qa\nbob: qa" }},
		{"TemplateOverrides", `template "qa": auto_invite: no user named "carol"`, func(c *Configuration) {
			c.TemplateOverrides = `{"qa": {"auto_invite": {"usernames": ["alice", "carol"]}}}`
		}},
		{"BroadcastChannels", "line 1: channel " + strings.Repeat("c", 26) + " does not exist", func(c *Configuration) {
			c.BroadcastChannels = "incident: " + strings.Repeat("c", 26)
		}},
		{"WebhookFallbackChannel", "is archived", func(c *Configuration) { c.WebhookFallbackChannel = strings.Repeat("b", 26) }},
	}
	for _, tc := range cases {
		c := Defaults()
		tc.set(c)
		_, errs := c.Validate(checks)
		require.Len(t, errs, 1, tc.field)
		require.Equal(t, tc.field, errs[0].Field)
		require.Contains(t, errs[0].Reason, tc.want)
	}
	c := Defaults()
	c.DisciplineMapping = "alice: qa"
	c.BroadcastChannels = "incident: " + strings.Repeat("a", 26)
	_, errs := c.Validate(checks)
	require.Empty(t, errs)
}

// A bad stored field falls back alone: to its last good value, else its default.
func TestResolveFallsBackFieldByField(t *testing.T) {
	checks := Checks{Live: testLive()}
	lastGood := Defaults()
	lastGood.WebhookSecret = "0123456789abcdef-secret"
	lastGood.ReminderCadence = "sev1=10m"
	lastGood.CommandTrigger = "ops"

	stored := lastGood.Clone()
	stored.ReminderCadence = "sev1=1s"    // falls back to the last good
	stored.TimelineEmoji = "nosuch"       // no last good other than the default
	stored.WorkingHours = "10:00-18:00"   // good: kept
	stored.CommandTrigger = "marketplace" // falls back to "ops"
	cur, s, fallbacks := Resolve(stored, nil, lastGood, checks)
	require.NotNil(t, s)
	require.Equal(t, "0123456789abcdef-secret", s.WebhookSecret, "the secret survives")
	require.Equal(t, "ops", s.CommandTrigger)
	require.Equal(t, 10*time.Minute, s.ReminderCadence["sev1"])
	require.Equal(t, "pushpin", s.TimelineEmoji)
	require.Equal(t, 10*60, s.WorkStart)
	require.Equal(t, "10:00-18:00", cur.WorkingHours)
	require.Len(t, fallbacks, 3)
	byField := map[string]Fallback{}
	for _, f := range fallbacks {
		byField[f.Field] = f
	}
	require.Equal(t, "sev1=1s", byField["ReminderCadence"].Value)
	require.Equal(t, "sev1=10m", byField["ReminderCadence"].Used)
	require.False(t, byField["ReminderCadence"].UsedDefault)
	require.Equal(t, "pushpin", byField["TimelineEmoji"].Used)

	// No last good at all (first start): the default, still field by field.
	_, s, fallbacks = Resolve(stored, nil, nil, checks)
	require.Equal(t, "devops", s.CommandTrigger)
	require.Equal(t, "0123456789abcdef-secret", s.WebhookSecret)
	require.Len(t, fallbacks, 3)
}

func TestDecodeFieldsKeepsTheOthers(t *testing.T) {
	c, errs := DecodeFields(map[string]any{
		"archiveafterdays": "soon", "webhooksecret": "0123456789abcdef-secret", "sidebarcategories": "yes", "unknownsetting": 1,
	})
	require.Len(t, errs, 2)
	require.Equal(t, "ArchiveAfterDays", errs[0].Field)
	require.Equal(t, "SidebarCategories", errs[1].Field)
	require.Equal(t, "0123456789abcdef-secret", c.WebhookSecret)
	_, s, fallbacks := Resolve(c, errs, nil, Checks{})
	require.Len(t, fallbacks, 2)
	require.Equal(t, "0123456789abcdef-secret", s.WebhookSecret)
	require.True(t, s.SidebarCategories)
}
