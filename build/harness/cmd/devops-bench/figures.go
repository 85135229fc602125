package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/store"
)

const (
	floorCommand = "/floor x"
	// rounds is how many alternating rounds a command comparison is split into.
	rounds = 20
	// Bounds from issue 7.
	maxRSSBytes    = 40_000_000
	rssTarget      = "≤ 40 MB"
	maxBundleBytes = 50_000
	bundleTarget   = "≤ 50 KB"
	maxListP95MS   = 15
	maxListGrowth  = 1.5
)

// listSizes are the store sizes GET /workflows is measured at.
var listSizes = []int{1_000, 10_000, 100_000}

// command runs a slash command as worker w's user and fails as "not available" when
// the plugin does not know the subcommand yet.
func (b *bench) command(ctx context.Context, w int, channelID, text string) (*model.CommandResponse, error) {
	if strings.HasPrefix(text, "/devops") {
		b.devopsCommands.Add(1)
	}
	resp, _, err := b.clients[w].ExecuteCommandWithTeam(ctx, channelID, b.team.Id, text)
	if err != nil {
		return nil, errors.Wrapf(err, "run %q", text)
	}
	if strings.Contains(resp.Text, "Unknown command") {
		return resp, unavailable("%q answers %q", text, firstLine(resp.Text))
	}
	return resp, nil
}

func (b *bench) commandOp(channelID, text string) op {
	return func(ctx context.Context, w int) error {
		_, err := b.command(ctx, w, channelID, text)
		return err
	}
}

// pluginGet calls a plugin's HTTP route as worker w's user.
func (b *bench) pluginGet(ctx context.Context, w int, pluginID, path string) ([]byte, error) {
	return b.pluginCall(ctx, w, http.MethodGet, pluginID, path, nil)
}

// pluginCall makes a request to a plugin's HTTP route as worker w's user; any 2xx
// is success.
func (b *bench) pluginCall(ctx context.Context, w int, method, pluginID, path string, body io.Reader) ([]byte, error) {
	c := b.clients[w]
	req, err := http.NewRequestWithContext(ctx, method, c.URL+"/plugins/"+pluginID+path, body)
	if err != nil {
		return nil, errors.Wrap(err, "build request")
	}
	req.Header.Set("Authorization", "Bearer "+c.AuthToken)
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %s", method, path)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, errors.Wrapf(err, "read %s", path)
	}
	switch {
	case resp.StatusCode/100 == 2:
		return raw, nil
	case resp.StatusCode == http.StatusNotFound:
		return nil, unavailable("%s %s answers 404 %s", method, path, firstLine(string(raw)))
	default:
		return nil, errors.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, firstLine(string(raw)))
	}
}

func (b *bench) pluginGetOp(pluginID, path string) op {
	return func(ctx context.Context, w int) error {
		_, err := b.pluginGet(ctx, w, pluginID, path)
		return err
	}
}

// listFigures measures a page of GET /workflows at each store size against the
// floor's ping, and how the p95 grows from the smallest store to the largest.
func (b *bench) listFigures(ctx context.Context) ([]result, check) {
	path := "/api/v1/workflows?team_id=" + b.team.Id + "&status=active&per_page=50"
	ours, floor := b.pluginGetOp(harness.PluginID, path), b.pluginGetOp(floorID, "/ping")
	var out []result
	p95 := map[int]float64{}
	for _, size := range listSizes {
		fg := figure{name: fmt.Sprintf("GET /workflows page of 50, %dk in store", size/1000), floor: "GET /plugins/devops-floor/ping", conc: 1}
		if size == listSizes[len(listSizes)-1] {
			fg.target = target{p95MS: maxListP95MS}
		}
		err := b.seeder.fill(ctx, size)
		if err == nil {
			err = b.probeList(ctx, path)
		}
		var o, f side
		if err == nil {
			o, f, err = compare(ctx, ours, floor, 1, b.cfg.samples/2, rounds)
		}
		r := fg.outcome(o, f, err)
		if r.P95 != nil {
			p95[size] = *r.P95
		}
		out = append(out, r)
	}
	smallest, largest := listSizes[0], listSizes[len(listSizes)-1]
	name := fmt.Sprintf("GET /workflows p95 growth %dk→%dk", smallest/1000, largest/1000)
	targetText := fmt.Sprintf("≤ %g×", maxListGrowth)
	if p95[smallest] == 0 || p95[largest] == 0 {
		return out, check{Name: name, Unit: "×", Target: targetText, Status: "not available: the list was not measured"}
	}
	return out, newCheck(name, "×", p95[largest]/p95[smallest], maxListGrowth, targetText)
}

