package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/config"
)

// The code's plugin id and defaults must match plugin.json, the manifest the server reads.
func TestManifestMatchesCode(t *testing.T) {
	raw, err := os.ReadFile("../plugin.json")
	require.NoError(t, err)
	var m struct {
		ID             string `json:"id"`
		SettingsSchema struct {
			Settings []struct {
				Key         string `json:"key"`
				DisplayName string `json:"display_name"`
				Default     any    `json:"default"`
			} `json:"settings"`
		} `json:"settings_schema"`
	}
	require.NoError(t, json.Unmarshal(raw, &m))
	require.Equal(t, manifestID, m.ID)

	defaults := map[string]any{}
	for _, s := range m.SettingsSchema.Settings {
		defaults[s.Key] = s.Default
	}
	// The names refusals and admin messages use are the System Console's.
	for _, s := range m.SettingsSchema.Settings {
		if name, ok := config.DisplayNames[s.Key]; ok {
			require.Equal(t, s.DisplayName, name, s.Key)
		}
	}
	fromManifest := &config.Configuration{}
	require.NoError(t, config.Decode(defaults, fromManifest))
	require.Equal(t, config.Defaults(), fromManifest)
}
