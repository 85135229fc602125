package main

import (
	"context"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

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

// loadConfiguration reads the stored configuration. A bad one is refused and the
// last good one (or the defaults, on first load) stays in force.
func (p *Plugin) loadConfiguration() error {
	raw := config.Defaults()
	if err := p.API.LoadPluginConfiguration(raw); err != nil {
		return errors.Wrap(err, "read plugin configuration")
	}
	settings, err := raw.Parse()

	p.configurationLock.Lock()
	defer p.configurationLock.Unlock()
	if err != nil {
		if p.configuration == nil {
			// First load with a bad stored configuration: run on the defaults, loudly.
			defaults := config.Defaults()
			settings, derr := defaults.Parse()
			if derr != nil {
				return errors.Wrap(derr, "parse default configuration")
			}
			p.configuration = &configuration{raw: defaults, settings: settings}
		}
		return errors.Wrap(err, "invalid configuration, keeping the last good one")
	}
	p.configuration = &configuration{raw: raw, settings: settings}
	return nil
}

// OnConfigurationChange validates the new configuration. The System Console is
// normally stopped earlier by ConfigurationWillBeSaved; this catches changes made
// in config.json, by environment or through mmctl.
func (p *Plugin) OnConfigurationChange() (err error) {
	defer app.Recover(p.API, "OnConfigurationChange", func() { err = errPanicked })
	if err := p.loadConfiguration(); err != nil {
		if p.client != nil {
			p.client.Log.Error("DevOps Channels refused a configuration change", "err", err.Error())
		}
		return err
	}
	if p.commands != nil {
		if err := p.registerCommand(); err != nil {
			return err
		}
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

// ConfigurationWillBeSaved refuses to save a bad configuration, so the System
// Console shows the error (naming the field) and nothing changes.
//
//nolint:unparam // the hook's signature is fixed; a nil config means "save as given".
func (p *Plugin) ConfigurationWillBeSaved(newCfg *model.Config) (cfg *model.Config, err error) {
	defer app.Recover(p.API, "ConfigurationWillBeSaved", func() { cfg, err = nil, errPanicked })
	pluginCfg, ok := newCfg.PluginSettings.Plugins[manifestID]
	if !ok {
		return nil, nil
	}
	raw := config.Defaults()
	if err := config.Decode(pluginCfg, raw); err != nil {
		return nil, errors.Wrap(err, "DevOps Channels settings")
	}
	settings, err := raw.Parse()
	if err != nil {
		return nil, errors.Wrap(err, "DevOps Channels settings")
	}
	// Names are bound to people when saved: a name must be bound already or be an
	// active user's. (Before activation there is no store to ask; the binding then
	// logs what it could not bind.)
	if p.service != nil {
		if err := p.service.CheckDisciplineMapping(context.Background(), settings.DisciplineMapping); err != nil {
			return nil, errors.Wrap(err, "DevOps Channels settings")
		}
	}
	return nil, nil
}
