package app

// Platform is what the service needs from Mattermost. The plugin implements it with
// the plugin API; keeping it narrow keeps the domain free of transport details.
type Platform interface {
	BotID() string
}
