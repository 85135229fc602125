package app

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

func TestPostIDFromPermalink(t *testing.T) {
	id := model.NewId()
	for _, link := range []string{
		"https://mm.example.com/eng/pl/" + id,
		"http://127.0.0.1:8065/eng/pl/" + id + "/",
		"https://mm.example.com/sub/path/eng/pl/" + id,
		"<https://mm.example.com/eng/pl/" + id + ">",
		"  " + id + " ",
	} {
		got, err := PostIDFromPermalink(link)
		require.NoError(t, err, link)
		require.Equal(t, id, got, link)
	}
	for _, bad := range []string{"", "https://mm.example.com/eng/channels/town-square", "https://mm.example.com/eng/pl/short",
		"https://mm.example.com/eng/pl/" + id + "x", "pl/" + strings.Repeat("!", 26)} {
		_, err := PostIDFromPermalink(bad)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "is not a message link", bad)
	}
}

func TestSourceTitleAndQuote(t *testing.T) {
	src := &source{post: &model.Post{Id: model.NewId(), Message: "\n## Checkout errors in EU @channel\nSince 14:02, 12% of orders fail.\nhttps://grafana.example.com/d/1"},
		link: "https://mm.example.com/eng/pl/x", author: "omar"}
	require.Equal(t, "Checkout errors in EU @channel", src.title())
	q := src.quote()
	require.True(t, strings.HasPrefix(q, "**Started from** [a message](https://mm.example.com/eng/pl/x) by @\u200bomar:\n> "), q)
	require.Contains(t, q, "> Since 14:02, 12% of orders fail.")
	require.NotContains(t, q, "@channel", "a quoted mention notifies nobody")

	long := &source{post: &model.Post{Message: strings.Repeat("x", MaxTitleRunes+50) + "\n" + strings.Repeat("line\n", 20)}}
	require.Len(t, []rune(long.title()), MaxTitleRunes)
	require.Equal(t, sourceQuoteLines+1, strings.Count(long.quote(), "\n> "), long.quote()) // the lines and "…"

	empty := &source{post: &model.Post{Message: "  \n> \n"}}
	require.Empty(t, empty.title())
	require.Equal(t, "**Started from** a message.", empty.quote())
}

func TestArticle(t *testing.T) {
	require.Equal(t, "an incident", article("Incident"))
	require.Equal(t, "a release", article("Release"))
}
