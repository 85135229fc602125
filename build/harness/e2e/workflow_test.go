package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// workflowJSON is the API's workflow as a client sees it.
type workflowJSON struct {
	ID          string            `json:"id"`
	TeamID      string            `json:"team_id"`
	ChannelID   string            `json:"channel_id"`
	ChannelName string            `json:"channel_name"`
	Type        string            `json:"type"`
	Seq         int               `json:"seq"`
	Title       string            `json:"title"`
	Severity    string            `json:"severity"`
	Stage       string            `json:"stage"`
	Status      string            `json:"status"`
	Private     bool              `json:"private"`
	LeadID      string            `json:"lead_id"`
	Roles       map[string]string `json:"roles"`
	Signoffs    []struct {
		Stage      string `json:"stage"`
		Discipline string `json:"discipline"`
		UserID     string `json:"user_id"`
		At         int64  `json:"at"`
	} `json:"signoffs"`
	CreatedAt   int64 `json:"created_at"`
	UpdatedAt   int64 `json:"updated_at"`
	ClosedAt    int64 `json:"closed_at"`
	Permissions struct {
		ChangeStage        bool     `json:"change_stage"`
		Close              bool     `json:"close"`
		SignoffDisciplines []string `json:"signoff_disciplines"`
	} `json:"permissions"`
}

