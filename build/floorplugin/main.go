// Command devops-floor is the benchmark floor: a Mattermost plugin whose `/floor`
// command only echoes its argument and whose `GET /ping` answers `{}`. devops-bench
// measures DevOps Channels against it in the same run, so a figure's ratio to the
// floor is what our code costs beyond the plugin round trip every plugin pays.
package main

import (
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

const trigger = "floor"

// Plugin is the floor plugin; it keeps no state.
type Plugin struct {
	plugin.MattermostPlugin
}

// OnActivate registers /floor.
func (p *Plugin) OnActivate() error {
	return p.API.RegisterCommand(&model.Command{
		Trigger:     trigger,
		DisplayName: "Benchmark floor",
		Description: "Echoes its argument; used as the floor by the DevOps Channels benchmark.",
	})
}

// ExecuteCommand echoes the argument ephemerally, as a read-only /devops command answers.
//
//nolint:unparam // the hook's signature is fixed by the plugin API.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	arg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(args.Command), "/"+trigger))
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: arg}, nil
}

// ServeHTTP answers GET /ping with `{}`. Like DevOps Channels' API it refuses
// requests without the server-set user header, so both pay the same checks.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/ping" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Mattermost-User-ID") == "" {
		http.Error(w, `{"error":"not authenticated"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}

func main() {
	plugin.ClientMain(&Plugin{})
}
