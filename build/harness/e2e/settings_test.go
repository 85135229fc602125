package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// saveSettings saves plugin settings through PUT /api/v4/config, as the System Console
// does, and returns the server's refusal (nil when saved).
func saveSettings(t *testing.T, settings map[string]any) *model.AppError {
	t.Helper()
	err := srv.SetPluginSettings(settings)
	if err == nil {
		return nil
	}
	var appErr *model.AppError
	require.True(t, errors.As(err, &appErr), "not an AppError: %v", err)
	return appErr
}

// The seven bad values of issue 23 are refused by the save hook on the real server,
// and the message the System Console shows (the AppError's message, not only its
// details) names the setting and what is wrong. Nothing changes.
func TestSettingsBadValuesAreRefusedNamingThem(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	missingChannel := model.NewId()
	for _, tc := range []struct {
		key, value string
		want       []string
	}{
		{"remindercadence", "sve1=15m, sev2=30m, sev3=2h, sev4=1d, default=1d",
			[]string{"Status reminder cadence (ReminderCadence)", `"sve1" is not a severity of any workflow type`}},
		{"remindercadence", "sev1=1s", []string{"Status reminder cadence (ReminderCadence)", `sev1: "1s" is shorter than 2s`}},
		{"timelineemoji", "no_such_emoji_here", []string{"Timeline emoji (TimelineEmoji)", ":no_such_emoji_here: is no emoji on this server"}},
		{"broadcastchannels", "incident: " + missingChannel, []string{"Broadcast channels (BroadcastChannels)", "line 1: channel " + missingChannel + " does not exist"}},
		{"commandtrigger", "marketplace", []string{"Slash command trigger (CommandTrigger)", "/marketplace is already a built-in Mattermost command"}},
		{"templateoverrides", `{"qa": {"name": "QA"}} , "qa": {"start_disciplines": ["wizard"]}}`,
			[]string{"Template overrides (JSON) (TemplateOverrides)", "something follows the object"}},
		{"disciplinemapping", dev.Username + ": developer\nnosuchperson: qa", []string{"Discipline mapping (DisciplineMapping)", "line 2: no user named nosuchperson"}},
	} {
		appErr := saveSettings(t, map[string]any{tc.key: tc.value})
		require.NotNil(t, appErr, "%s=%q was saved", tc.key, tc.value)
		require.Equal(t, http.StatusBadRequest, appErr.StatusCode)
		requireContains(t, appErr.Message, append([]string{"DevOps Channels: "}, tc.want...)...)
	}
	// Nothing changed: the trigger still answers, the cadence and emoji are the defaults.
	cfg, _, err := srv.Admin.GetConfig(context.Background())
	require.NoError(t, err)
	stored := cfg.PluginSettings.Plugins[harness.PluginID]
	require.NotEqual(t, "marketplace", stored["commandtrigger"])
	requireContains(t, e.run(dev, e.square.Id, "/devops help").Text, "/devops start")
	// A good value of the same settings saves.
	require.Nil(t, saveSettings(t, map[string]any{"remindercadence": "", "timelineemoji": ":pushpin:"}))
	defer setPluginSettings(t, map[string]any{"remindercadence": "sev1=15m, sev2=30m, sev3=2h, sev4=1d, default=1d", "timelineemoji": "pushpin"})
}

// A bad value that reaches the stored configuration while the plugin is off (here
// through the API, which asks no disabled plugin) neither stops the plugin from
// starting nor costs the other settings: the webhook keeps its secret, the bad field
// alone falls back, the admins get one direct message naming it, and saving other
// settings, of the plugin or of the server, still works.
func TestSettingsBadStoredValueFallsBackAlone(t *testing.T) {
	ctx := context.Background()
	secret := "whsec-" + model.NewId()
	applyWebhookSettings(t, secret, map[string]any{"workinghours": "08:00-16:00"})
	t.Cleanup(func() {
		applyWebhookSettings(t, "", map[string]any{"workinghours": "09:00-17:00"})
	})

	_, err := srv.Admin.DisablePlugin(ctx, harness.PluginID)
	require.NoError(t, err)
	cfg, _, err := srv.Admin.GetConfig(ctx)
	require.NoError(t, err)
	cfg.PluginSettings.Plugins[harness.PluginID]["workinghours"] = "9-5"
	_, _, err = srv.Admin.UpdateConfig(ctx, cfg)
	require.NoError(t, err, "a disabled plugin judges nothing")

	_, err = srv.Admin.EnablePlugin(ctx, harness.PluginID)
	require.NoError(t, err, "enabling never fails because of a setting")
	require.NoError(t, srv.WaitPluginRunning(harness.PluginID, time.Minute))

	// The webhook still takes requests signed with the secret.
	probe := &webhook{t: t, secret: secret}
	_, res, _ := probe.send("probe", probe.headers(time.Now(), []byte("{}")), []byte("{}"))
	requireContains(t, res.Error, "Unknown event")

	// The admins are told once, naming the field, the bad value and what is used.
	admin := &member{User: srv.AdminUser, client: srv.Admin}
	bot, _, err := srv.Admin.GetUserByUsername(ctx, "devops", "")
	require.NoError(t, err)
	dm, _, err := srv.Admin.CreateDirectChannel(ctx, admin.Id, bot.Id)
	require.NoError(t, err)
	const notice = "**Default working hours (WorkingHours)** has a bad value"
	eventually(t, 15*time.Second, func() bool { return postsContaining(t, admin, dm.Id, notice) == 1 }, "the admin's direct message")
	msg := lastPost(t, admin, dm.Id).Message
	requireContains(t, msg, "9-5", `"9" is not a time of day`, "its last good value", "08:00-16:00")

	// Other settings still save, with the bad value stored: the plugin's and the server's.
	require.Nil(t, saveSettings(t, map[string]any{"archiveafterdays": 0}))
	cfg, _, err = srv.Admin.GetConfig(ctx)
	require.NoError(t, err)
	description := "Settings e2e " + model.NewId()
	cfg.TeamSettings.CustomDescriptionText = &description
	_, _, err = srv.Admin.UpdateConfig(ctx, cfg)
	require.NoError(t, err, "a bad stored value of the plugin blocks no other save")
	// Restarting tells nobody twice: activation loads the configuration (and would post
	// a notice) before the plugin reports running.
	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	require.Equal(t, 1, postsContaining(t, admin, dm.Id, notice))

	// The fix is saved and announced once.
	require.Nil(t, saveSettings(t, map[string]any{"workinghours": "08:00-16:00"}))
	eventually(t, 15*time.Second, func() bool {
		return postsContaining(t, admin, dm.Id, "**Default working hours (WorkingHours)** is fixed") == 1
	}, "the fixed notice")
}

