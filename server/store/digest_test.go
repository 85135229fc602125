package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/config"
)

// digestPlatform is the Mattermost a scheduler tick sees in TestDigestWithAClock: its
// people and the direct messages the bot sends them. The database is real; only
// Mattermost's clock cannot be set, so this test does not run against the server
// (the e2e test does, at the time it runs).
type digestPlatform struct {
	app.Platform
	users map[string]*model.User
	mu    sync.Mutex
	sent  map[string][]time.Time // by user: the tick times of the digests they got
	now   *time.Time
}

func (p *digestPlatform) GetUser(id string) (*model.User, error) {
	if u, ok := p.users[id]; ok {
		return u, nil
	}
	return nil, fmt.Errorf("no user %s", id)
}
func (p *digestPlatform) GetUserCached(id string) (*model.User, error) { return p.GetUser(id) }
func (p *digestPlatform) HasPermissionToTeam(string, string, *model.Permission) bool {
	return true
}
func (p *digestPlatform) SiteURL() string                         { return "https://chat.example.com" }
func (p *digestPlatform) BotID() string                           { return "bot" }
func (p *digestPlatform) LogError(string, ...any)                 {}
func (p *digestPlatform) AddChannelMember(_, _, _ string) error   { return nil }
func (p *digestPlatform) DirectChannel(id string) (string, error) { return "dm-" + id, nil }
func (p *digestPlatform) CreatePost(post *model.Post) (*model.Post, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.Contains(post.Message, "what waits for you today") {
		user := strings.TrimPrefix(post.ChannelId, "dm-")
		p.sent[user] = append(p.sent[user], *p.now)
	}
	return post, nil
}

func zoned(username, zone string) *model.User {
	return &model.User{Id: model.NewId(), Username: username, Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": zone}}
}

// The daily digest, with a clock the test turns: each person's comes at 09:00 on their
// own clock (Tokyo, Berlin, New York), once per local day although two nodes tick at
// the same moments, none for someone who turned it off or for whom nothing waits.
func TestDigestWithAClock(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	exec(t, s, `CREATE TABLE IF NOT EXISTS teams (id VARCHAR(26) PRIMARY KEY, name VARCHAR(64))`)
	settings, err := config.Defaults().Parse() // working hours 09:00-17:00
	require.NoError(t, err)
	tokyo, berlin, newYork := zoned("tokyo", "Asia/Tokyo"), zoned("berlin", "Europe/Berlin"), zoned("ny", "America/New_York")
	off, idle := zoned("off", "Asia/Tokyo"), zoned("idle", "Asia/Tokyo")
	everyone := []*model.User{tokyo, berlin, newYork, off, idle}
	team := model.NewId()
	exec(t, s, `INSERT INTO teams VALUES ($1, 'ops')`, team)
	users := map[string]*model.User{}
	for _, u := range everyone {
		users[u.Id] = u
		exec(t, s, `INSERT INTO users (id, username) VALUES ($1, $2)`, u.Id, u.Username)
		exec(t, s, `INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, u.Id)
	}
	require.NoError(t, s.SetDigest(ctx, off.Id, false, 1))

	// Wednesday 2030-12-04, 00:00 UTC: 09:00 in Tokyo.
	start := time.Date(2030, 12, 4, 0, 0, 0, 0, time.UTC)
	w := newWorkflow(team, "incident", 1, start.Add(-time.Hour).UnixMilli())
	w.LeadID, w.Severity = idle.Id, "sev3" // a 2h cadence, first due at 01:00 UTC: idle has a status update due then
	require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	task := &app.Task{Text: "Review the failover runbook", Stage: "triage", CreatedBy: idle.Id}
	task.SetAssignees([]string{tokyo.Id, berlin.Id, newYork.Id, off.Id})
	_, err = s.UpdateWorkflow(ctx, w.ID, func(w *app.Workflow) ([]app.TimelineEvent, error) {
		w.NewTasks = []*app.Task{task}
		return nil, nil
	})
	require.NoError(t, err)
	// Idle's workflow gets a status update at each tick: nothing ever waits for him.
	statusNow := func(at time.Time) {
		_, err := s.UpdateWorkflow(ctx, w.ID, func(w *app.Workflow) ([]app.TimelineEvent, error) {
			w.LastStatus = &app.StatusUpdate{Text: "fine", UserID: idle.Id, At: at.UnixMilli()}
			return nil, nil
		})
		require.NoError(t, err)
	}

	now := start
	platform := &digestPlatform{users: users, sent: map[string][]time.Time{}, now: &now}
	get := func() *app.Settings { return settings }
	nodes := []*app.Service{
		app.NewService(s, platform, get, app.NewBackground(platform)),
		app.NewService(s, platform, get, app.NewBackground(platform)),
	}
	for ; !now.After(start.Add(24*time.Hour + 10*time.Minute)); now = now.Add(10 * time.Minute) {
		statusNow(now)
		errs := make(chan error, len(nodes))
		for _, node := range nodes { // two nodes tick at the same moment
			go func() {
				_, _, err := node.RunScheduled(ctx, now)
				errs <- err
			}()
		}
		for range nodes {
			require.NoError(t, <-errs)
		}
	}

	at := func(hhmm string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", hhmm)
		require.NoError(t, err)
		return tm
	}
	require.Equal(t, []time.Time{at("2030-12-04 00:00"), at("2030-12-05 00:00")}, platform.sent[tokyo.Id], "09:00 in Tokyo, Wednesday and Thursday")
	require.Equal(t, []time.Time{at("2030-12-04 08:00")}, platform.sent[berlin.Id], "09:00 in Berlin (UTC+1)")
	require.Equal(t, []time.Time{at("2030-12-04 14:00")}, platform.sent[newYork.Id], "09:00 in New York (UTC-5)")
	require.Empty(t, platform.sent[off.Id], "turned off")
	require.Empty(t, platform.sent[idle.Id], "nothing waited for him at 09:00")
	var claims int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM devops_digests WHERE user_id = $1`, idle.Id).Scan(&claims))
	require.Equal(t, 2, claims, "his mornings were looked at, once each")
}
