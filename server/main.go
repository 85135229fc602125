// Command plugin is the server half of the DevOps Channels Mattermost plugin.
package main

import (
	"github.com/mattermost/mattermost/server/public/plugin"
)

func main() {
	plugin.ClientMain(&Plugin{})
}
