// Command plugin is the server half of the DevOps Channels Mattermost plugin.
package main

import (
	// Time zones for follow-the-sun work even where the host has no zoneinfo.
	_ "time/tzdata"

	"github.com/mattermost/mattermost/server/public/plugin"
)

func main() {
	plugin.ClientMain(&Plugin{})
}
