package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/app"
)

// floorPressAction is the floor button's action id (build/floorplugin).
const floorPressAction = "floorpress"

// buttonFigures measures pressing a button on a bot post through Mattermost, as every
// client does (POST /posts/{id}/actions/{action}), against pressing the floor
// plugin's button, which only updates its post in place, alternating in the same
// run. Each of our presses is a real change on its own post: Next stage on a fresh
// incident's first post, Done on an open task's post; afterwards the store must show
// every one, so a quick refusal cannot pass for a fast press.
func (b *bench) buttonFigures(ctx context.Context) []result {
	n := max(b.cfg.samples/8, 20)
	// compare warms each side up first with max(n/10, 2) presses.
	posts := n + max(n/10, 2)
	floor, err := b.floorButton(ctx)
	var out []result
	for _, fig := range []struct {
		action  string
		prepare func(context.Context, int) ([]string, func(context.Context) (int, error), error)
	}{
		{app.ActionStageNext, b.stageNextPosts},
		{app.ActionTaskDone, b.taskDonePosts},
	} {
		fg := figure{name: "press " + fig.action, floor: "press the floor's button", conc: 1, target: target{ratioP50: 1.3}}
		var o, f side
		var ids []string
		var changed func(context.Context) (int, error)
		if err == nil {
			ids, changed, err = fig.prepare(ctx, posts)
		}
		if err == nil {
			var next atomic.Int64
			ours := func(ctx context.Context, w int) error {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return errors.New("more presses than prepared posts")
				}
				return b.press(ctx, w, ids[i], fig.action)
			}
			o, f, err = compare(ctx, ours, func(ctx context.Context, w int) error { return b.press(ctx, w, floor, floorPressAction) }, 1, n, rounds)
			if err == nil {
				err = requireChanged(ctx, changed, int(next.Load()), fig.action)
			}
		}
		out = append(out, fg.outcome(o, f, err))
		err = nil
	}
	if floor != "" {
		out = append(out, b.joinPressFigure(ctx, floor))
	}
	return out
}

func (b *bench) press(ctx context.Context, w int, postID, action string) error {
	_, err := b.clients[w].DoPostActionWithCookie(ctx, postID, action, "", "")
	return errors.Wrapf(err, "press %s", action)
}

func requireChanged(ctx context.Context, changed func(context.Context) (int, error), want int, action string) error {
	got, err := changed(ctx)
	if err != nil {
		return err
	}
	if got != want {
		return errors.Errorf("%d of %d presses of %s changed the workflow", got, want, action)
	}
	return nil
}

// floorButton posts the floor's button in the town square and returns the post.
func (b *bench) floorButton(ctx context.Context) (string, error) {
	resp, err := b.command(ctx, 0, b.square, "/floor button")
	if err != nil {
		return "", err
	}
	if !model.IsValidId(resp.Text) {
		return "", errors.Errorf("/floor button answered %q, not a post id (make floor-bundle)", firstLine(resp.Text))
	}
	return resp.Text, nil
}

// offering is the newest of a channel's last posts that offers an action.
func (b *bench) offering(ctx context.Context, channelID, action string) (string, error) {
	posts, _, err := b.clients[0].GetPostsForChannel(ctx, channelID, 0, 10, "", false, false)
	if err != nil {
		return "", errors.Wrap(err, "read the channel's posts")
	}
	for _, id := range posts.Order {
		for _, a := range posts.Posts[id].Attachments() {
			if slices.ContainsFunc(a.Actions, func(act *model.PostAction) bool { return act.Id == action }) {
				return id, nil
			}
		}
	}
	return "", unavailable("no post offers %s", action)
}

// stageNextPosts starts n incidents and returns their first posts, and how many of
// them have moved on from triage.
func (b *bench) stageNextPosts(ctx context.Context, n int) ([]string, func(context.Context) (int, error), error) {
	prefix := "Bench press " + model.NewId()[:8]
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		raw, err := b.pluginCall(ctx, 0, http.MethodPost, harness.PluginID, "/api/v1/workflows", jsonBody(map[string]any{
			"team_id": b.team.Id, "type": "incident", "title": fmt.Sprintf("%s %s", prefix, model.NewId()), "force": true,
		}))
		if err != nil {
			return nil, nil, errors.Wrap(err, "start an incident to press Next stage on")
		}
		var w struct {
			ChannelID string `json:"channel_id"`
		}
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, nil, errors.Wrap(err, "decode the started workflow")
		}
		id, err := b.offering(ctx, w.ChannelID, app.ActionStageNext)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	moved := func(ctx context.Context) (int, error) {
		db, err := b.srv.DB()
		if err != nil {
			return 0, err
		}
		var count int
		err = db.QueryRowContext(ctx, `SELECT count(*) FROM devops_workflows WHERE title LIKE $1 AND stage <> 'triage'`, prefix+"%").Scan(&count)
		return count, errors.Wrap(err, "count the moved workflows")
	}
	return ids, moved, nil
}

