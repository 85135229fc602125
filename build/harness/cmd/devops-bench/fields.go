package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/app"
)

// maxCloseTimesP95MS is the chart endpoint's aim, as the list's: a panel view's read.
const maxCloseTimesP95MS = 15

// fieldFigures measures the custom fields' and the chart's doors (issue 17):
//   - `/devops set service <value>` in a workflow channel against `/floor button`, the
//     floor's command that also posts in the channel. Every set is a real change (a
//     new value each time), and afterwards the timeline must hold one field change per
//     set, so a quick refusal cannot pass for a fast set.
//   - GET /stats/close-times against the floor's ping, over the store the list figures
//     seeded (closed workflows spread over two years, the chart's 12 weeks among them).
func (b *bench) fieldFigures(ctx context.Context, workflowChannel string) []result {
	set := figure{name: "/devops set <field> <value>", floor: "/floor button (a command that posts)", conc: 1, target: target{ratioP50: 1.5}}
	chart := figure{name: "GET /stats/close-times", floor: "GET /plugins/devops-floor/ping", conc: 1, target: target{p95MS: maxCloseTimesP95MS}}
	var out []result
	if workflowChannel == "" {
		out = append(out, set.empty("not available: no workflow channel (/devops start is missing)"))
	} else {
		out = append(out, b.setFigure(ctx, set, workflowChannel))
	}
	path := "/api/v1/stats/close-times?team_id=" + b.team.Id
	err := b.probeCloseTimes(ctx, path)
	var o, f side
	if err == nil {
		o, f, err = compare(ctx, b.pluginGetOp(harness.PluginID, path), b.pluginGetOp(floorID, "/ping"), 1, b.cfg.samples/2, rounds)
	}
	return append(out, chart.outcome(o, f, err))
}

func (b *bench) setFigure(ctx context.Context, fg figure, channel string) result {
	db, err := b.srv.DB()
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	var workflowID string
	if err := db.QueryRowContext(ctx, `SELECT id FROM devops_workflows WHERE channel_id = $1`, channel).Scan(&workflowID); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "find the workflow to set fields on"))
	}
	changes := func(ctx context.Context) (int, error) {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM devops_timeline WHERE workflow_id = $1 AND type = $2`,
			workflowID, app.EventFieldChanged).Scan(&n)
		return n, errors.Wrap(err, "count field changes")
	}
	before, err := changes(ctx)
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	var sets atomic.Int64
	ours := func(ctx context.Context, w int) error {
		n := sets.Add(1)
		resp, err := b.command(ctx, w, channel, fmt.Sprintf("/devops set service checkout-%d", n))
		if err == nil && resp.Text != "" {
			err = errors.Errorf("/devops set answered %q", firstLine(resp.Text))
		}
		return err
	}
	o, f, err := compare(ctx, ours, b.commandOp(channel, "/floor button"), 1, b.cfg.samples/4, rounds)
	if err == nil {
		var after int
		if after, err = changes(ctx); err == nil && after-before != int(sets.Load()) {
			err = errors.Errorf("%d of %d sets changed the field", after-before, sets.Load())
		}
	}
	return fg.outcome(o, f, err)
}

// probeCloseTimes makes sure the chart is what we mean to measure: 12 weeks with at
// least one type's closed workflows in them.
func (b *bench) probeCloseTimes(ctx context.Context, path string) error {
	body, err := b.pluginGet(ctx, 0, harness.PluginID, path)
	if err != nil {
		return err
	}
	var chart app.CloseTimes
	if err := json.Unmarshal(body, &chart); err != nil {
		return errors.Wrapf(err, "decode %s", path)
	}
	closed := 0
	for _, s := range chart.Series {
		for _, n := range s.Closed {
			closed += n
		}
	}
	if len(chart.Weeks) != app.CloseTimeWeeks || closed == 0 {
		return errors.Errorf("GET %s gave %d weeks and %d closed workflows; the store has none to chart", path, len(chart.Weeks), closed)
	}
	logf("GET /stats/close-times: %d types, %d closed workflows in %d weeks", len(chart.Series), closed, len(chart.Weeks))
	return nil
}
