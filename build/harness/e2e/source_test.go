package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

func (e *env) postAs(m *member, channelID, message string) *model.Post {
	e.t.Helper()
	p, _, err := m.client.CreatePost(context.Background(), &model.Post{ChannelId: channelID, Message: message})
	require.NoError(e.t, err)
	return p
}

func (e *env) permalink(postID string) string {
	return srv.URL + "/" + e.team.Name + "/pl/" + postID
}

// threadOf is a post's thread as m reads it: the root and its replies.
func threadOf(t *testing.T, m *member, postID string) []*model.Post {
	t.Helper()
	list, _, err := m.client.GetPostThread(context.Background(), postID, "", false)
	require.NoError(t, err)
	posts := make([]*model.Post, 0, len(list.Order))
	for _, id := range list.Order {
		posts = append(posts, list.Posts[id])
	}
	return posts
}

// A workflow started from a message (`--from <permalink>`, or `from_post_id` through
// REST as the post menu sends it) takes its title from the message's first line, quotes
// and links it in its first post, and answers in the message's thread with a link to
// its channel. A message in a channel the starter cannot read is refused exactly as one
// that does not exist, and nothing is created or posted.
func TestStartFromAMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reporter := e.user("reporter")
	starter := e.user("starter")
	report := e.postAs(reporter, e.square.Id, "Checkout errors in EU\nSince 14:02, 12% of orders fail. @channel")

	w := e.start(starter, "incident --from "+e.permalink(report.Id))
	require.Equal(t, "Checkout errors in EU", w.Title)
	first := firstPost(t, starter, w.ChannelID)
	requireContains(t, first.Message, "**Started from** [a message]("+e.permalink(report.Id)+") by @\u200b"+reporter.Username,
		"> Since 14:02, 12% of orders fail. @\u200bchannel")
	thread := threadOf(t, reporter, report.Id)
	require.Len(t, thread, 2)
	reply := thread[1]
	require.Equal(t, report.Id, reply.RootId)
	require.Equal(t, "@"+starter.Username+" started an incident ~"+w.ChannelName+" from this message.", reply.Message)

	// A title given wins; REST (the post menu's form) does the same through the same service.
	titled := e.start(starter, "incident --from "+e.permalink(report.Id)+" EU checkout --severity sev1 --force")
	require.Equal(t, "EU checkout", titled.Title)
	require.Equal(t, "sev1", titled.Severity)
	var viaREST workflowJSON
	require.Equal(t, http.StatusCreated, api(t, starter, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "incident", "from_post_id": report.Id, "force": true}, &viaREST))
	require.Equal(t, "Checkout errors in EU", viaREST.Title)
	require.Len(t, threadOf(t, reporter, report.Id), 4)

	// A private channel the starter is not in: the same answer as no message at all.
	hidden, _, err := reporter.client.CreateChannel(ctx, &model.Channel{TeamId: e.team.Id, Name: name("hidden"), DisplayName: "Hidden", Type: model.ChannelTypePrivate})
	require.NoError(t, err)
	secret := e.postAs(reporter, hidden.Id, "Payroll export leaked to a public bucket")
	before := e.listed(starter)
	refusedSecret := e.run(starter, e.square.Id, "/devops start incident --from "+e.permalink(secret.Id)).Text
	refusedMissing := e.run(starter, e.square.Id, "/devops start incident --from "+e.permalink(model.NewId())).Text
	require.Equal(t, refusedMissing, refusedSecret)
	requireContains(t, refusedSecret, "No message found at that link that you can read.")
	require.NotContains(t, refusedSecret, "Payroll")
	var restSecret, restMissing apiError
	statusSecret := api(t, starter, http.MethodPost, "/api/v1/workflows", map[string]any{"team_id": e.team.Id, "type": "incident", "from_post_id": secret.Id}, &restSecret)
	statusMissing := api(t, starter, http.MethodPost, "/api/v1/workflows", map[string]any{"team_id": e.team.Id, "type": "incident", "from_post_id": model.NewId()}, &restMissing)
	require.Equal(t, http.StatusNotFound, statusSecret)
	require.Equal(t, statusMissing, statusSecret)
	require.Equal(t, restMissing, restSecret)
	require.ElementsMatch(t, before, e.listed(starter), "nothing was started")
	require.Len(t, threadOf(t, reporter, secret.Id), 1, "nothing was posted in the hidden thread")

	// A deleted message is gone for everyone, with the same answer.
	deleted := e.postAs(reporter, e.square.Id, "Typo, ignore")
	_, err = reporter.client.DeletePost(ctx, deleted.Id)
	require.NoError(t, err)
	require.Equal(t, refusedMissing, e.run(starter, e.square.Id, "/devops start incident --from "+e.permalink(deleted.Id)).Text)

	// A public channel the starter is not in is one Mattermost lets them read: allowed.
	open, _, err := reporter.client.CreateChannel(ctx, &model.Channel{TeamId: e.team.Id, Name: name("open"), DisplayName: "Open", Type: model.ChannelTypeOpen})
	require.NoError(t, err)
	alert := e.postAs(reporter, open.Id, "Disk 91% full on db-3")
	fromOpen := e.start(starter, "incident --from "+e.permalink(alert.Id))
	require.Equal(t, "Disk 91% full on db-3", fromOpen.Title)

	// A link that is not a message's is refused saying what to give.
	requireContains(t, e.run(starter, e.square.Id, "/devops start incident --from "+srv.URL+"/"+e.team.Name+"/channels/town-square").Text,
		"is not a message link")

	// In the hidden channel, its member may: a private thread's reply names the channel
	// there, since its readers are the reporter's channel's members.
	fromHidden := e.start(reporter, "security --from "+e.permalink(secret.Id))
	require.True(t, fromHidden.Private)
	hiddenThread := threadOf(t, reporter, secret.Id)
	require.Len(t, hiddenThread, 2)
	require.NotContains(t, hiddenThread[1].Message, fromHidden.ChannelName, "a private workflow is not named in the source thread")
	requireContains(t, hiddenThread[1].Message, "started a private security")
}
