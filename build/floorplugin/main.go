// Command devops-floor is the benchmark floor: a Mattermost plugin whose `/floor`
// command only echoes its argument, whose `GET /ping` answers `{}` and whose button
// (posted by `/floor button`) only updates its post. devops-bench
// measures DevOps Channels against it in the same run, so a figure's ratio to the
// floor is what our code costs beyond the plugin round trip every plugin pays.
//
// `/floor answer` replies with a text the benchmark stored beforehand (`PUT /answer`):
// the same answer as a /devops command's, delivered with no work behind it. It shows
// how much of a command's figure is Mattermost delivering a long answer (rendering
// metadata, JSON, compression) rather than our plugin's work.
package main

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

const trigger = "floor"

// maxAnswer bounds a stored answer (a Mattermost post holds 16,383 runes).
const maxAnswer = 64 << 10

// Plugin is the floor plugin. Its only state is the stored answer, in memory: it is
// a benchmark tool that runs on one node.
type Plugin struct {
	plugin.MattermostPlugin
	answer atomic.Pointer[string]
}

// OnActivate registers /floor.
func (p *Plugin) OnActivate() error {
	return p.API.RegisterCommand(&model.Command{
		Trigger:     trigger,
		DisplayName: "Benchmark floor",
		Description: "Echoes its argument; used as the floor by the DevOps Channels benchmark.",
	})
}

// pressAction is the floor button's action id; pressing it only updates its post.
const pressAction = "floorpress"

// ExecuteCommand echoes the argument ephemerally, as a read-only /devops command answers.
// `/floor button` posts a message with the floor's button (as the user who ran it)
// and answers with the post's id.
//
//nolint:unparam // the hook's signature is fixed by the plugin API.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	arg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(args.Command), "/"+trigger))
	if arg == "button" {
		post := &model.Post{UserId: args.UserId, ChannelId: args.ChannelId, Message: "floor button"}
		post.AddProp(model.PostPropsAttachments, []*model.SlackAttachment{{Actions: []*model.PostAction{{
			Id: pressAction, Name: "Press", Type: model.PostActionTypeButton,
			Integration: &model.PostActionIntegration{URL: "/plugins/devops-floor/press"},
		}}}})
		created, appErr := p.API.CreatePost(post)
		if appErr != nil {
			return nil, appErr
		}
		arg = created.Id
	}
	if arg == "answer" {
		arg = "(no answer stored: PUT /plugins/devops-floor/answer first)"
		if a := p.answer.Load(); a != nil {
			arg = *a
		}
	}
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: arg}, nil
}

// ServeHTTP answers GET /ping with `{}`, a pressed button with its post's update,
// and stores the body of PUT /answer. Like
// DevOps Channels' API it refuses requests without the server-set user header, so
// both pay the same checks.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Mattermost-User-ID") == "" {
		http.Error(w, `{"error":"not authenticated"}`, http.StatusUnauthorized)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/ping":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	case r.Method == http.MethodPost && r.URL.Path == "/press":
		// A pressed button's least: its post updated in place (its props, and so its
		// button, kept by Mattermost), no other work.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"update":{"message":"floor button pressed"}}`))
	case r.Method == http.MethodPut && r.URL.Path == "/answer":
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxAnswer+1))
		if err != nil || len(raw) > maxAnswer {
			http.Error(w, `{"error":"the answer must be at most 64 KiB"}`, http.StatusBadRequest)
			return
		}
		text := string(raw)
		p.answer.Store(&text)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func main() {
	plugin.ClientMain(&Plugin{})
}
