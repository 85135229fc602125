package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
)

const (
	// pagedRotations is how many rotations are paged at once.
	pagedRotations = 100
	// pagerTick is the plugin's pager tick on a server without DEVOPS_SCHEDULER_TICK
	// (server/hooks.go pagerTick): an escalation is due at most this late.
	pagerTick = 5 * time.Second
	// benchEscalateAfter is the shortest escalate_after a production server allows.
	benchEscalateAfter = time.Minute
)

// pagerFigures pages 100 rotations at once (POST /pages, 16 clients) against the
// floor's command at the same concurrency, requiring every page's direct message;
// then waits for the pages' first escalation and reports how late each was
// delivered after it fell due (due → its direct message created), against the
// pager's tick.
func (b *bench) pagerFigures(ctx context.Context) ([]result, check) {
	fg := figure{name: fmt.Sprintf("page %d rotations at once (POST /pages)", pagedRotations), floor: floorCommand, conc: workers,
		target: target{ratioP50: 25}}
	delay := check{Name: fmt.Sprintf("escalation delay, due → delivered, %d pages due at once", pagedRotations), Unit: "ms p99",
		Target: fmt.Sprintf("p99 ≤ 1 pager tick (%s)", pagerTick)}
	names, err := b.makeRotations(ctx)
	if err != nil {
		return []result{fg.outcome(side{}, side{}, err)}, failed(delay, err)
	}
	reads := b.onCallFigures(ctx, names[0])
	floor := b.commandOp(b.square, floorCommand)
	var warm, f, o side
	if err = warm.run(ctx, floor, workers, 2*workers); err == nil {
		err = f.run(ctx, floor, workers, pagedRotations)
	}
	var next atomic.Int64
	ours := func(ctx context.Context, w int) error {
		i := int(next.Add(1)) - 1
		body, _ := json.Marshal(map[string]string{"team_id": b.team.Id, "target": "rotation:" + names[i], "message": "bench page " + names[i]})
		_, err := b.pluginCall(ctx, w, http.MethodPost, harness.PluginID, "/api/v1/pages", bytes.NewReader(body))
		return err
	}
	pagedAt := time.Now()
	if err == nil {
		err = o.run(ctx, ours, workers, pagedRotations)
	}
	if err == nil {
		err = b.pagesDelivered(ctx, 0, time.Minute)
	}
	rows := append(slices.Clip(reads), fg.outcome(o, f, err))
	if err != nil {
		return rows, failed(delay, err)
	}
	// Every page's second step falls due escalate_after after it was made.
	logf("waiting %s for %d pages to escalate", time.Until(pagedAt.Add(benchEscalateAfter+pagerTick)).Round(time.Second), pagedRotations)
	if err := b.pagesDelivered(ctx, 1, benchEscalateAfter+3*pagerTick); err != nil {
		return rows, failed(delay, err)
	}
	delays, err := b.escalationDelays(ctx)
	if err != nil {
		return rows, failed(delay, err)
	}
	slices.Sort(delays)
	p99 := percentileMS(delays, 0.99)
	delay.Value, delay.Met = ptr(p99), ptr(time.Duration(p99*float64(time.Millisecond)) <= pagerTick)
	delay.Status = fmt.Sprintf("p50 %.0f ms, max %.0f ms, %d pages; tick %s", percentileMS(delays, 0.5), percentileMS(delays, 1), len(delays), pagerTick)
	b.acknowledgeAll(ctx)
	return rows, delay
}

// onCallFigures measures reading who is on call — the panel's GET /oncall for the
// team's 100 rotations against the floor's ping, and `/devops oncall <rotation>`
// against the floor's command — one client, alternating rounds.
func (b *bench) onCallFigures(ctx context.Context, rotation string) []result {
	n := max(b.cfg.samples/10, 50)
	var out []result
	for _, fig := range []struct {
		fg          figure
		ours, floor op
	}{
		{figure{name: fmt.Sprintf("GET /oncall, %d rotations", pagedRotations), floor: "GET /plugins/devops-floor/ping", conc: 1, target: target{p95MS: 50}},
			b.pluginGetOp(harness.PluginID, "/api/v1/oncall?team_id="+b.team.Id), b.pluginGetOp(floorID, "/ping")},
		{figure{name: "/devops oncall <rotation>", floor: floorCommand, conc: 1, target: target{ratioP50: 2}},
			b.commandOp(b.square, "/devops oncall "+rotation), b.commandOp(b.square, floorCommand)},
	} {
		o, f, err := compare(ctx, fig.ours, fig.floor, 1, n, rounds)
		out = append(out, fig.fg.outcome(o, f, err))
	}
	return out
}

func failed(c check, err error) check {
	c.Status = "error: " + err.Error()
	return c
}

// makeRotations makes the rotations to page, two workers each, as the admin.
func (b *bench) makeRotations(ctx context.Context) ([]string, error) {
	names := make([]string, pagedRotations)
	for i := range names {
		names[i] = fmt.Sprintf("bench-%03d", i)
		status, raw, err := harness.PluginRequest(b.srv.Admin, http.MethodPost, "/api/v1/rotations", map[string]any{
			"team_id": b.team.Id, "name": names[i], "escalate_after": "1m",
			"members": []string{b.users[i%workers].Username, b.users[(i+1)%workers].Username},
		})
		if err != nil {
			return nil, err
		}
		if status == http.StatusNotFound {
			return nil, unavailable("POST /rotations answers 404")
		}
		if status != http.StatusCreated {
			return nil, errors.Errorf("create rotation: HTTP %d: %s", status, firstLine(string(raw)))
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// pagesDelivered waits until every bench page's step has its direct message.
func (b *bench) pagesDelivered(ctx context.Context, step int, within time.Duration) error {
	db, err := b.srv.DB()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(within)
	for {
		var delivered int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM devops_page_notifications n JOIN devops_pages p ON p.id = n.page_id
			WHERE p.team_id = $1 AND n.step = $2 AND n.delivered AND n.post_id <> ''`, b.team.Id, step).Scan(&delivered); err != nil {
			return errors.Wrap(err, "count delivered pages")
		}
		if delivered == pagedRotations {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Errorf("%d of %d pages delivered step %d within %s", delivered, pagedRotations, step, within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// escalationDelays are, per page, how long after its first escalation fell due its
// direct message was created.
func (b *bench) escalationDelays(ctx context.Context) ([]time.Duration, error) {
	db, err := b.srv.DB()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT po.createat - (p.created_at + p.escalate_after_ms)
		FROM devops_pages p JOIN devops_page_notifications n ON n.page_id = p.id AND n.step = 1
		JOIN posts po ON po.id = n.post_id WHERE p.team_id = $1`, b.team.Id)
	if err != nil {
		return nil, errors.Wrap(err, "read escalation delays")
	}
	defer func() { _ = rows.Close() }()
	var out []time.Duration
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, errors.Wrap(err, "read escalation delay")
		}
		out = append(out, time.Duration(ms)*time.Millisecond)
	}
	return out, errors.Wrap(rows.Err(), "read escalation delays")
}

// acknowledgeAll stops the bench pages, so they do not escalate during later figures.
func (b *bench) acknowledgeAll(ctx context.Context) {
	db, err := b.srv.DB()
	if err != nil {
		return
	}
	if _, err := db.ExecContext(ctx, `UPDATE devops_pages SET status = 'acknowledged', next_step_at = 0 WHERE team_id = $1`, b.team.Id); err != nil {
		logf("could not stop the bench pages: %v", err)
	}
}
