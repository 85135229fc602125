package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// isIn reports whether m is in a channel, as Mattermost says.
func isIn(t *testing.T, m *member, channelID string) bool {
	t.Helper()
	_, resp, err := srv.Admin.GetChannelMember(context.Background(), channelID, m.Id, "")
	if resp != nil && resp.StatusCode == 404 {
		return false
	}
	require.NoError(t, err)
	return true
}

// waitForAll waits for an ephemeral post containing each of texts, in any order.
func waitForAll(t *testing.T, ch <-chan *model.Post, texts ...string) {
	t.Helper()
	missing := slices.Clone(texts)
	deadline := time.After(10 * time.Second)
	for len(missing) > 0 {
		select {
		case p := <-ch:
			missing = slices.DeleteFunc(missing, func(s string) bool { return strings.Contains(p.Message, s) })
		case <-deadline:
			t.Fatalf("no ephemeral post containing %q", missing)
		}
	}
}

// A broadcast channel hears of every public workflow that starts and of its status
// updates, each post with a Join button pressed through Mattermost: a team member
// joins (and is briefed); a guest, and anyone once the channel is private, is refused
// and joins nothing; a private workflow is never broadcast.
func TestJoinFromABroadcastPost(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead := e.withDiscipline("lead", "operations")
	broadcast, _, err := srv.Admin.CreateChannel(ctx, &model.Channel{TeamId: e.team.Id, Name: name("updates"), DisplayName: "Incident updates", Type: model.ChannelTypeOpen})
	require.NoError(t, err)
	setPluginSetting(t, "broadcastchannels", "incident: "+broadcast.Id+"\nsecurity: "+broadcast.Id)
	defer setPluginSetting(t, "broadcastchannels", "")
	reader, guest, late := e.user("reader"), e.user("guest"), e.user("late")
	for _, m := range []*member{reader, guest, late} {
		_, _, err := srv.Admin.AddChannelMember(ctx, broadcast.Id, m.Id)
		require.NoError(t, err)
	}
	e.makeGuest(guest)

	w := e.start(lead, "incident Checkout latency in EU")
	started := offering(t, reader, broadcast.Id, app.ActionJoin, "Started:")
	requireContains(t, started.Message, "~"+w.ChannelName, "Checkout latency in EU")

	// The guest may not read the team's public channels: refused, in no channel.
	guestSees := ephemerals(t, guest)
	_, err = guest.client.DoPostActionWithCookie(ctx, started.Id, app.ActionJoin, "", "")
	require.NoError(t, err)
	waitFor(t, guestSees, "You cannot join this workflow")
	require.False(t, isIn(t, guest, w.ChannelID), "a refused guest joins nothing")

	// A team member joins, is told so and briefed there; the broadcast post stays for
	// the next reader.
	readerSees := ephemerals(t, reader)
	after := press(t, reader, started, app.ActionJoin, "")
	waitForAll(t, readerSees, "You joined ~"+w.ChannelName, "Welcome to") // the briefing may come first
	require.True(t, isIn(t, reader, w.ChannelID))
	require.Equal(t, offered(started), offered(after), "the broadcast post keeps its Join button")
	press(t, reader, started, app.ActionJoin, "")
	waitFor(t, readerSees, "You are already in ~"+w.ChannelName)

	// Status updates carry the button too.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops status Rolled back the 2.4 deploy").Text)
	update := offering(t, reader, broadcast.Id, app.ActionJoin, "Rolled back the 2.4 deploy")

	// Once an admin makes the channel private, the same button joins no one.
	_, _, err = srv.Admin.UpdateChannelPrivacy(ctx, w.ChannelID, model.ChannelTypePrivate)
	require.NoError(t, err)
	lateSees := ephemerals(t, late)
	press(t, late, update, app.ActionJoin, "")
	waitFor(t, lateSees, "You cannot join this workflow")
	require.False(t, isIn(t, late, w.ChannelID), "a private workflow's channel is joined by no one")

	// A private workflow is never broadcast.
	e.start(lead, "security Leaked deploy key")
	require.Zero(t, postsContaining(t, lead, broadcast.Id, "Leaked deploy key"))
}
