package command

import (
	"fmt"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/config"
)

// panickingStore panics on every call, as a bug in the store would.
type panickingStore struct{ app.Store }

type recordingHost struct {
	mu     sync.Mutex
	errors []string
}

func (h *recordingHost) GetUserCached(string) (*model.User, error) {
	return nil, fmt.Errorf("no users here")
}
func (h *recordingHost) OpenDialog(model.OpenDialogRequest) error { return nil }
func (h *recordingHost) LogError(msg string, keyValuePairs ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errors = append(h.errors, fmt.Sprint(append([]any{msg}, keyValuePairs...)...))
}

// A command that panics answers the caller alone, and the panic is logged with its
// stack; the next command runs.
func TestExecuteRecoversPanics(t *testing.T) {
	settings, err := config.Defaults().Parse()
	require.NoError(t, err)
	host := &recordingHost{}
	svc := app.NewService(panickingStore{}, nil, func() *app.Settings { return settings }, app.NewBackground(host))
	h := New(svc, func() *app.Settings { return settings }, host)

	resp := h.Execute(&model.CommandArgs{Command: "/devops info", UserId: model.NewId(), TeamId: model.NewId(), ChannelId: model.NewId()})
	require.Equal(t, model.CommandResponseTypeEphemeral, resp.ResponseType)
	require.Contains(t, resp.Text, "Something went wrong")
	require.Len(t, host.errors, 1)
	require.Contains(t, host.errors[0], "recovered from a panic")
	require.Contains(t, host.errors[0], "goroutine", "the stack is logged")

	resp = h.Execute(&model.CommandArgs{Command: "/devops help"})
	require.Contains(t, resp.Text, "DevOps Channels", "still answering")
}
