package main

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"
	"github.com/stretchr/testify/mock"

	"github.com/devopschannels/devops-channels/server/config"
)

// Every node of a cluster loads the configuration and finds the same bad value; the
// compare-and-set on the field's notice key lets one node tell the admins. One
// server cannot play two nodes, hence the mocked API: here the node that loses the
// race sends nothing, the node that wins sends one message, and a node that finds
// the notice already recorded sends nothing either.
func TestBadValueNoticeIsSentByOneNode(t *testing.T) {
	bad := []config.Fallback{{FieldError: &config.FieldError{Field: "WorkingHours", Value: "9-5", Reason: `"9" is not a time of day (HH:MM)`}, Used: "09:00-17:00"}}
	key := noticeKeyPrefix + "WorkingHours"
	node := func(t *testing.T, wins bool) (*Plugin, *plugintest.API) {
		api := &plugintest.API{}
		t.Cleanup(func() { api.AssertExpectations(t) })
		api.On("KVGet", mock.MatchedBy(func(k string) bool { return k != key })).Return(nil, nil)
		api.On("KVGet", key).Return(nil, nil).Once()
		api.On("KVCompareAndSet", key, []byte(nil), mock.Anything).Return(wins, nil).Once()
		p := &Plugin{botID: model.NewId()}
		p.SetAPI(api)
		return p, api
	}

	loser, _ := node(t, false)
	loser.tellAdmins(bad) // the mock fails the test on any call to list admins or post

	winner, api := node(t, true)
	admin := &model.User{Id: model.NewId()}
	dm := &model.Channel{Id: model.NewId()}
	api.On("GetUsers", mock.Anything).Return([]*model.User{admin}, nil).Once()
	api.On("GetDirectChannel", winner.botID, admin.Id).Return(dm, nil).Once()
	api.On("CreatePost", mock.MatchedBy(func(p *model.Post) bool {
		return p.ChannelId == dm.Id && p.UserId == winner.botID &&
			containsAll(p.Message, "Default working hours (WorkingHours)", "9-5", "09:00-17:00", "last good value")
	})).Return(&model.Post{}, nil).Once()
	winner.tellAdmins(bad)

	// Told already (the notice holds this value's hash): no compare-and-set, no message.
	api = &plugintest.API{}
	defer api.AssertExpectations(t)
	told := &Plugin{}
	told.SetAPI(api)
	api.On("KVGet", mock.MatchedBy(func(k string) bool { return k != key })).Return(nil, nil)
	api.On("KVGet", key).Return(noticeMark("9-5"), nil).Once()
	told.tellAdmins(bad)
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
