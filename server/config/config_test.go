package config

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
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
		{"CommandTrigger", func(c *Configuration) { c.CommandTrigger = "echo" }},
		{"EnabledTypes", func(c *Configuration) { c.EnabledTypes = "incident, party" }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = "{not json" }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"release":{"stages":[]}}` }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"release":{"stagez":[]}}` }},
		{"TemplateOverrides", func(c *Configuration) {
			c.TemplateOverrides = `{"release":{"stages":[{"name":"a"},{"name":"b","gate":["wizard"]}]}}`
		}},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"Bad Type":{"name":"x"}}` }},
		{"TemplateOverrides", func(c *Configuration) { c.TemplateOverrides = `{"incident":{"channel_pattern":"inc-{nope}"}}` }},
		{"auto_invite.limits", func(c *Configuration) {
			c.TemplateOverrides = `{"incident":{"auto_invite":{"limits":{"qa":3}}}}`
		}},
		{"auto_invite.limits[operations]", func(c *Configuration) {
			c.TemplateOverrides = `{"incident":{"auto_invite":{"limits":{"operations":-1}}}}`
		}},
		{"auto_invite.limits[operations]", func(c *Configuration) {
			c.TemplateOverrides = `{"incident":{"auto_invite":{"limits":{"operations":1001}}}}`
		}},
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

// Incidents invite the first 25 operations people; an override may invite everyone
// (limit 0) or a different number, and other fields of the built-in stay.
func TestIncidentInviteLimit(t *testing.T) {
	s, err := Defaults().Parse()
	require.NoError(t, err)
	inc, _ := s.Templates.Get("incident")
	require.Equal(t, 25, inc.AutoInvite.Limits["operations"])

	c := Defaults()
	c.TemplateOverrides = `{"incident":{"auto_invite":{"limits":{"operations":0}}}}`
	s, err = c.Parse()
	require.NoError(t, err)
	inc, _ = s.Templates.Get("incident")
	require.Equal(t, 0, inc.AutoInvite.Limits["operations"], "0: everyone")
	require.Equal(t, []app.Discipline{app.Operations}, inc.AutoInvite.Disciplines)
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
