package main

import (
	"context"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/pkg/errors"
)

// platform implements app.Platform with the plugin API.
type platform struct {
	client *pluginapi.Client
	api    plugin.API
	botID  string
	users  *userCache
}

func newPlatform(client *pluginapi.Client, api plugin.API, botID string) *platform {
	return &platform{client: client, api: api, botID: botID, users: newUserCache()}
}

func (p *platform) BotID() string { return p.botID }

func (p *platform) GetUser(userID string) (*model.User, error) {
	u, appErr := p.api.GetUser(userID)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get user")
	}
	p.users.put(u)
	return u, nil
}

// GetUserCached returns a user from the short-lived cache when it can, for rendering
// names; decisions use GetUser. Callers must not modify the result.
func (p *platform) GetUserCached(userID string) (*model.User, error) {
	if u, ok := p.users.get(userID); ok {
		return u, nil
	}
	return p.GetUser(userID)
}

func (p *platform) GetUserByUsername(username string) (*model.User, error) {
	u, appErr := p.api.GetUserByUsername(username)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get user by username")
	}
	return u, nil
}

func (p *platform) IsTeamMember(teamID, userID string) bool {
	m, appErr := p.api.GetTeamMember(teamID, userID)
	return appErr == nil && m.DeleteAt == 0
}

func (p *platform) IsChannelMember(channelID, userID string) bool {
	_, appErr := p.api.GetChannelMember(channelID, userID)
	return appErr == nil
}

func (p *platform) CanManageChannel(userID, channelID string) bool {
	return p.api.HasPermissionToChannel(userID, channelID, model.PermissionManageChannelRoles)
}

func (p *platform) IsSystemAdmin(userID string) bool {
	return p.api.HasPermissionTo(userID, model.PermissionManageSystem)
}

func (p *platform) HasPermissionToTeam(userID, teamID string, permission *model.Permission) bool {
	return p.api.HasPermissionToTeam(userID, teamID, permission)
}

func (p *platform) HasPermissionToChannel(userID, channelID string, permission *model.Permission) bool {
	return p.api.HasPermissionToChannel(userID, channelID, permission)
}

func (p *platform) GetChannel(channelID string) (*model.Channel, error) {
	ch, appErr := p.api.GetChannel(channelID)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get channel")
	}
	return ch, nil
}

func (p *platform) GetTeam(teamID string) (*model.Team, error) {
	team, appErr := p.api.GetTeam(teamID)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get team")
	}
	return team, nil
}

func (p *platform) GetTeamByName(name string) (*model.Team, error) {
	team, appErr := p.api.GetTeamByName(name)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get team by name")
	}
	return team, nil
}

func (p *platform) SiteURL() string {
	if url := p.api.GetConfig().ServiceSettings.SiteURL; url != nil {
		return *url
	}
	return ""
}

func (p *platform) DirectChannel(userID string) (string, error) {
	ch, appErr := p.api.GetDirectChannel(p.botID, userID)
	if appErr != nil {
		return "", errors.Wrap(appErr, "get direct channel")
	}
	return ch.Id, nil
}

func (p *platform) CreateChannel(ch *model.Channel) (*model.Channel, error) {
	created, appErr := p.api.CreateChannel(ch)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "create channel")
	}
	return created, nil
}

func (p *platform) ArchiveChannel(channelID string) error {
	if appErr := p.api.DeleteChannel(channelID); appErr != nil {
		return errors.Wrap(appErr, "archive channel")
	}
	return nil
}

func (p *platform) AddChannelMember(channelID, userID, addedBy string) error {
	if addedBy == "" {
		addedBy = p.botID
	}
	if _, appErr := p.api.AddUserToChannel(channelID, userID, addedBy); appErr != nil {
		return errors.Wrap(appErr, "add channel member")
	}
	return nil
}

func (p *platform) PostsSince(channelID string, since int64) ([]*model.Post, error) {
	list, appErr := p.api.GetPostsSince(channelID, since)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get posts since")
	}
	return list.ToSlice(), nil
}

