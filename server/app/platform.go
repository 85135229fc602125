package app

import (
	"context"

	"github.com/mattermost/mattermost/server/public/model"
)

// Platform is what the service needs from Mattermost. The plugin implements it with
// the plugin API; keeping it narrow keeps the domain free of transport details.
type Platform interface {
	BotID() string
	GetUser(userID string) (*model.User, error)
	// GetUserCached may be up to a few seconds stale: for showing names only.
	GetUserCached(userID string) (*model.User, error)
	GetUserByUsername(username string) (*model.User, error)
	IsTeamMember(teamID, userID string) bool
	IsChannelMember(channelID, userID string) bool
	// CanManageChannel is true for the channel's admins, the team's admins and system admins.
	CanManageChannel(userID, channelID string) bool
	IsSystemAdmin(userID string) bool
	// HasPermissionToTeam and HasPermissionToChannel ask Mattermost, so guests, admins
	// and custom permission schemes are judged exactly as Mattermost judges them.
	HasPermissionToTeam(userID, teamID string, permission *model.Permission) bool
	HasPermissionToChannel(userID, channelID string, permission *model.Permission) bool
	GetChannel(channelID string) (*model.Channel, error)
	GetTeam(teamID string) (*model.Team, error)
	// GetTeamByName finds a team by its name (the one in its URL).
	GetTeamByName(name string) (*model.Team, error)
	// SiteURL is the server's public address, for permalinks.
	SiteURL() string
	// DirectChannel is the bot's direct message channel with a user.
	DirectChannel(userID string) (string, error)
	GetChannelByName(teamID, name string) (*model.Channel, error)
	CreateChannel(ch *model.Channel) (*model.Channel, error)
	ArchiveChannel(channelID string) error
	// AddChannelMember adds a user to a channel on addedBy's behalf (the plugin's bot
	// when empty). Mattermost then posts "added to the channel by" after answering;
	// a user added on their own behalf gets "joined the channel", posted before.
	AddChannelMember(channelID, userID, addedBy string) error
	ChannelMemberIDs(channelID string) ([]string, error)
	GetPost(postID string) (*model.Post, error)
	// PostsSince lists a channel's posts created or changed since a time (ms).
	PostsSince(channelID string, since int64) ([]*model.Post, error)
	CreatePost(post *model.Post) (*model.Post, error)
	// UpdatePost changes a bot post (a page's direct message as the page moves on).
	UpdatePost(post *model.Post) error
	SendEphemeral(userID, channelID, message string)
	// OpenDialog shows an interactive dialog to whoever the request's trigger id names.
	OpenDialog(req model.OpenDialogRequest) error
	// Publish sends a small websocket event to a channel's members, or to a team.
	Publish(event string, data map[string]any, channelID, teamID string)
	// PublishToUser sends a websocket event to one user's sessions.
	PublishToUser(event string, data map[string]any, userID string)
	LogError(msg string, keyValuePairs ...any)
	// SidebarCategories are a user's channel sidebar categories in a team, in order.
	SidebarCategories(userID, teamID string) ([]*model.SidebarCategoryWithChannels, error)
	// CreateSidebarCategory adds a custom category; its channels leave their old categories.
	CreateSidebarCategory(userID, teamID string, category *model.SidebarCategoryWithChannels) error
	// UpdateSidebarCategories saves categories' channel lists: a move names both sides.
	UpdateSidebarCategories(userID, teamID string, categories []*model.SidebarCategoryWithChannels) error
	// UploadFile stores a file for a post in a channel (the bot's).
	UploadFile(data []byte, channelID, filename string) (*model.FileInfo, error)
	// Lock takes a cluster-wide lock on key and returns its release.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}