// The REST API answers a wrong method in JSON; the webhook always says whether it
// posted to the fallback channel.
func TestSettingsSmallAPIGaps(t *testing.T) {
	e := newEnv(t)
	dev := e.user("dev")
	status, raw, err := harness.PluginRequest(dev.client, http.MethodDelete, "/api/v1/workflows", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusMethodNotAllowed, status)
	var refusal apiError
	require.NoError(t, json.Unmarshal(raw, &refusal), string(raw))
	requireContains(t, refusal.Error, "use GET, HEAD, POST")

	h := useWebhook(t, map[string]any{"webhookfallbackchannel": ""})
	body, err := json.Marshal(deployEvent{Service: "web", Version: "0.0.1-" + model.NewId()[:6], Environment: "staging", Status: "started"})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/plugins/"+harness.PluginID+"/api/v1/hooks/deploy", bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range h.headers(time.Now(), body) {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(answer))
	var fields map[string]any
	require.NoError(t, json.Unmarshal(answer, &fields))
	require.Equal(t, false, fields["posted_to_fallback"], "present and false: %s", answer)

	ev := deployEvent{Service: "web", Version: "1.0.0", Environment: "staging", Status: "started", Message: "one\ntwo"}
	status, res := h.post("deploy", ev)
	require.Equal(t, http.StatusBadRequest, status)
	requireContains(t, res.Error, "message must be one line")
	require.False(t, strings.Contains(res.Error, "two"))
}

// The settings page's check on the real server: a system admin gets the save hook's
// refusals, live checks included (a missing user), field by field, and the accepted
// free text read back; a plain user is refused. Nothing is saved.
func TestSettingsCheckRoute(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	check := map[string]any{
		"remindercadence":   "sev1=1s",
		"templateoverrides": `{"qa": {"name": "QA"}} , "qa": {"start_disciplines": ["wizard"]}}`,
		"disciplinemapping": dev.Username + ": developer\nnosuchperson: qa",
		"broadcastchannels": "incident: " + e.square.Id,
	}
	status, raw, err := harness.PluginRequest(srv.Admin, http.MethodPost, "/api/v1/settings/check", check)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(raw))
	var res struct {
		Errors []struct{ Field, Reason string } `json:"errors"`
		Parsed map[string]map[string]any        `json:"parsed"`
	}
	require.NoError(t, json.Unmarshal(raw, &res), string(raw))
	reasons := map[string]string{}
	for _, e := range res.Errors {
		reasons[e.Field] = e.Reason
	}
	require.Len(t, reasons, 3, string(raw))
	requireContains(t, reasons["ReminderCadence"], `sev1: "1s" is shorter than`)
	requireContains(t, reasons["TemplateOverrides"], "something follows the object")
	requireContains(t, reasons["DisciplineMapping"], "line 2: no user named nosuchperson")
	require.NotContains(t, res.Parsed, "TemplateOverrides", "a refused setting is not read back")

	// Fixed, the same settings read back: the mapping names the person's discipline.
	check["remindercadence"] = "sev1=10m, default=1d"
	check["templateoverrides"] = `{"qa": {"name": "QA"}}`
	check["disciplinemapping"] = dev.Username + ": developer"
	status, raw, err = harness.PluginRequest(srv.Admin, http.MethodPost, "/api/v1/settings/check", check)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(raw))
	require.NoError(t, json.Unmarshal(raw, &res), string(raw))
	require.Empty(t, res.Errors, string(raw))
	require.Equal(t, "developer", res.Parsed["DisciplineMapping"][dev.Username])
	require.Equal(t, "10m", res.Parsed["ReminderCadence"]["sev1"])
	require.Equal(t, []any{e.square.Id}, res.Parsed["BroadcastChannels"]["incident"])

	status, raw, err = harness.PluginRequest(dev.client, http.MethodPost, "/api/v1/settings/check", check)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, status, string(raw))
	var refusal apiError
	require.NoError(t, json.Unmarshal(raw, &refusal), string(raw))
	requireContains(t, refusal.Error, "only a system admin")

	// Nothing was saved.
	cfg, _, err := srv.Admin.GetConfig(context.Background())
	require.NoError(t, err)
	require.NotEqual(t, "sev1=10m, default=1d", cfg.PluginSettings.Plugins[harness.PluginID]["remindercadence"])
}
