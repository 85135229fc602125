package main

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/app/apptest"
	"github.com/devopschannels/devops-channels/server/config"
)

// newPanickingPlugin is a plugin whose service panics on its first database call,
// with a mocked plugin API that expects the panic of where to be logged with a stack.
// A real server cannot make the plugin's code panic, hence the mock.
func newPanickingPlugin(t *testing.T, where string) (*Plugin, *plugintest.API) {
	t.Helper()
	settings, err := config.Defaults().Parse()
	require.NoError(t, err)
	api := &plugintest.API{}
	t.Cleanup(func() { api.AssertExpectations(t) })
	api.On("LogError", "DevOps Channels recovered from a panic", "where", where, "panic", mock.Anything,
		"stack", mock.MatchedBy(func(stack string) bool { return len(stack) > 0 })).Return().Once()
	p := &Plugin{configuration: &configuration{raw: config.Defaults(), settings: settings}}
	p.SetAPI(api)
	p.background = app.NewBackground(api)
	p.service = app.NewService(apptest.PanickingStore{}, nil, p.settings, p.background)
	return p, api
}

// Every hook recovers a panic, logs it with its stack and, where the hook returns an
// error, says so; the plugin's process goes on.
func TestHooksRecoverPanics(t *testing.T) {
	member := &model.ChannelMember{ChannelId: model.NewId(), UserId: model.NewId()}
	for _, tc := range []struct {
		where string
		setup func(p *Plugin, api *plugintest.API)
		call  func(p *Plugin) error
	}{
		{where: "UserHasJoinedChannel", call: func(p *Plugin) error { p.UserHasJoinedChannel(nil, member, nil); return nil }},
		{where: "UserHasLeftChannel", call: func(p *Plugin) error { p.UserHasLeftChannel(nil, member, nil); return nil }},
		{where: "ReactionHasBeenAdded", call: func(p *Plugin) error {
			p.ReactionHasBeenAdded(nil, &model.Reaction{PostId: model.NewId(), UserId: model.NewId(), EmojiName: "pushpin"})
			return nil
		}},
		{where: "MessageHasBeenPosted", call: func(p *Plugin) error {
			p.MessageHasBeenPosted(nil, &model.Post{ChannelId: model.NewId(), Type: model.PostTypeChangeChannelPrivacy})
			return nil
		}},
		{where: "scheduled work", call: func(p *Plugin) error { p.runScheduled(); return nil }},
		{where: "ConfigurationWillBeSaved", call: func(p *Plugin) error {
			_, err := p.ConfigurationWillBeSaved(nil)
			return err
		}},
		{where: "OnConfigurationChange", setup: panicOnLoadConfiguration, call: func(p *Plugin) error { return p.OnConfigurationChange() }},
		{where: "OnActivate", setup: panicOnLoadConfiguration, call: func(p *Plugin) error { return p.OnActivate() }},
		{where: "OnDeactivate", setup: func(p *Plugin, _ *plugintest.API) { p.scheduler = &cluster.Job{} }, call: func(p *Plugin) error {
			return p.OnDeactivate()
		}},
	} {
		t.Run(tc.where, func(t *testing.T) {
			p, api := newPanickingPlugin(t, tc.where)
			if tc.setup != nil {
				tc.setup(p, api)
			}
			var err error
			require.NotPanics(t, func() { err = tc.call(p) })
			switch tc.where {
			case "ConfigurationWillBeSaved", "OnConfigurationChange", "OnActivate", "OnDeactivate":
				require.ErrorIs(t, err, errPanicked)
			}
		})
	}
}

// panicOnLoadConfiguration makes the plugin API panic on the first call of loading
// the configuration (or, activating, of ensuring the bot, which comes first).
func panicOnLoadConfiguration(_ *Plugin, api *plugintest.API) {
	panics := func(mock.Arguments) { panic("bad configuration reader") }
	api.On("GetPluginConfig").Run(panics).Return(nil).Maybe()
	api.On("KVSetWithOptions", mock.Anything, mock.Anything, mock.Anything).Run(panics).Return(false, nil).Maybe()
	api.On("GetServerVersion").Run(panics).Return("").Maybe()
}

// OnDeactivate lets work started after an answer finish before the plugin stops, and
// waits at most backgroundWait for work that does not.
func TestOnDeactivateWaitsForBackgroundWork(t *testing.T) {
	api := &plugintest.API{}
	p := &Plugin{}
	p.SetAPI(api)
	p.background = app.NewBackground(api)
	var finished atomic.Bool
	p.background.Go("file a sidebar", func() error {
		time.Sleep(200 * time.Millisecond)
		finished.Store(true)
		return nil
	})
	require.NoError(t, p.OnDeactivate())
	require.True(t, finished.Load(), "OnDeactivate returned before the work finished")

	// Bounded: work that never finishes holds OnDeactivate for backgroundWait only.
	defer func(d time.Duration) { backgroundWait = d }(backgroundWait)
	backgroundWait = 100 * time.Millisecond
	api.On("LogWarn", "DevOps Channels stopped with background work still running", "waited", "100ms").Return().Once()
	stuck := make(chan struct{})
	defer close(stuck)
	p.background = app.NewBackground(api)
	p.background.Go("stuck work", func() error { <-stuck; return nil })
	start := time.Now()
	require.NoError(t, p.OnDeactivate())
	require.Less(t, time.Since(start), 2*time.Second)
	api.AssertExpectations(t)
}

// Buttons and dialogs name the plugin's routes by path; the path is the manifest's id.
func TestPluginPathIsTheManifestID(t *testing.T) {
	require.Equal(t, "/plugins/"+manifestID, app.PluginPath)
}