// api calls the plugin's REST API and decodes a JSON answer into out (when not nil).
func api(t *testing.T, m *member, method, path string, body, out any) int {
	t.Helper()
	status, raw, err := harness.PluginRequest(m.client, method, path, body)
	require.NoError(t, err)
	if out != nil && status < 300 {
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
	if out != nil && status >= 300 {
		if e, ok := out.(*apiError); ok {
			require.NoError(t, json.Unmarshal(raw, e), string(raw))
		}
	}
	return status
}

type apiError struct {
	Error string `json:"error"`
}

// withDiscipline makes a user and declares their discipline.
func (e *env) withDiscipline(prefix, discipline string) *member {
	e.t.Helper()
	m := e.user(prefix)
	if discipline != "" {
		resp := e.run(m, e.square.Id, "/devops discipline "+discipline)
		requireContains(e.t, resp.Text, "Your discipline is now **"+discipline+"**")
	}
	return m
}

// verified makes a user whose discipline a system admin granted: one that opens gates.
func (e *env) verified(prefix, discipline string) *member {
	e.t.Helper()
	m := e.user(prefix)
	grant(e.t, admin(), m, discipline)
	return m
}

// admin is the server's system admin as a member (of no test team).
func admin() *member {
	return &member{User: srv.AdminUser, client: srv.Admin}
}

// grant grants a discipline to m as by, through the REST door, and requires success.
func grant(t *testing.T, by, m *member, discipline string) {
	t.Helper()
	var refused apiError
	status := api(t, by, http.MethodPut, "/api/v1/users/"+m.Id+"/discipline/grant", map[string]string{"discipline": discipline}, &refused)
	require.Equal(t, http.StatusOK, status, refused.Error)
}

// start runs /devops start and returns the workflow the API reports for the new channel.
func (e *env) start(m *member, args string) *workflowJSON {
	e.t.Helper()
	resp := e.run(m, e.square.Id, "/devops start "+args)
	requireContains(e.t, resp.Text, "Started ~")
	name := strings.TrimSuffix(strings.TrimPrefix(resp.Text, "Started ~"), ".")
	ch, _, err := m.client.GetChannelByName(context.Background(), name, e.team.Id, "")
	require.NoError(e.t, err)
	w := e.workflowOf(m, ch.Id)
	e.invitesSettled(w)
	return w
}

// invitesSettled waits until the start has added everyone it invites (they are
// added after it answers), so that a test adding one of them itself does not race
// the start's add: Mattermost may refuse the second of two simultaneous adds.
func (e *env) invitesSettled(w *workflowJSON) {
	e.t.Helper()
	db, err := srv.DB()
	require.NoError(e.t, err)
	eventually(e.t, 10*time.Second, func() bool {
		var n int
		require.NoError(e.t, db.QueryRow(`SELECT count(*) FROM devops_invites WHERE workflow_id = $1`, w.ID).Scan(&n))
		return n == 0
	}, "the start to add everyone it invites")
}

func (e *env) workflowOf(m *member, channelID string) *workflowJSON {
	e.t.Helper()
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&channel_id="+channelID, nil, &page))
	require.Len(e.t, page.Items, 1)
	var w workflowJSON
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/workflows/"+page.Items[0].ID, nil, &w))
	return &w
}

// lastBotPost returns the newest post in a channel.
func lastPost(t *testing.T, m *member, channelID string) *model.Post {
	t.Helper()
	posts, _, err := m.client.GetPostsForChannel(context.Background(), channelID, 0, 1, "", false, false)
	require.NoError(t, err)
	require.NotEmpty(t, posts.Order)
	return posts.Posts[posts.Order[0]]
}

// firstPost is the oldest post of a channel: a workflow's announcement, which stands
// before the system posts of the members being added however they were timed.
func firstPost(t *testing.T, m *member, channelID string) *model.Post {
	t.Helper()
	posts, _, err := m.client.GetPostsForChannel(context.Background(), channelID, 0, 200, "", false, false)
	require.NoError(t, err)
	require.NotEmpty(t, posts.Order)
	return posts.Posts[posts.Order[len(posts.Order)-1]]
}

func TestStartIncident(t *testing.T) {
	e := newEnv(t)
	ops := e.withDiscipline("ops", "operations")
	dev := e.user("dev")

	w := e.start(dev, `incident "Checkout errors in EU" --severity sev1`)
	require.Equal(t, "incident", w.Type)
	require.Equal(t, "Checkout errors in EU", w.Title)
	require.Equal(t, "sev1", w.Severity)
	require.Equal(t, "triage", w.Stage)
	require.Equal(t, "active", w.Status)
	require.Equal(t, dev.Id, w.LeadID)
	require.Equal(t, dev.Id, w.Roles["commander"])
	require.Equal(t, 1, w.Seq)
	require.Equal(t, "inc-1-checkout-errors-in-eu", w.ChannelName)
	require.NotZero(t, w.CreatedAt)
	require.Zero(t, w.ClosedAt)
	require.True(t, w.Permissions.ChangeStage)

	// The starter is a member when the start answers; the auto-invited operations
	// engineer is added just after it; the bot announced it.
	_, _, err := srv.Admin.GetChannelMember(context.Background(), w.ChannelID, dev.Id, "")
	require.NoError(t, err, "the starter is a member")
	requireMemberSoon(t, w.ChannelID, ops)
	post := firstPost(t, dev, w.ChannelID)
	requireContains(t, post.Message, "Incident 1: Checkout errors in EU", "Severity **sev1**", "@"+ops.Username)
	// Mattermost records who added whom after answering: the bot added the starter,
	// the starter's start invited ops.
	bot, _, err := srv.Admin.GetUserByUsername(context.Background(), "devops", "")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		posts, _, err := dev.client.GetPostsForChannel(context.Background(), w.ChannelID, 0, 50, "", false, false)
		require.NoError(t, err)
		added := map[string]any{}
		for _, p := range posts.Posts {
			if p.Type == model.PostTypeAddToChannel {
				added[p.GetProp(model.PostPropsAddedUserId).(string)] = p.GetProp("userId")
			}
		}
		return len(added) == 2 && added[dev.Id] == bot.Id && added[ops.Id] == dev.Id
	}, 10*time.Second, 50*time.Millisecond, "system posts: @%s added by the bot, @%s by @%s", dev.Username, ops.Username, dev.Username)

	info := e.run(dev, w.ChannelID, "/devops info")
	require.Equal(t, model.CommandResponseTypeEphemeral, info.ResponseType)
	requireContains(t, info.Text, "stage **triage**", "commander @"+dev.Username)

	second := e.start(dev, "incident Payment gateway timeouts")
	require.Equal(t, 2, second.Seq)
}

