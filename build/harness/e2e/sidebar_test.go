package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

// categoryOf names the sidebar category that holds a channel for a member, with the
// number of custom categories of each name (to catch duplicates).
func (e *env) categoryOf(m *member, channelID string) (string, map[string]int) {
	e.t.Helper()
	cats, _, err := srv.Admin.GetSidebarCategoriesForTeamForUser(context.Background(), m.Id, e.team.Id, "")
	require.NoError(e.t, err)
	in, counts := "", map[string]int{}
	for _, c := range cats.Categories {
		if c.Type == model.SidebarCategoryCustom {
			counts[c.DisplayName]++
		}
		if slices.Contains(c.Channels, channelID) {
			in = c.DisplayName
		}
	}
	return in, counts
}

// requireCategory waits for the join hook, which runs after the join returns.
func (e *env) requireCategory(m *member, channelID, want string) {
	e.t.Helper()
	var got string
	var counts map[string]int
	require.Eventually(e.t, func() bool {
		got, counts = e.categoryOf(m, channelID)
		return got == want
	}, 10*time.Second, 50*time.Millisecond, "%s: channel in %q, want %q", m.Username, got, want)
	for name, n := range counts {
		require.Equal(e.t, 1, n, "%s has %d categories named %q", m.Username, n, name)
	}
}

func setPluginSettings(t *testing.T, settings map[string]any) {
	t.Helper()
	require.NoError(t, srv.SetPluginSettings(settings))
	time.Sleep(300 * time.Millisecond) // the plugin applies the change asynchronously
}

func TestSidebarCategories(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead := e.withDiscipline("lead", "developer")
	ops := e.withDiscipline("ops", "operations") // incidents auto-invite operations
	late := e.user("late")

	first := e.start(lead, `incident "Payments down" --severity sev1`)
	e.requireCategory(lead, first.ChannelID, "Incidents") // the starter
	e.requireCategory(ops, first.ChannelID, "Incidents")  // auto-invited

	// Joining by oneself files it too; a second incident goes into the same category, first.
	_, _, err := late.client.AddChannelMember(ctx, first.ChannelID, late.Id)
	require.NoError(t, err)
	e.requireCategory(late, first.ChannelID, "Incidents")
	second := e.start(lead, `incident "Search slow" --force`)
	e.requireCategory(lead, second.ChannelID, "Incidents")
	cats, _, err := srv.Admin.GetSidebarCategoriesForTeamForUser(ctx, lead.Id, e.team.Id, "")
	require.NoError(t, err)
	for _, c := range cats.Categories {
		if c.DisplayName == "Incidents" {
			require.Equal(t, []string{second.ChannelID, first.ChannelID}, c.Channels, "newest first")
		}
	}

	// Another type has its own category.
	release := e.start(lead, `release "Release 9.1.0"`)
	e.requireCategory(lead, release.ChannelID, "Releases")

	// A member who put the channel somewhere of their own keeps it there.
	mine, _, err := ops.client.CreateSidebarCategoryForTeamForUser(ctx, ops.Id, e.team.Id, &model.SidebarCategoryWithChannels{
		SidebarCategory: model.SidebarCategory{UserId: ops.Id, TeamId: e.team.Id, DisplayName: "Watching", Type: model.SidebarCategoryCustom},
		Channels:        []string{first.ChannelID},
	})
	require.NoError(t, err)
	require.Equal(t, "Watching", mine.DisplayName)

	// Closing moves it to the closed-workflows category; reopening moves it back.
	e.run(lead, first.ChannelID, "/devops close Fixed")
	e.requireCategory(lead, first.ChannelID, "Closed workflows")
	e.requireCategory(late, first.ChannelID, "Closed workflows")
	e.requireCategory(ops, first.ChannelID, "Watching")
	e.requireCategory(lead, second.ChannelID, "Incidents")
	e.run(lead, first.ChannelID, "/devops reopen")
	e.requireCategory(lead, first.ChannelID, "Incidents")
	e.requireCategory(late, first.ChannelID, "Incidents")

	// Someone joining a closed workflow finds it with the closed ones.
	e.run(lead, second.ChannelID, "/devops close")
	joiner := e.user("joiner")
	_, _, err = joiner.client.AddChannelMember(ctx, second.ChannelID, joiner.Id)
	require.NoError(t, err)
	e.requireCategory(joiner, second.ChannelID, "Closed workflows")

	// An empty archive category leaves closed channels where they are; turned off,
	// nothing is filed.
	t.Cleanup(func() {
		setPluginSettings(t, map[string]any{"sidebarcategories": true, "sidebararchivecategory": "Closed workflows"})
	})
	setPluginSettings(t, map[string]any{"sidebararchivecategory": ""})
	e.run(lead, release.ChannelID, "/devops close")
	time.Sleep(500 * time.Millisecond)
	in, _ := e.categoryOf(lead, release.ChannelID)
	require.Equal(t, "Releases", in)
	setPluginSettings(t, map[string]any{"sidebarcategories": false})
	third := e.start(lead, `incident "Queue backlog" --force`)
	time.Sleep(time.Second)
	in, _ = e.categoryOf(lead, third.ChannelID)
	require.Equal(t, "Channels", in)
}
