package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// invitees is how many operations people the invitees figure's incidents invite.
const invitees = 30

// inviteesFigure measures a start that invites 30 people against one that invites
// nobody, alternating, in the same team (issue 18): an incident with every operations
// member invited (the template's limit lifted for the figure) against a support
// escalation, which invites no one. The people are added after the answer, so their
// adds still running count against whichever start comes next, ours or the floor's.
// It then checks that the last incident's 30 people all arrived.
func (b *bench) inviteesFigure(ctx context.Context) result {
	fg := figure{name: fmt.Sprintf("/devops start inviting %d", invitees), floor: "/devops start inviting nobody (support)",
		conc: 1, target: target{ratioP50: 1.5}}
	ops, err := b.operationsPeople(ctx)
	// The figures after this one start incidents too: without a discipline, these
	// people are invited by none of them.
	defer func() {
		if _, err := b.seeder.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM devops_disciplines WHERE user_id = ANY(string_to_array($1, ','))`,
			strings.Join(ops, ",")); err != nil {
			logf("could not take the operations people's discipline back: %v", err)
		}
	}()
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	if err := b.srv.SetPluginSetting("templateoverrides", `{"incident":{"auto_invite":{"limits":{"operations":0}}}}`); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "lift the incident's invite limit"))
	}
	defer func() { _ = b.srv.SetPluginSetting("templateoverrides", "") }()
	time.Sleep(time.Second) // the plugin applies a setting asynchronously

	var lastTitle atomic.Value
	samples := max(b.cfg.samples/25, 10)
	o, f, err := compare(ctx, b.startOp("incident", &lastTitle), b.startOp("support", nil), 1, samples, samples)
	if err == nil {
		err = b.allArrived(ctx, lastTitle.Load().(string), ops, len(ops))
	}
	return fg.outcome(o, f, err)
}

// startOp starts a workflow of a type in the town square under a fresh title, and
// stores the title in last when given.
func (b *bench) startOp(typ string, last *atomic.Value) op {
	const prefix = "Bench invitees "
	return func(ctx context.Context, w int) error {
		title := prefix + strings.Join([]string{model.NewId(), model.NewId(), model.NewId()}, " ")
		if last != nil {
			last.Store(title)
		}
		resp, err := b.command(ctx, w, b.square, fmt.Sprintf("/devops start %s %q", typ, title))
		if err == nil && !strings.HasPrefix(resp.Text, "Started ~") {
			err = errors.Errorf("/devops start %s answered %q", typ, firstLine(resp.Text))
		}
		return err
	}
}

// operationsPeople makes the team's operations members, each declaring the discipline.
func (b *bench) operationsPeople(ctx context.Context) ([]string, error) {
	ids := make([]string, 0, invitees)
	for i := range invitees {
		u, c, err := b.srv.CreateUser(fmt.Sprintf("benchops%02d", i), b.team.Id)
		if err != nil {
			return ids, err
		}
		resp, _, err := c.ExecuteCommandWithTeam(ctx, b.square, b.team.Id, "/devops discipline operations")
		if err != nil {
			return ids, errors.Wrap(err, "declare operations")
		}
		ids = append(ids, u.Id)
		if !strings.Contains(resp.Text, "operations") {
			return ids, errors.Errorf("declaring operations answered %q", firstLine(resp.Text))
		}
	}
	return ids, nil
}

// allArrived waits for want of the operations members to be in the workflow's
// channel: the figure measures a start that still adds them all.
func (b *bench) allArrived(ctx context.Context, title string, ids []string, want int) error {
	channel, err := b.seeder.channelOf(ctx, title)
	if err != nil {
		return err
	}
	// The adds of every start measured queue up behind each other's on the server: the
	// last start's wait grows with how many everyone invited.
	began := time.Now()
	deadline := began.Add(30*time.Second + time.Duration(want)*time.Second)
	for {
		var n int
		if err := b.seeder.db.QueryRowContext(ctx, `SELECT count(*) FROM channelmembers WHERE channelid = $1 AND userid = ANY(string_to_array($2, ','))`,
			channel, strings.Join(ids, ",")).Scan(&n); err != nil {
			return errors.Wrap(err, "count the invited in the channel")
		}
		if n == want {
			logf("the last incident's %d operations people are all in its channel, %s after the last start answered",
				n, time.Since(began).Round(100*time.Millisecond))
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Errorf("only %d of %d invited people reached the last incident's channel", n, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
