package command

import (
	"fmt"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app/apptest"
)

// recordingHost is a Host that records what is logged.
type recordingHost struct{ apptest.Log }

func (h *recordingHost) GetUserCached(string) (*model.User, error) {
	return nil, fmt.Errorf("no users here")
}
func (h *recordingHost) OpenDialog(model.OpenDialogRequest) error { return nil }

// A command that panics answers the caller alone, and the panic is logged with its
// stack; the next command runs.
func TestExecuteRecoversPanics(t *testing.T) {
	host := &recordingHost{}
	svc, settings := apptest.PanickingService(t, host)
	h := New(svc, settings, host)

	resp := h.Execute(&model.CommandArgs{Command: "/devops info", UserId: model.NewId(), TeamId: model.NewId(), ChannelId: model.NewId()})
	require.Equal(t, model.CommandResponseTypeEphemeral, resp.ResponseType)
	require.Contains(t, resp.Text, "Something went wrong")
	require.Len(t, host.Entries(), 1)
	require.Contains(t, host.Entries()[0], "recovered from a panic")
	require.Contains(t, host.Entries()[0], "goroutine", "the stack is logged")

	resp = h.Execute(&model.CommandArgs{Command: "/devops help"})
	require.Contains(t, resp.Text, "DevOps Channels", "still answering")
}
