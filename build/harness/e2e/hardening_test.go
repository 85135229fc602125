package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/shared/markdown"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// Twelve simultaneous starts of one title by twelve people make one workflow: one
// 201, eleven 409s naming it, as a start after it would get.
func TestHardeningSimultaneousStartsMakeOneWorkflow(t *testing.T) {
	e := newEnv(t)
	const n = 12
	users := make([]*member, n)
	for i := range users {
		users[i] = e.user("racer")
	}
	statuses := make(chan int, n)
	bodies := make(chan []byte, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, raw, err := harness.PluginRequest(u.client, http.MethodPost, "/api/v1/workflows",
				map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Checkout returns 502 in EU"})
			if err != nil {
				status = 0
			}
			statuses <- status
			bodies <- raw
		}()
	}
	close(start) // all at once
	wg.Wait()
	close(statuses)
	close(bodies)
	created, conflicts := 0, 0
	var winner workflowJSON
	for status := range statuses {
		raw := <-bodies
		switch status {
		case http.StatusCreated:
			created++
			require.NoError(t, json.Unmarshal(raw, &winner))
		case http.StatusConflict:
			conflicts++
			requireContains(t, string(raw), "A similar incident is already active")
		default:
			t.Errorf("a start answered %d: %s", status, raw)
		}
	}
	require.Equal(t, 1, created, "one start of %d", n)
	require.Equal(t, n-1, conflicts)

	var refusal apiError
	require.Equal(t, http.StatusConflict, api(t, users[0], http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "incident", "title": "checkout returns 502 in EU"}, &refusal))
	requireContains(t, refusal.Error, "A similar incident is already active: ~"+winner.ChannelName, "--force")
	require.Equal(t, http.StatusCreated, api(t, users[1], http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Checkout returns 502 in EU", "force": true}, nil), "--force still starts another")

	db, err := srv.DB()
	require.NoError(t, err)
	var count, maxSeq int
	require.NoError(t, db.QueryRow(`SELECT count(*), max(seq) FROM devops_workflows WHERE team_id = $1`, e.team.Id).Scan(&count, &maxSeq))
	require.Equal(t, []int{2, 2}, []int{count, maxSeq}, "the refused starts left no workflow and took no number")
}

// botPostsSince returns the bot's posts in a channel after since, oldest first,
// checking each fits what Mattermost accepts.
func botPostsSince(t *testing.T, m *member, channelID string, since int64) []string {
	t.Helper()
	posts, _, err := m.client.GetPostsSince(context.Background(), channelID, since, false)
	require.NoError(t, err)
	list := posts.ToSlice()
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		p := list[i]
		if p.Type != "" || p.UserId == m.Id {
			continue
		}
		require.LessOrEqual(t, utf8.RuneCountInString(p.Message), model.PostMessageMaxRunesV2)
		out = append(out, p.Message)
	}
	return out
}

// A handoff whose note and open tasks, escaped, are longer than a post arrives whole
// in several; a note over the limit is refused with the limit. A retrospective over
// tasks full of < posts, in parts.
func TestHardeningLongPostsAreDelivered(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	next := e.user("next")
	w := e.start(lead, "incident Search is down")
	_, _, err := srv.Admin.AddChannelMember(context.Background(), w.ChannelID, next.Id)
	require.NoError(t, err)
	path := "/api/v1/workflows/" + w.ID
	for i := 0; i < 12; i++ {
		// 400 characters, 1,600 once escaped.
		require.Equal(t, http.StatusCreated, api(t, lead, http.MethodPost, path+"/tasks",
			map[string]any{"text": fmt.Sprintf("%d %s", i, strings.Repeat("<", 396))}, nil))
	}
	status := strings.Repeat("Rolled back the index <v2>; watching latency.\n", 90)[:3999]
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPost, path+"/status", map[string]any{"text": status}, nil))

	var refusal apiError
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, path+"/handoff",
		map[string]any{"username": next.Username, "note": strings.Repeat("n", 20000)}, &refusal))
	require.Equal(t, "The handoff note is 20000 characters long; the limit is 4000.", refusal.Error)
	requireContains(t, e.run(lead, w.ChannelID, "/devops help").Text, "a note has at most 4000 characters")

	var note strings.Builder
	for i := 0; note.Len() < 3900; i++ {
		fmt.Fprintf(&note, "line %03d: check <shard-%d> before 06:00\n", i, i)
	}
	before := model.GetMillis()
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPost, path+"/handoff",
		map[string]any{"username": next.Username, "note": note.String()}, nil))
	posts := botPostsSince(t, lead, w.ChannelID, before)
	require.GreaterOrEqual(t, len(posts), 2, "split in several posts")
	all := strings.Join(posts, "\n")
	requireContains(t, all, "Handoff:", "Open tasks (15)", "Rolled back the index")
	requireOpenTasksWhole(t, all)
	for _, line := range strings.Split(strings.TrimSpace(note.String()), "\n") {
		requireContains(t, all, "> "+line)
	}

	before = model.GetMillis()
	require.Equal(t, http.StatusOK, api(t, next, http.MethodPost, path+"/close", map[string]any{"summary": "Fixed"}, nil))
	posts = botPostsSince(t, lead, w.ChannelID, before)
	all = strings.Join(posts, "\n")
	require.GreaterOrEqual(t, len(posts), 3, "the close post and a retrospective in parts")
	requireContains(t, all, "Retrospective — Incident", "**Tasks:** 0 done, 15 open", "**Timeline** (UTC):", "**Closed** (@\u200b"+next.Username+") — Closed by @\u200b"+next.Username, "> Fixed")
	requireOpenTasksWhole(t, all)
}