func TestReleaseGatesAndDisciplines(t *testing.T) {
	e := newEnv(t)
	designer := e.withDiscipline("designer", "designer")
	dev := e.withDiscipline("dev", "developer")
	qa := e.verified("qa", "qa")
	sec := e.verified("sec", "security")
	nobody := e.user("nobody")

	refused := e.run(designer, e.square.Id, "/devops start release Release 2.4.0")
	requireContains(t, refused.Text, "Starting a release needs the discipline developer, operations, product-manager or project-manager; yours is designer")
	refused = e.run(nobody, e.square.Id, "/devops start release Release 2.4.0")
	requireContains(t, refused.Text, "yours is not set", "/devops discipline")

	w := e.start(dev, "release Release 2.4.0")
	require.Equal(t, "planning", w.Stage)
	require.Equal(t, dev.Id, w.Roles["release-manager"])
	require.Equal(t, fmt.Sprintf("rel-%d-v2-4-0", w.Seq), w.ChannelName, "the sequence cannot be read as part of the version")
	ch, _, err := dev.client.GetChannel(context.Background(), w.ChannelID)
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("Release %d: 2.4.0", w.Seq), ch.DisplayName, "the type word is not doubled")
	require.Empty(t, e.run(dev, w.ChannelID, "/devops role qa-lead @"+qa.Username).Text)
	_, _, err = dev.client.AddChannelMember(context.Background(), w.ChannelID, sec.Id)
	require.NoError(t, err)

	// Only the lead moves stages.
	requireContains(t, e.run(qa, w.ChannelID, "/devops stage next").Text, "Only the release-manager (@"+dev.Username+")")
	for _, want := range []string{"code-freeze", "qa", "staging"} {
		require.Empty(t, e.run(dev, w.ChannelID, "/devops stage next").Text)
		require.Equal(t, want, e.workflowOf(dev, w.ChannelID).Stage)
	}
	requireContains(t, e.run(dev, w.ChannelID, "/devops stage next").Text,
		"Entering production needs a sign-off from qa and security (missing: qa and security)",
		"Who can sign: for qa: @"+qa.Username, "for security: @"+sec.Username, "`/devops signoff production`")
	// Skipping over the gate is refused too.
	requireContains(t, e.run(dev, w.ChannelID, "/devops stage done").Text, "Entering production needs a sign-off")

	requireContains(t, e.run(dev, w.ChannelID, "/devops signoff production").Text, "Signing off production needs the discipline qa or security; yours is developer")
	require.Empty(t, e.run(qa, w.ChannelID, "/devops signoff regression suite green").Text)
	requireContains(t, lastPost(t, qa, w.ChannelID).Message, "signed off **production** for **qa**. Still missing for production: security.", "> regression suite green")
	requireContains(t, e.run(qa, w.ChannelID, "/devops signoff production").Text, "qa already signed off production")
	requireContains(t, e.run(dev, w.ChannelID, "/devops stage next").Text, "(missing: security)")
	require.Empty(t, e.run(sec, w.ChannelID, "/devops signoff production scan clean").Text)
	requireContains(t, lastPost(t, sec, w.ChannelID).Message, "The gate to **production** is open: @"+dev.Username+" can move on with `/devops stage next`.")

	require.Empty(t, e.run(dev, w.ChannelID, "/devops stage next").Text)
	got := e.workflowOf(dev, w.ChannelID)
	require.Equal(t, "production", got.Stage)
	require.Len(t, got.Signoffs, 2)

	var timeline struct {
		Items []struct {
			Type    string `json:"type"`
			ActorID string `json:"actor_id"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, dev, http.MethodGet, "/api/v1/workflows/"+got.ID+"/timeline", nil, &timeline))
	var types []string
	for _, ev := range timeline.Items {
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{"created", "role_assigned", "stage_changed", "stage_changed", "stage_changed", "signoff", "signoff", "stage_changed"}, types)
}

func TestLeadAndAdminRules(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	other := e.user("other")
	teamAdmin := e.user("tadmin")
	_, err := srv.Admin.UpdateTeamMemberSchemeRoles(context.Background(), e.team.Id, teamAdmin.Id,
		&model.SchemeRoles{SchemeUser: true, SchemeAdmin: true})
	require.NoError(t, err)

	w := e.start(lead, "incident Queue backlog growing")
	_, _, err = lead.client.AddChannelMember(context.Background(), w.ChannelID, other.Id)
	require.NoError(t, err)

	cases := []struct {
		who     *member
		command string
		refused string
	}{
		{other, "/devops stage next", "Only the commander"},
		{other, "/devops role scribe @" + other.Username, "Only the commander"},
		{other, "/devops close", "Only the commander"},
		{lead, "/devops role scribe @" + other.Username, ""},
		{lead, "/devops role chef @" + other.Username, "Unknown role \"chef\" for a incident. Roles: commander, scribe, comms."},
		{lead, "/devops role comms @no-such-user", "No user @no-such-user"},
		{lead, "/devops stage nowhere", "Unknown stage \"nowhere\". Stages: triage, investigating, mitigated, resolved."},
		{teamAdmin, "/devops stage investigating", ""},
		{other, "/devops close", "Only the commander"},
		{lead, "/devops close all good", ""},
		{lead, "/devops close", "already closed"},
		{lead, "/devops stage next", "This workflow is closed"},
		{other, "/devops reopen", "Only the commander"},
		{teamAdmin, "/devops reopen", ""},
		{lead, "/devops role commander @" + other.Username, ""},
		{lead, "/devops stage next", "Only the commander (@" + other.Username + ")"},
		{other, "/devops stage next", ""},
	}
	for _, c := range cases {
		resp := e.run(c.who, w.ChannelID, c.command)
		if c.refused == "" {
			require.Empty(t, resp.Text, "%s by %s", c.command, c.who.Username)
		} else {
			requireContains(t, resp.Text, c.refused)
		}
	}
	got := e.workflowOf(lead, w.ChannelID)
	require.Equal(t, other.Id, got.LeadID)
	require.Equal(t, "mitigated", got.Stage)
	require.Equal(t, "active", got.Status)
}

func TestPrivateWorkflowsAreInvisible(t *testing.T) {
	e := newEnv(t)
	sec := e.withDiscipline("sec", "security")
	outsider := e.withDiscipline("outsider", "developer")

	w := e.start(sec, "security Token leak in logs")
	require.True(t, w.Private)
	require.Equal(t, "sec-1", w.ChannelName)
	pub := e.start(sec, "incident Public incident")

	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, outsider, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id, nil, &page))
	require.Len(t, page.Items, 1)
	require.Equal(t, pub.ID, page.Items[0].ID)

	var errBody apiError
	require.Equal(t, http.StatusNotFound, api(t, outsider, http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &errBody))
	require.Equal(t, "No such workflow.", errBody.Error)
	require.Equal(t, http.StatusNotFound, api(t, outsider, http.MethodPost, "/api/v1/workflows/"+w.ID+"/stage", map[string]string{"stage": "next"}, nil))

	var items []model.AutocompleteListItem
	require.Equal(t, http.StatusOK, api(t, outsider, http.MethodGet, "/api/v1/autocomplete/stages?channel_id="+w.ChannelID, nil, &items))
	require.Empty(t, items)
	require.Equal(t, http.StatusOK, api(t, sec, http.MethodGet, "/api/v1/autocomplete/stages?channel_id="+w.ChannelID, nil, &items))
	require.NotEmpty(t, items)

	// The list links each workflow by its channel. The outsider's answer names the
	// public one's channel, which their client does not know, so it renders as a link
	// with its display name; the private one is in neither text nor props.
	list := e.run(outsider, e.square.Id, "/devops list")
	require.NotContains(t, shown(t, list), "Token leak")
	require.NotContains(t, shown(t, list), "~"+w.ChannelName)
	requireContains(t, list.Text, "| ~"+pub.ChannelName+" | ")
	require.Equal(t, map[string]any{pub.ChannelName: map[string]any{"display_name": "Incident 1: Public incident"}},
		list.Props["channel_mentions"])
	mine := e.run(sec, e.square.Id, "/devops list")
	requireContains(t, mine.Text, "| ~"+w.ChannelName+" 🔒 | ", "| ~"+pub.ChannelName+" | ")
	require.Nil(t, mine.Props["channel_mentions"], "sec is in both channels: their client knows them")
	requireContains(t, e.run(sec, e.square.Id, "/devops list security").Text, "~"+w.ChannelName)
	require.NotContains(t, e.run(sec, e.square.Id, "/devops list security").Text, "~"+pub.ChannelName)
}

func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	channelsBefore := teamChannelCount(t, e)

	cases := map[string]string{
		"/devops start frobnicate Something":                  `Unknown workflow type "frobnicate"`,
		"/devops start incident":                              "Usage: `/devops start <type> <title>`",
		"/devops start incident " + strings.Repeat("x", 5000): "The title is 5000 characters long; the limit is 200.",
		"/devops start incident Disk full --severity sev9":    `Unknown severity "sev9" for a incident. Severities: sev1, sev2, sev3, sev4.`,
		"/devops start release 2.4 --severity sev1":           "A release has no severities",
		"/devops start incident Disk full --sev sev1":         "`--sev` is not an option; did you mean `--severity`",
		"/devops start incident Disk full -severity sev1":     "`-severity` is not an option; did you mean `--severity`",
		"/devops start incident Disk full --severity":         "`--severity` needs a value",
		"/devops satrt incident Disk full":                    "Unknown command `satrt`. Did you mean `/devops start`?",
		"/devops info":                                        "This channel is not a workflow channel",
		"/devops stage next":                                  "This channel is not a workflow channel",
		"/devops discipline wizard":                           `Unknown discipline "wizard"`,
		"/devops list --closed --closed":                      "`--closed` is given twice",
		"/devops list nonsense":                               `Unknown workflow type "nonsense"`,
	}
	for cmd, want := range cases {
		requireContains(t, e.run(dev, e.square.Id, cmd).Text, want)
	}
	require.Equal(t, channelsBefore, teamChannelCount(t, e), "no channel was created by refused starts")

	// Mentions and markdown in a title are shown as typed and notify nobody.
	w := e.start(dev, "incident @channel @all [click](http://evil.example) **boom** 🔥 ünïcode")
	require.Equal(t, "@channel @all [click](http://evil.example) **boom** 🔥 ünïcode", w.Title)
	post := firstPost(t, dev, w.ChannelID)
	require.NotContains(t, post.Message, "@channel")
	require.NotContains(t, post.Message, "@all")
	require.NotContains(t, post.Message, "](http")
	requireContains(t, post.Message, "@\u200bchannel", "\\*\\*boom\\*\\*", "🔥 ünïcode")

	// Options stand before or after the title; inside it they are text, as typed.
	w2 := e.start(dev, "--severity sev4 incident Printer on fire")
	require.Equal(t, "sev4", w2.Severity)
	w3 := e.start(dev, `incident The "--severity" flag's -- dashes are part of this title`)
	require.Equal(t, `The "--severity" flag's -- dashes are part of this title`, w3.Title)
}

func teamChannelCount(t *testing.T, e *env) int {
	t.Helper()
	db, err := srv.DB()
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM channels WHERE teamid = $1`, e.team.Id).Scan(&n))
	return n
}

func TestDuplicateGuard(t *testing.T) {
	e := newEnv(t)
	dev := e.user("dev")
	first := e.start(dev, "incident Checkout errors in EU")
	dup := e.run(dev, e.square.Id, "/devops start incident checkout errors EU")
	requireContains(t, dup.Text, "A similar incident is already active: ~"+first.ChannelName, "--force")
	forced := e.start(dev, "incident checkout errors EU --force")
	require.NotEqual(t, first.ID, forced.ID)
	// A different release version is not a duplicate.
	dev2 := e.withDiscipline("dev", "developer")
	e.start(dev2, "release Release 2.4.0")
	e.start(dev2, "release Release 2.5.0")
}

func TestRESTAPI(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	designer := e.withDiscipline("designer", "designer")

	var created workflowJSON
	require.Equal(t, http.StatusCreated, api(t, dev, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "qa", "title": "Regression for 3.1"}, &created))
	require.Equal(t, "qa", created.Type)
	require.Equal(t, "planning", created.Stage)

	var errBody apiError
	require.Equal(t, http.StatusForbidden, api(t, designer, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "release", "title": "Release 9.9"}, &errBody))
	requireContains(t, errBody.Error, "Starting a release needs the discipline")
	require.Equal(t, http.StatusBadRequest, api(t, dev, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "qa", "title": "x", "bogus": 1}, &errBody))
	requireContains(t, errBody.Error, "unknown field")

	// Identity comes only from the server: a forged header is stripped.
	anon := model.NewAPIv4Client(srv.URL)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/plugins/devops-channels/api/v1/workflows?team_id="+e.team.Id, nil)
	req.Header.Set("Mattermost-User-ID", dev.Id)
	resp, err := anon.HTTPClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// Keyset pagination walks every workflow once.
	for i := range 5 {
		require.Equal(t, http.StatusCreated, api(t, dev, http.MethodPost, "/api/v1/workflows",
			map[string]any{"team_id": e.team.Id, "type": "sprint", "title": fmt.Sprintf("Sprint %d goal %d", i, i*7)}, nil))
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		var page struct {
			Items      []*workflowJSON `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}
		require.Equal(t, http.StatusOK, api(t, dev, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&per_page=2&cursor="+cursor, nil, &page))
		for _, w := range page.Items {
			require.False(t, seen[w.ID], "no workflow twice")
			seen[w.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	require.Len(t, seen, 6)
	require.Equal(t, http.StatusBadRequest, api(t, dev, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&cursor=garbage!", nil, nil))
	require.Equal(t, http.StatusBadRequest, api(t, dev, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&status=maybe", nil, nil))
}

func TestConcurrentStarts(t *testing.T) {
	e := newEnv(t)
	const n = 16
	users := make([]*member, n)
	for i := range users {
		users[i] = e.user("racer")
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _, err := u.client.ExecuteCommandWithTeam(context.Background(), e.square.Id, e.team.Id,
				fmt.Sprintf("/devops start incident Outage number %d in region %d", i, i*31))
			if err == nil && !strings.HasPrefix(resp.Text, "Started ~") {
				err = fmt.Errorf("unexpected answer: %s", resp.Text)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	db, err := srv.DB()
	require.NoError(t, err)
	var count, seqs, channels, maxSeq int
	require.NoError(t, db.QueryRow(`SELECT count(*), count(DISTINCT seq), count(DISTINCT channel_id), max(seq)
		FROM devops_workflows WHERE team_id = $1`, e.team.Id).Scan(&count, &seqs, &channels, &maxSeq))
	require.Equal(t, []int{n, n, n, n}, []int{count, seqs, channels, maxSeq})
}

func TestAdminDisciplineMapping(t *testing.T) {
	e := newEnv(t)
	mapped := e.user("mapped")
	setPluginSetting(t, "disciplinemapping", mapped.Username+": qa")
	defer setPluginSetting(t, "disciplinemapping", "")
	requireContains(t, e.run(mapped, e.square.Id, "/devops discipline").Text, "**qa** (mapped by a system admin; verified)")
	requireContains(t, e.run(mapped, e.square.Id, "/devops discipline developer").Text, "A system admin mapped your discipline to qa")

	// A bad setting is refused by the System Console save and the last good one stays.
	cfg, _, err := srv.Admin.GetConfig(context.Background())
	require.NoError(t, err)
	cfg.PluginSettings.Plugins[harness.PluginID]["disciplinemapping"] = "someone: wizard"
	_, _, err = srv.Admin.UpdateConfig(context.Background(), cfg)
	require.Error(t, err)
	requireContains(t, err.Error(), "DisciplineMapping", "wizard")
	requireContains(t, e.run(mapped, e.square.Id, "/devops discipline").Text, "**qa**")
}

func setPluginSetting(t *testing.T, key, value string) {
	t.Helper()
	require.NoError(t, srv.SetPluginSetting(key, value))
	time.Sleep(200 * time.Millisecond) // the plugin applies the change asynchronously
}

func TestStartDialog(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	designer := e.withDiscipline("designer", "designer")

	// No arguments opens the form (the answer itself is empty).
	require.Empty(t, e.run(dev, e.square.Id, "/devops start").Text)

	submit := func(m *member, submission map[string]any) (int, map[string]any) {
		var out map[string]any
		status := api(t, m, http.MethodPost, "/api/v1/dialog/start",
			map[string]any{"type": "dialog_submission", "callback_id": "start", "team_id": e.team.Id, "channel_id": e.square.Id, "submission": submission}, &out)
		return status, out
	}
	status, out := submit(dev, map[string]any{"type": "release", "title": "Release 7.1.0", "private": false})
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, out["error"])
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, dev, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&q=7.1.0", nil, &page))
	require.Len(t, page.Items, 1)
	require.Equal(t, dev.Id, page.Items[0].LeadID)

	// A refusal comes back in the form, and nothing is created.
	status, out = submit(designer, map[string]any{"type": "release", "title": "Release 7.2.0"})
	require.Equal(t, http.StatusOK, status)
	requireContains(t, fmt.Sprint(out["error"]), "Starting a release needs the discipline")
	require.Equal(t, http.StatusOK, api(t, dev, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&q=7.2.0", nil, &page))
	require.Empty(t, page.Items)
}

// Every bad setting saved through the API (as the System Console does) is refused with
// a message naming its field, and the configuration in force stays.
func TestBadSettingsAreRefused(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	bad := []struct{ field, value string }{
		{"CommandTrigger", "echo"},
		{"EnabledTypes", "incident, party"},
		{"TemplateOverrides", `{"release": {"stages": []}}`},
		{"DisciplineMapping", "alice: wizard"},
		{"BroadcastChannels", "incident: not-a-channel"},
		{"ReminderCadence", "sev1=soon"},
		{"TimelineEmoji", "push pin"},
		{"WorkingHours", "9-5"},
		{"WebhookSecret", "short"},
		{"WebhookFallbackChannel", "town-square"},
	}
	for _, b := range bad {
		err := srv.SetPluginSetting(strings.ToLower(b.field), b.value) // the server stores keys in lower case
		require.Error(t, err, b.field)
		requireContains(t, err.Error(), b.field+":")
	}
	// Nothing changed: the command still answers on its trigger, every type still starts.
	requireContains(t, e.run(dev, e.square.Id, "/devops help").Text, "/devops start")
	e.start(dev, "release Release 8.0.0")
}
