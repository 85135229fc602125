package main

import (
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// platform implements app.Platform with the plugin API.
type platform struct {
	client *pluginapi.Client
	api    plugin.API
	botID  string
}

func newPlatform(client *pluginapi.Client, api plugin.API, botID string) *platform {
	return &platform{client: client, api: api, botID: botID}
}

func (p *platform) BotID() string { return p.botID }