// probeList makes sure the page is what we mean to measure: a full page of 50.
func (b *bench) probeList(ctx context.Context, path string) error {
	body, err := b.pluginGet(ctx, 0, harness.PluginID, path)
	if err != nil {
		return err
	}
	var page struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor string            `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return errors.Wrapf(err, "decode %s", path)
	}
	if len(page.Items) != 50 {
		return errors.Errorf("GET %s gave %d items, not a page of 50", path, len(page.Items))
	}
	logf("GET /workflows: %d items, next_cursor %t", len(page.Items), page.NextCursor != "")
	return nil
}

// startFigure measures /devops start against what a user would do by hand — create
// a channel and post in it — alternating one of each. Starts go without --force, so
// the duplicate guard runs as it does for users; the titles share no words, so it
// lets them through. It first starts the workflow whose channel the info figures
// use, and returns that channel ("" if none).
func (b *bench) startFigure(ctx context.Context) (result, string) {
	fg := figure{name: "/devops start", floor: "REST CreateChannel + CreatePost", conc: 1, target: target{ratioP50: 1.5}}
	channel, err := b.startWorkflow(ctx, "Benchmark info target")
	if err != nil {
		return fg.outcome(side{}, side{}, err), ""
	}
	const titlePrefix = "Bench start "
	var starts, raws atomic.Int64
	var lastAnswer atomic.Value
	ours := func(ctx context.Context, w int) error {
		starts.Add(1)
		title := titlePrefix + strings.Join([]string{model.NewId(), model.NewId(), model.NewId()}, " ")
		resp, err := b.command(ctx, w, b.square, fmt.Sprintf("/devops start incident %q", title))
		if resp != nil {
			lastAnswer.Store(firstLine(resp.Text))
		}
		return err
	}
	raw := func(ctx context.Context, w int) error {
		i := raws.Add(1)
		ch, _, err := b.clients[w].CreateChannel(ctx, &model.Channel{
			TeamId: b.team.Id, Type: model.ChannelTypeOpen,
			Name: fmt.Sprintf("raw-%d-%s", i, model.NewId()[:8]), DisplayName: fmt.Sprintf("Raw baseline %d", i),
		})
		if err != nil {
			return errors.Wrap(err, "create channel")
		}
		_, _, err = b.clients[w].CreatePost(ctx, &model.Post{ChannelId: ch.Id, Message: "Raw baseline: the first post"})
		return errors.Wrap(err, "create post")
	}
	samples := max(b.cfg.samples/25, 10)
	o, f, err := compare(ctx, ours, raw, 1, samples, samples)
	if err == nil {
		err = b.checkStarted(ctx, titlePrefix, int(starts.Load()), lastAnswer.Load())
	}
	return fg.outcome(o, f, err), channel
}

// startWorkflow starts an incident as worker 0, adds every worker to its channel
// and returns the channel.
func (b *bench) startWorkflow(ctx context.Context, title string) (string, error) {
	resp, err := b.command(ctx, 0, b.square, fmt.Sprintf("/devops start incident %q", title))
	if err != nil {
		return "", err
	}
	channel, err := b.seeder.channelOf(ctx, title)
	if errors.Is(err, sql.ErrNoRows) {
		return "", unavailable("/devops start made no workflow; it answered %q", firstLine(resp.Text))
	}
	if err != nil {
		return "", err
	}
	for _, u := range b.users[1:] {
		if _, _, err := b.srv.Admin.AddChannelMember(ctx, channel, u.Id); err != nil {
			return "", errors.Wrap(err, "add a worker to the workflow channel")
		}
	}
	return channel, nil
}

// checkStarted fails unless every measured start made a workflow: a quick refusal
// must not pass for a fast start.
func (b *bench) checkStarted(ctx context.Context, titlePrefix string, want int, lastAnswer any) error {
	got, err := b.seeder.countTitled(ctx, titlePrefix)
	if err != nil {
		return err
	}
	if got != want {
		return errors.Errorf("%d of %d starts made a workflow; the last answered %q", got, want, lastAnswer)
	}
	return nil
}

// commandFigures measures the read-only commands at c=1 and c=16 against /floor in
// the same channel. At c=1 it also measures the floor answering the command's own
// answer (see answerFigures).
func (b *bench) commandFigures(ctx context.Context, workflowChannel string) []result {
	var out []result
	for _, c := range []struct{ cmd, channel string }{
		{"/devops info", workflowChannel},
		{"/devops list", b.square},
	} {
		for _, conc := range []int{1, workers} {
			fg := figure{name: fmt.Sprintf("%s c=%d", c.cmd, conc), floor: floorCommand, conc: conc, target: target{ratioP50: 1.3, ratioP99: 2}}
			if c.channel == "" {
				out = append(out, fg.empty("not available: no workflow channel (/devops start is missing)"))
				continue
			}
			resp, err := b.command(ctx, 0, c.channel, c.cmd)
			var o, f side
			if err == nil {
				logf("%s answers %q", c.cmd, firstLine(resp.Text))
				o, f, err = compare(ctx, b.commandOp(c.channel, c.cmd), b.commandOp(c.channel, floorCommand),
					conc, b.cfg.samples*max(1, conc/4), rounds)
			}
			out = append(out, fg.outcome(o, f, err))
			if err != nil || conc != 1 {
				continue
			}
			out = append(out, b.answerFigures(ctx, c.cmd, c.channel, resp.Text)...)
			if b.profiler != nil {
				for name, fn := range map[string]op{c.cmd: b.commandOp(c.channel, c.cmd), c.cmd + " floor": b.commandOp(c.channel, floorCommand)} {
					if err := b.profiler.profile(ctx, name, fn); err != nil {
						logf("profile %s: %v", name, err)
					}
				}
			}
		}
	}
	return out
}

// floorAnswerCommand makes the floor reply with the text stored by PUT /answer.
const floorAnswerCommand = "/floor answer"

// answerFigures splits a command's figure in two, for reading where its time goes
// (they are references, not targets): the floor delivering the command's very answer
// against its one-word answer is what Mattermost charges for the answer's size
// (post metadata, JSON, gzip, the client's decoding), and the command against the
// floor delivering its answer is what our plugin's work costs.
func (b *bench) answerFigures(ctx context.Context, cmd, channel, answer string) []result {
	delivery := figure{name: fmt.Sprintf("  the floor answering what %s answers (%d bytes)", cmd, len(answer)), floor: floorCommand, conc: 1}
	work := figure{name: fmt.Sprintf("  %s against that answer from the floor", cmd), floor: floorAnswerCommand, conc: 1}
	if _, err := b.pluginCall(ctx, 0, http.MethodPut, floorID, "/answer", strings.NewReader(answer)); err != nil {
		err = errors.Wrap(err, "store the answer in the floor plugin (make floor-bundle)")
		return []result{delivery.outcome(side{}, side{}, err), work.outcome(side{}, side{}, err)}
	}
	resp, err := b.command(ctx, 0, channel, floorAnswerCommand)
	if err == nil && resp.Text != answer {
		err = errors.Errorf("the floor answered %q instead of the stored answer", firstLine(resp.Text))
	}
	var out []result
	for _, c := range []struct {
		fg          figure
		ours, floor string
	}{{delivery, floorAnswerCommand, floorCommand}, {work, cmd, floorAnswerCommand}} {
		var o, f side
		if err == nil {
			o, f, err = compare(ctx, b.commandOp(channel, c.ours), b.commandOp(channel, c.floor), 1, b.cfg.samples, rounds)
		}
		out = append(out, c.fg.outcome(o, f, err))
	}
	return out
}

// reminderTickWorkflows is how many active workflows carry a reminder when the
// tick's query is measured.
const reminderTickWorkflows = 10_000

// measureReminderTick measures the query each scheduler tick runs to find due
// reminders, with 10k active workflows holding a reminder: it must be one indexed
// query, not a scan. The reminders are set in the next hour, so the plugin's own tick
// finds nothing due and posts nothing while we measure. The plan is PostgreSQL's own
// executed plan of that query (EXPLAIN ANALYZE), the latency the store call's.
func measureReminderTick(ctx context.Context, b *bench) check {
	fail := func(err error) check {
		return check{Name: "reminder tick query, 10k active workflows", Unit: "ms", Target: "1 indexed query per tick", Status: "error: " + err.Error()}
	}
	db, err := b.srv.DB()
	if err != nil {
		return fail(err)
	}
	now := model.GetMillis()
	if _, err := db.ExecContext(ctx, `UPDATE devops_workflows SET next_reminder_at = $1::bigint + 60000 + (random() * 3600000)::bigint
		WHERE id IN (SELECT id FROM devops_workflows WHERE status = 'active' ORDER BY id LIMIT $2)`, now, reminderTickWorkflows); err != nil {
		return fail(errors.Wrap(err, "give workflows reminders"))
	}
	if _, err := db.ExecContext(ctx, `ANALYZE devops_workflows`); err != nil {
		return fail(errors.Wrap(err, "analyze"))
	}
	st := store.New(db)
	const calls = 200
	durations := make([]time.Duration, 0, calls)
	for range calls {
		start := time.Now()
		if _, err := st.DueReminders(ctx, model.GetMillis(), 200); err != nil {
			return fail(err)
		}
		durations = append(durations, time.Since(start))
	}
	plan, err := st.ExplainDueReminders(ctx, model.GetMillis(), 200)
	if err != nil {
		return fail(err)
	}
	slices.Sort(durations)
	indexed := strings.Contains(plan, "devops_workflows_reminder_idx") && !strings.Contains(plan, "Seq Scan on devops_workflows")
	status := "the plan has no scan"
	for _, line := range strings.Split(plan, "\n") {
		if strings.Contains(line, "Scan") {
			status = "plan: " + strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "->"))
			break
		}
	}
	return check{Name: "reminder tick query, 10k active workflows", Value: ptr(percentileMS(durations, 0.5)), Unit: "ms p50 (direct connection)",
		Target: "1 indexed query per tick", Met: ptr(indexed), Status: status}
}

// rssChecks runs /devops commands until 10k have run in total, then reads the
// resident memory of our plugin's process, and of the floor's for reference.
func (b *bench) rssChecks(ctx context.Context, workflowChannel string) []check {
	fail := func(err error) []check {
		return []check{{Name: "plugin RSS", Unit: "bytes", Target: rssTarget, Status: "error: " + err.Error()}}
	}
	// Prefer a command that reads a workflow; help is what every version answers.
	channel, cmd := b.square, "/devops help"
	if workflowChannel != "" {
		if _, err := b.command(ctx, 0, workflowChannel, "/devops info"); err == nil {
			channel, cmd = workflowChannel, "/devops info"
		}
	}
	if left := rssAfterCommands - b.devopsCommands.Load(); left > 0 {
		logf("running %d more %q for the RSS figure", left, cmd)
		var s side
		if err := s.run(ctx, b.commandOp(channel, cmd), workers, int(left)); err != nil {
			return fail(err)
		}
	}
	ours, err := pluginRSS(b.srv.Dir, harness.PluginID)
	if err != nil {
		return fail(err)
	}
	out := []check{newCheck(fmt.Sprintf("plugin RSS after %d commands", b.devopsCommands.Load()), "bytes", float64(ours), maxRSSBytes, rssTarget)}
	if floor, err := pluginRSS(b.srv.Dir, floorID); err == nil {
		out = append(out, check{Name: "floor plugin RSS (reference)", Unit: "bytes", Value: ptr(float64(floor)), Status: "ok"})
	}
	return out
}

// bundleCheck is the gzipped size of the webapp bundle, at gzip's default level as
// a web server would serve it.
func bundleCheck() check {
	c := check{Name: "webapp main.js gzipped", Unit: "bytes", Target: bundleTarget}
	path := filepath.Join(harness.RepoRoot(), "webapp", "dist", "main.js")
	raw, err := os.ReadFile(path)
	if err != nil {
		c.Status = "not available: " + err.Error()
		return c
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	c = newCheck(c.Name, c.Unit, float64(buf.Len()), maxBundleBytes, c.Target)
	if len(raw) < 1024 {
		c.Status = fmt.Sprintf("ok, but main.js is only %d bytes: a placeholder?", len(raw))
	}
	return c
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if len(line) > 120 {
		line = line[:120] + "…"
	}
	return line
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", a...)
}
