package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/store"
)

// scheduleTickSchedules is how many schedules exist, none due, when the schedules'
// part of a scheduler tick is measured.
const scheduleTickSchedules = 10_000

// scheduleTickFigure measures what every scheduler tick now also does for schedules —
// find claims a dead node left and the schedules that are due — with 10k schedules and
// 10k finished occurrences in the store, none due, against the floor of as many round
// trips (two SELECT 1) on the same pool: both are indexed queries that find nothing,
// so what is left over the floor is their planning and index lookups.
func (b *bench) scheduleTickFigure(ctx context.Context) result {
	fg := figure{name: "schedule tick (due + pending), 10k schedules", floor: "2× SELECT 1 on the same pool", conc: 1, target: target{ratioP50: 2}}
	db, err := b.srv.DB()
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	now := model.GetMillis()
	// Due in a day or more: the plugin's own ticks find nothing either.
	if _, err := db.ExecContext(ctx, `INSERT INTO devops_schedules (id, team_id, type, title, every, start_at, timezone, owner_id,
		next_at, next_index, started, created_by, created_at, updated_at)
		SELECT substr(md5(random()::text || g::text), 1, 26), $1, 'sprint', 'Bench sprint {n}', '2w', $2::bigint, 'UTC', $3,
			$2::bigint + 86400000 + (random() * 86400000 * 14)::bigint, 1, 1, $3, $2, $2
		FROM generate_series(1, $4) g`, b.team.Id, now, b.users[0].Id, scheduleTickSchedules); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "seed schedules"))
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO devops_schedule_occurrences (schedule_id, n, workflow_id, title, due_at, claimed_at, started_at)
		SELECT id, 1, substr(md5(random()::text || id), 1, 26), 'Bench sprint 1', $1, $1, $1 FROM devops_schedules WHERE team_id = $2`, now, b.team.Id); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "seed occurrences"))
	}
	if _, err := db.ExecContext(ctx, `ANALYZE devops_schedules; ANALYZE devops_schedule_occurrences`); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "analyze"))
	}
	st := store.New(db)
	ours := func(ctx context.Context, _ int) error {
		at := model.GetMillis()
		if _, err := st.PendingOccurrences(ctx, at-30_000, 20); err != nil {
			return err
		}
		due, err := st.DueSchedules(ctx, at, 20)
		if err == nil && len(due) > 0 {
			err = errors.Errorf("%d schedules due: the figure measures a tick that finds none", len(due))
		}
		return err
	}
	floor := func(ctx context.Context, _ int) error {
		var one int
		if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
			return err
		}
		return db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
	}
	o, f, err := compare(ctx, ours, floor, 1, b.cfg.samples, rounds)
	return fg.outcome(o, f, err)
}

// exportStatusUpdates is how many status updates the exported workflow carries.
const exportStatusUpdates = 30

// exportFigure measures GET /workflows/{id}/export?format=markdown of a workflow with
// 30 status updates, 30 tasks and a stage change (a ~15 KB document), against the
// floor plugin's ping through the same server.
func (b *bench) exportFigure(ctx context.Context) result {
	fg := figure{name: fmt.Sprintf("GET /workflows/{id}/export, %d updates", exportStatusUpdates), floor: "GET /plugins/devops-floor/ping", conc: 1, target: target{ratioP50: 3}}
	channel, err := b.startWorkflow(ctx, "Benchmark export target")
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	for i := range exportStatusUpdates {
		for _, cmd := range []string{
			fmt.Sprintf("/devops status Update %d: error rate %d%%, rollback %d%% done; next update in 30 minutes.", i+1, 30-i, i*3),
			fmt.Sprintf("/devops task add Check shard %d", i+1),
		} {
			if _, err := b.command(ctx, 0, channel, cmd); err != nil {
				return fg.outcome(side{}, side{}, err)
			}
		}
	}
	if _, err := b.command(ctx, 0, channel, "/devops stage next"); err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	raw, err := b.pluginGet(ctx, 0, harness.PluginID, "/api/v1/workflows?team_id="+b.team.Id+"&channel_id="+channel)
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &page); err != nil || len(page.Items) != 1 {
		return fg.outcome(side{}, side{}, errors.Errorf("find the exported workflow: %v (%d found)", err, len(page.Items)))
	}
	path := "/api/v1/workflows/" + page.Items[0].ID + "/export?format=markdown"
	doc, err := b.pluginGet(ctx, 0, harness.PluginID, path)
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	if got := strings.Count(string(doc), "### "); got != exportStatusUpdates {
		return fg.outcome(side{}, side{}, errors.Errorf("the export holds %d status updates, not %d", got, exportStatusUpdates))
	}
	logf("export: %d bytes", len(doc))
	start := time.Now()
	o, f, err := compare(ctx, b.pluginGetOp(harness.PluginID, path), b.pluginGetOp(floorID, "/ping"), 1, b.cfg.samples/2, rounds)
	logf("export figure took %s", time.Since(start).Round(time.Second))
	return fg.outcome(o, f, err)
}