func (p *platform) CreatePost(post *model.Post) (*model.Post, error) {
	created, appErr := p.api.CreatePost(post)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "create post")
	}
	return created, nil
}

func (p *platform) UpdatePost(post *model.Post) error {
	if _, appErr := p.api.UpdatePost(post); appErr != nil {
		return errors.Wrap(appErr, "update post")
	}
	return nil
}

func (p *platform) SendEphemeral(userID, channelID, message string) {
	p.api.SendEphemeralPost(userID, &model.Post{UserId: p.botID, ChannelId: channelID, Message: message})
}

func (p *platform) Publish(event string, data map[string]any, channelID, teamID string) {
	p.api.PublishWebSocketEvent(event, data, &model.WebsocketBroadcast{ChannelId: channelID, TeamId: teamID})
}

func (p *platform) LogError(msg string, keyValuePairs ...any) {
	p.api.LogError(msg, keyValuePairs...)
}

func (p *platform) OpenDialog(req model.OpenDialogRequest) error {
	if appErr := p.api.OpenInteractiveDialog(req); appErr != nil {
		return errors.Wrap(appErr, "open dialog")
	}
	return nil
}

func (p *platform) ChannelMemberIDs(channelID string) ([]string, error) {
	var ids []string
	for page := 0; ; page++ {
		members, appErr := p.api.GetChannelMembers(channelID, page, 200)
		if appErr != nil {
			return nil, errors.Wrap(appErr, "list channel members")
		}
		for _, m := range members {
			ids = append(ids, m.UserId)
		}
		if len(members) < 200 {
			return ids, nil
		}
	}
}

func (p *platform) GetPost(postID string) (*model.Post, error) {
	post, appErr := p.api.GetPost(postID)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get post")
	}
	return post, nil
}

func (p *platform) GetChannelByName(teamID, name string) (*model.Channel, error) {
	ch, appErr := p.api.GetChannelByName(teamID, name, true)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get channel by name")
	}
	return ch, nil
}

func (p *platform) PublishToUser(event string, data map[string]any, userID string) {
	p.api.PublishWebSocketEvent(event, data, &model.WebsocketBroadcast{UserId: userID})
}

func (p *platform) SidebarCategories(userID, teamID string) ([]*model.SidebarCategoryWithChannels, error) {
	ordered, appErr := p.api.GetChannelSidebarCategories(userID, teamID)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "get sidebar categories")
	}
	return ordered.Categories, nil
}

func (p *platform) CreateSidebarCategory(userID, teamID string, category *model.SidebarCategoryWithChannels) error {
	if _, appErr := p.api.CreateChannelSidebarCategory(userID, teamID, category); appErr != nil {
		return errors.Wrap(appErr, "create sidebar category")
	}
	return nil
}

func (p *platform) UpdateSidebarCategories(userID, teamID string, categories []*model.SidebarCategoryWithChannels) error {
	if _, appErr := p.api.UpdateChannelSidebarCategories(userID, teamID, categories); appErr != nil {
		return errors.Wrap(appErr, "update sidebar categories")
	}
	return nil
}

// Lock is a cluster mutex (the plugin KV store), so nodes serialise too.
func (p *platform) Lock(ctx context.Context, key string) (func(), error) {
	m, err := cluster.NewMutex(p.api, key)
	if err != nil {
		return nil, errors.Wrap(err, "make mutex")
	}
	if err := m.LockWithContext(ctx); err != nil {
		return nil, errors.Wrapf(err, "lock %s", key)
	}
	return m.Unlock, nil
}

func (p *platform) UploadFile(data []byte, channelID, filename string) (*model.FileInfo, error) {
	info, appErr := p.api.UploadFile(data, channelID, filename)
	if appErr != nil {
		return nil, errors.Wrap(appErr, "upload file")
	}
	return info, nil
}