// taskDonePosts adds n tasks to a new incident and returns their posts, and how many
// of the tasks are done.
func (b *bench) taskDonePosts(ctx context.Context, n int) ([]string, func(context.Context) (int, error), error) {
	raw, err := b.pluginCall(ctx, 0, http.MethodPost, harness.PluginID, "/api/v1/workflows", jsonBody(map[string]any{
		"team_id": b.team.Id, "type": "incident", "title": "Bench tasks " + model.NewId(), "force": true,
	}))
	if err != nil {
		return nil, nil, errors.Wrap(err, "start an incident to tick tasks in")
	}
	var w struct {
		ID        string `json:"id"`
		ChannelID string `json:"channel_id"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, nil, errors.Wrap(err, "decode the started workflow")
	}
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if _, err := b.pluginCall(ctx, 0, http.MethodPost, harness.PluginID, "/api/v1/workflows/"+w.ID+"/tasks",
			jsonBody(map[string]any{"text": fmt.Sprintf("Bench task %d", i)})); err != nil {
			return nil, nil, errors.Wrap(err, "add a task")
		}
		id, err := b.offering(ctx, w.ChannelID, app.ActionTaskDone)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	done := func(ctx context.Context) (int, error) {
		db, err := b.srv.DB()
		if err != nil {
			return 0, err
		}
		var count int
		err = db.QueryRowContext(ctx, `SELECT count(*) FROM devops_tasks WHERE workflow_id = $1 AND done AND text LIKE 'Bench task %'`, w.ID).Scan(&count)
		return count, errors.Wrap(err, "count the done tasks")
	}
	return ids, done, nil
}

func jsonBody(v any) *strings.Reader {
	raw, _ := json.Marshal(v)
	return strings.NewReader(string(raw))
}

// joinPressFigure measures pressing Join on a broadcast post (a public incident's
// start, posted in the town square as the incident's broadcast channel) against the
// floor's button. The workers other than the starter take turns: each press must
// join its presser (checked after the press, untimed, before the presser leaves again
// for their next turn).
func (b *bench) joinPressFigure(ctx context.Context, floor string) result {
	fg := figure{name: "press " + app.ActionJoin + " on a broadcast post", floor: "press the floor's button", conc: 1, target: target{ratioP50: 1.3}}
	if err := b.srv.SetPluginSetting("broadcastchannels", "incident: "+b.square); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "make the town square the incidents' broadcast channel"))
	}
	defer func() { _ = b.srv.SetPluginSetting("broadcastchannels", "") }()
	time.Sleep(time.Second) // the plugin applies a setting asynchronously
	title := "Bench join " + model.NewId()
	if _, err := b.command(ctx, 0, b.square, fmt.Sprintf("/devops start incident %q", title)); err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	channel, err := b.seeder.channelOf(ctx, title)
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	var post string
	for deadline := time.Now().Add(10 * time.Second); post == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		post, err = b.offering(ctx, b.square, app.ActionJoin)
	}
	if post == "" {
		return fg.outcome(side{}, side{}, err)
	}
	pressers := len(b.users) - 1
	left := make([]chan error, pressers)
	for i := range left {
		left[i] = make(chan error, 1)
		left[i] <- nil
	}
	var turn atomic.Int64
	ours := func(ctx context.Context, _ int) error {
		j := int(turn.Add(1)) % pressers
		if err := <-left[j]; err != nil {
			return err
		}
		w := j + 1
		if err := b.press(ctx, w, post, app.ActionJoin); err != nil {
			return err
		}
		go func() {
			bg := context.WithoutCancel(ctx)
			if _, _, err := b.clients[w].GetChannelMember(bg, channel, b.users[w].Id, ""); err != nil {
				left[j] <- errors.Wrap(err, "a press of join did not join its presser")
				return
			}
			_, err := b.clients[w].RemoveUserFromChannel(bg, channel, b.users[w].Id)
			left[j] <- errors.Wrap(err, "leave after joining")
		}()
		return nil
	}
	n := max(b.cfg.samples/8, 20)
	o, f, err := compare(ctx, ours, func(ctx context.Context, w int) error { return b.press(ctx, w, floor, floorPressAction) }, 1, n, rounds)
	for _, l := range left {
		if lerr := <-l; err == nil {
			err = lerr
		}
	}
	return fg.outcome(o, f, err)
}
