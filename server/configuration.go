package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/config"
)

// configuration is the last good configuration: the raw settings and their parsed form.
type configuration struct {
	raw      *config.Configuration
	settings *app.Settings
}

// settings returns the settings in force. Callers must not modify the result: a
// new configuration replaces the pointer, never the value.
func (p *Plugin) settings() *app.Settings {
	p.configurationLock.RLock()
	defer p.configurationLock.RUnlock()
	return p.configuration.settings
}

// loadConfiguration puts the stored configuration in force, field by field: a bad
// field (one that reached the server while the plugin was off, through config.json,
// mmctl or another node) takes its last good value, or its default, and the system
// admins are told; every other field is used as stored. It never refuses to start.
func (p *Plugin) loadConfiguration() {
	stored, decodeErrs := config.DecodeFields(p.API.GetPluginConfig())
	lastGood := p.lastGoodConfiguration()
	raw, settings, fallbacks := config.Resolve(stored, decodeErrs, lastGood, p.checks())

	p.configurationLock.Lock()
	p.configuration = &configuration{raw: raw, settings: settings}
	p.configurationLock.Unlock()

	for _, f := range fallbacks {
		p.API.LogError("DevOps Channels ignores a bad setting", "field", f.Field, "value", shown(f.Field, f.Value), "reason", f.Reason, "used", shown(f.Field, f.Used))
	}
	p.keepLastGood(raw, lastGood)
	p.tellAdmins(fallbacks)
}

// checks validate against the live server once the bot exists (the save hook runs
// only for an active plugin).
func (p *Plugin) checks() config.Checks {
	return config.Checks{Live: liveSettings{p: p, store: p.store}, CadenceFloor: cadenceFloor()}
}

// settingsChecker is the REST API's settings check: the save hook's validation,
// live checks included, for the System Console's settings page.
type settingsChecker struct{ p *Plugin }

func (c settingsChecker) IsSystemAdmin(userID string) bool {
	return c.p.API.HasPermissionTo(userID, model.PermissionManageSystem)
}

func (c settingsChecker) CheckSettings(entry map[string]any) *config.CheckResult {
	return config.Check(entry, c.p.checks())
}

// OnConfigurationChange puts a changed configuration in force. The System Console
// is normally stopped earlier by ConfigurationWillBeSaved; changes made in
// config.json, by environment or through mmctl fall back field by field.
func (p *Plugin) OnConfigurationChange() (err error) {
	defer app.Recover(p.API, "OnConfigurationChange", func() { err = errPanicked })
	if p.service == nil {
		return nil // before OnActivate, which loads the configuration itself
	}
	p.loadConfiguration()
	if err := p.registerCommand(); err != nil {
		return err
	}
	p.resizeDatabasePool()
	p.bindDisciplineMapping()
	return nil
}

// bindDisciplineMapping binds the mapping's names to people in the database. Every
// node runs it on every change (and on activation); it is idempotent, and the
// database, not a node's memory, is what every node then reads.
func (p *Plugin) bindDisciplineMapping() {
	if p.service == nil || p.client == nil {
		return // before OnActivate: it binds once the store is ready
	}
	unknown, err := p.service.SyncDisciplineMapping(context.Background())
	if err != nil {
		p.client.Log.Error("DevOps Channels could not bind the discipline mapping", "err", err.Error())
		return
	}
	if len(unknown) > 0 {
		p.client.Log.Warn("DisciplineMapping names users who do not exist; they are not mapped until the setting is saved again",
			"usernames", strings.Join(unknown, ", "))
	}
}

// resizeDatabasePool applies a new DatabasePoolSize to the plugin's own pool at
// once. Switching between the server's connection and a pool of our own swaps the
// store's handle, which a restart of the plugin does safely; the log says so.
func (p *Plugin) resizeDatabasePool() {
	if p.database == nil || p.client == nil {
		return
	}
	size := p.settings().DatabasePoolSize
	switch {
	case p.database.direct && size > 0:
		p.database.db.SetMaxOpenConns(size)
		p.database.db.SetMaxIdleConns(size)
	case p.database.direct != (size > 0):
		p.client.Log.Info("DevOps Channels will change how it connects to the database when the plugin restarts",
			"database_pool_size", size)
	}
}

// ConfigurationWillBeSaved refuses a save that would put a bad value of this
// plugin in force, so the System Console shows why and nothing changes. It judges
// only this plugin's settings, and only those the save changes (or makes bad, as
// narrowing the enabled types can make a broadcast line bad): a bad value already
// stored never blocks saving anything else. The refusal is a *model.AppError,
// whose message Mattermost shows the admin as it is.
//
//nolint:unparam // the hook's signature is fixed; a nil config means "save as given".
func (p *Plugin) ConfigurationWillBeSaved(newCfg *model.Config) (cfg *model.Config, err error) {
	defer app.Recover(p.API, "ConfigurationWillBeSaved", func() { cfg, err = nil, errPanicked })
	entry, ok := newCfg.PluginSettings.Plugins[manifestID]
	if !ok {
		return nil, nil
	}
	before, beforeErrs := config.DecodeFields(p.API.GetPluginConfig())
	after, decodeErrs := config.DecodeFields(entry)
	changed := config.Changed(before, after)
	if len(changed) == 0 && len(decodeErrs) == 0 {
		return nil, nil
	}
	wasBad := map[string]bool{}
	for _, e := range beforeErrs {
		wasBad[e.Field] = true
	}
	checks := p.checks()
	_, errs := after.Validate(checks)
	errs = append(decodeErrs, errs...)
	if len(errs) == 0 {
		return nil, nil
	}
	isChanged := map[string]bool{}
	for _, f := range changed {
		isChanged[f] = true
	}
	judgedBefore := false // the stored values are judged only if an unchanged field is refused
	for _, e := range errs {
		if !isChanged[e.Field] {
			if !judgedBefore {
				judgedBefore = true
				_, oldErrs := before.Validate(checks)
				for _, old := range oldErrs {
					wasBad[old.Field] = true
				}
			}
			if wasBad[e.Field] {
				continue // bad already: this save neither made nor changed it
			}
		}
		p.API.LogWarn("DevOps Channels refused a settings save", "field", e.Field, "value", shown(e.Field, e.Value), "reason", e.Reason)
		return nil, refusal(e)
	}
	return nil, nil
}

// refusal is the save hook's answer: its Message is what the System Console shows.
func refusal(e *config.FieldError) *model.AppError {
	appErr := model.NewAppError("ConfigurationWillBeSaved", "plugins.devops_channels.setting_refused", nil,
		e.Error(), http.StatusBadRequest)
	// Mattermost would translate the id into a generic text; the message is ours.
	appErr.Message = fmt.Sprintf("DevOps Channels: %s: %s", config.DisplayName(e.Field), e.Reason)
	appErr.SkipTranslation = true
	return appErr
}
