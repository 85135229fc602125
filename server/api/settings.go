package api

import (
	"net/http"

	"github.com/devopschannels/devops-channels/server/config"
)

// SettingsChecker judges settings as the save hook would; the plugin provides it,
// with its live checks. Mattermost decides who is a system admin.
type SettingsChecker interface {
	IsSystemAdmin(userID string) bool
	CheckSettings(entry map[string]any) *config.CheckResult
}

// checkSettings: POST /settings/check with the plugin's settings as the System
// Console holds them (keys as in plugin.json) answers the save hook's refusals and
// a summary of the accepted free text. Nothing is saved. System admins only: the
// answer tells what exists on the server (channels, users, commands).
func (h *handler) checkSettings(w http.ResponseWriter, r *http.Request) {
	if h.settings == nil || !h.settings.IsSystemAdmin(userID(r)) {
		writeError(w, http.StatusForbidden, "only a system admin may check the plugin's settings")
		return
	}
	var entry map[string]any
	if !decode(w, r, &entry) {
		return
	}
	if entry == nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: expected an object of settings")
		return
	}
	writeJSON(w, http.StatusOK, h.settings.CheckSettings(entry))
}
