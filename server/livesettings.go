package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/config"
	"github.com/devopschannels/devops-channels/server/store"
)

// liveSettings checks settings against the running server (config.Live): what the
// plugin will post in, invite, react with and answer to must exist there.
type liveSettings struct {
	p     *Plugin
	store *store.Store // nil before the database is open
}

var _ config.Live = liveSettings{}

// ChannelProblem: the bot posts through the plugin API, which needs no membership,
// so a channel is fit when it exists, is not archived and is a channel, not a
// direct or group message.
func (l liveSettings) ChannelProblem(channelID string) (string, error) {
	ch, appErr := l.p.API.GetChannel(channelID)
	switch {
	case appErr != nil && appErr.StatusCode == http.StatusNotFound:
		return "does not exist on this server", nil
	case appErr != nil:
		return "", errors.Wrap(appErr, "get channel")
	case ch.DeleteAt != 0:
		return fmt.Sprintf("(%s) is archived", ch.Name), nil
	case ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate:
		return "is a direct or group message, not a channel", nil
	}
	return "", nil
}

// UnknownUsernames asks the database, where a mapped name stays bound to its person
// after they rename; before the database is open, it asks Mattermost for the users.
func (l liveSettings) UnknownUsernames(names []string) ([]string, error) {
	if l.store != nil {
		return l.store.UnknownUsernames(context.Background(), names)
	}
	users, appErr := l.p.API.GetUsersByUsernames(names)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get users by usernames")
	}
	active := map[string]bool{}
	for _, u := range users {
		active[u.Username] = u.DeleteAt == 0
	}
	var unknown []string
	for _, n := range names {
		if !active[n] {
			unknown = append(unknown, n)
		}
	}
	return unknown, nil
}

// EmojiExists knows the system emoji (compiled into Mattermost's model, as in the
// server) and asks the server for custom ones.
func (l liveSettings) EmojiExists(name string) (bool, error) {
	if model.IsSystemEmojiName(name) {
		return true, nil
	}
	_, appErr := l.p.API.GetEmojiByName(name)
	switch {
	case appErr == nil:
		return true, nil
	case appErr.StatusCode == http.StatusNotFound || appErr.StatusCode == http.StatusNotImplemented:
		return false, nil // no such emoji, or custom emoji are off
	}
	return false, errors.Wrap(appErr, "get emoji")
}

// CommandOwner asks the server for every command that could answer /trigger: its
// built-in ones, other plugins' (everywhere and per team) and each team's custom
// commands. The plugin's own registration is not a clash.
func (l liveSettings) CommandOwner(trigger string) (string, error) {
	builtIn, err := l.p.API.ListBuiltInCommands()
	if err != nil {
		return "", errors.Wrap(err, "list built-in commands")
	}
	if hasTrigger(builtIn, trigger) {
		return "a built-in Mattermost command", nil
	}
	l.p.configurationLock.RLock()
	own := l.p.registeredTrigger
	l.p.configurationLock.RUnlock()
	plugins, err := l.p.API.ListPluginCommands("")
	if err != nil {
		return "", errors.Wrap(err, "list plugin commands")
	}
	if trigger != own && hasTrigger(plugins, trigger) {
		return "the command of another plugin", nil
	}
	teams, appErr := l.p.API.GetTeams()
	if appErr != nil {
		return "", errors.Wrap(appErr, "list teams")
	}
	for _, team := range teams {
		custom, err := l.p.API.ListCustomCommands(team.Id)
		if err != nil {
			return "", errors.Wrap(err, "list custom commands")
		}
		if hasTrigger(custom, trigger) {
			return fmt.Sprintf("a custom command of the team %q", team.DisplayName), nil
		}
		teamPlugins, err := l.p.API.ListPluginCommands(team.Id)
		if err != nil {
			return "", errors.Wrap(err, "list plugin commands")
		}
		if trigger != own && hasTrigger(teamPlugins, trigger) {
			return fmt.Sprintf("the command of another plugin in the team %q", team.DisplayName), nil
		}
	}
	return "", nil
}

func hasTrigger(commands []*model.Command, trigger string) bool {
	for _, c := range commands {
		if c.Trigger == trigger {
			return true
		}
	}
	return false
}
