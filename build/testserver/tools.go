//go:build tools

// Package testserver pins the Mattermost server that the end-to-end harness builds and runs.
package testserver

import (
	_ "github.com/mattermost/mattermost/server/v8/cmd/mattermost"
)
