package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/config"
)

// syntaxChecker is the plugin's checker without a live server: the real validation,
// with admins named by the test (the plugin asks Mattermost).
type syntaxChecker struct{ admins map[string]bool }

func (c syntaxChecker) IsSystemAdmin(userID string) bool { return c.admins[userID] }

func (c syntaxChecker) CheckSettings(entry map[string]any) *config.CheckResult {
	return config.Check(entry, config.Checks{})
}

func postCheck(t *testing.T, router http.Handler, user, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/settings/check", strings.NewReader(body))
	req.Header.Set(userIDHeader, user)
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, req)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	return rec.Code, rec.Body.Bytes()
}

func TestSettingsCheck(t *testing.T) {
	router := NewRouter(nil, nil, syntaxChecker{admins: map[string]bool{"admin": true}})

	status, raw := postCheck(t, router, "admin", `{"ReminderCadence": "sev1=15m, sev4=1M", "DisciplineMapping": "alice: qa"}`)
	require.Equal(t, http.StatusOK, status, string(raw))
	var res config.CheckResult
	require.NoError(t, json.Unmarshal(raw, &res))
	require.Len(t, res.Errors, 1)
	require.Equal(t, "ReminderCadence", res.Errors[0].Field)
	require.Contains(t, res.Errors[0].Reason, "M could be minutes or months")
	require.Equal(t, map[string]any{"alice": "qa"}, res.Parsed["DisciplineMapping"])

	for _, tc := range []struct {
		user, body string
		status     int
		want       string
	}{
		{"someone", `{"ReminderCadence": "sev1=15m"}`, http.StatusForbidden, "only a system admin"},
		{"someone", `{not json`, http.StatusForbidden, "only a system admin"}, // nothing is read for a non-admin
		{"admin", `{not json`, http.StatusBadRequest, "invalid JSON body"},
		{"admin", `{} {}`, http.StatusBadRequest, "trailing data"},
		{"admin", `null`, http.StatusBadRequest, "expected an object of settings"},
		{"admin", `["ReminderCadence"]`, http.StatusBadRequest, "invalid JSON body"},
	} {
		status, raw := postCheck(t, router, tc.user, tc.body)
		require.Equal(t, tc.status, status, tc.body)
		var body struct {
			Error string `json:"error"`
		}
		require.NoError(t, json.Unmarshal(raw, &body), string(raw))
		require.Contains(t, body.Error, tc.want, tc.body)
	}
}