// requireOpenTasksWhole: the seven of the twelve long tasks a list of ten open tasks
// shows (after the three of the triage checklist) are there, every < of them.
func requireOpenTasksWhole(t *testing.T, posted string) {
	t.Helper()
	for i := 0; i < 7; i++ {
		requireContains(t, posted, fmt.Sprintf("%d %s", i, strings.Repeat("&lt;", 396)))
	}
}

// Values out of range get a 4xx with a message, never a 500 or a wrong date; text
// is stored as it reads and shown without links.
func TestHardeningBadValues(t *testing.T) {
	e := newEnv(t)
	lead := e.user("lead")
	w := e.start(lead, "incident Deploy \u202egnp.exe\u202c to www.example.com")
	require.Equal(t, "Deploy gnp.exe to www.example.com", w.Title, "bidi controls are dropped")
	path := "/api/v1/workflows/" + w.ID

	for _, msg := range botPostsSince(t, lead, w.ChannelID, 0) {
		markdown.Inspect(msg, func(node any) bool {
			if a, ok := node.(*markdown.Autolink); ok {
				t.Errorf("the title links to %s in:\n%s", a.Destination(), msg)
			}
			return true
		})
	}

	checklist := len(e.tasks(lead, w.ID))
	requireContains(t, e.run(lead, w.ChannelID, "/devops task add Rotate keys --due 999999w").Text, "too far ahead")
	var refusal apiError
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, path+"/tasks", map[string]any{"text": "x", "due": "999999w"}, &refusal))
	requireContains(t, refusal.Error, "The due time 999999w is too far ahead")
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, path+"/tasks", map[string]any{"text": "x", "due": "9999-12-31"}, &refusal))
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, path+"/tasks", map[string]any{"text": "x", "due_at": int64(1) << 62}, &refusal))
	requireContains(t, refusal.Error, "The due time due_at is too far ahead")
	require.Len(t, e.tasks(lead, w.ID), checklist, "nothing stored")

	requireContains(t, e.run(lead, w.ChannelID, "/devops task done 99999999999").Text, "No task #99999999999")
	require.Equal(t, http.StatusNotFound, api(t, lead, http.MethodPatch, path+"/tasks/99999999999", map[string]any{"done": true}, &refusal))
	requireContains(t, refusal.Error, "No task #99999999999")
	require.Equal(t, http.StatusNotFound, api(t, lead, http.MethodPatch, path+"/tasks/2147483648", map[string]any{"done": true}, nil))

	for _, bad := range []string{"%00", "%ff", "x", strings.Repeat("a", 27)} {
		status := api(t, lead, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&channel_id="+bad, nil, &refusal)
		require.Equal(t, http.StatusBadRequest, status, bad)
		requireContains(t, refusal.Error, "channel_id must be a Mattermost id")
	}
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodGet, "/api/v1/stats?team_id=%00", nil, nil))
}
