package main

// The large-team profile (issue 18, `make bench-large`): a team of 2,000 members, 50+
// in each discipline, 10,000 active workflows, a workflow channel of 500 members, and
// the figures a company of that size would feel, each against its floor in the same
// run.
//
// Mattermost 11 without a license refuses to create or activate a user once 250
// non-bot users are active (app/limits.go: maxUsersHardLimit; it warns from 200). The
// people who act in the figures (the workers, the joiners) are created through the API
// first; the rest of the team are written straight into the bench server's database
// (users, teammembers, channelmembers: copies of a worker's rows with a new id and
// name) and the server's caches are invalidated. They are real rows that every server
// read sees, the plugin's included, but nobody logs in as them.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
	"github.com/devopschannels/devops-channels/server/app"
)

const (
	largeMembers = 2_000
	largeActive  = 10_000
	largeChannel = 500
	largeJoiners = 8
	seededPrefix = "large"
	maxPostRunes = app.MaxPostRunes
)

// largeDisciplines are the seven disciplines the seeded people are spread over.
var largeDisciplines = []string{"developer", "qa", "operations", "security", "project-manager", "product-manager", "designer"}

// largeZones spread the seeded people over the world, so `who` computes local times.
var largeZones = []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Los_Angeles", "Asia/Tokyo", "UTC"}

// largeTeam is what the profile made: the seeded people by discipline, the 500-member
// workflow channel and its workflow, a plain channel of 500 for the join floor, and
// the joiners (API users who join and leave).
type largeTeam struct {
	byDiscipline map[string][]string
	channel      string
	workflowID   string
	plain        string
	joiners      []*model.User
	joinerWS     []*model.WebSocketClient
}

// largeFigures runs the large-team profile.
func (b *bench) largeFigures(ctx context.Context) ([]result, []check) {
	var lt largeTeam
	// The joiners are made while Mattermost still creates users: before the seeding.
	if err := b.makeJoiners(ctx, &lt); err != nil {
		return []result{figure{name: "large team"}.empty("error: " + err.Error())}, nil
	}
	defer func() {
		for _, ws := range lt.joinerWS {
			ws.Close()
		}
	}()
	if err := b.seedLargeTeam(ctx, &lt); err != nil {
		return []result{figure{name: "large team"}.empty("error: " + err.Error())}, nil
	}
	var out []result
	var checks []check
	// Commands in the 500-member channel, and the list in a team of 10k active workflows.
	samples := max(b.cfg.samples/2, 50)
	for _, c := range []struct{ cmd, channel string }{
		{"/devops info", lt.channel},
		{"/devops who", lt.channel},
		{"/devops list", b.square},
	} {
		fg := figure{name: fmt.Sprintf("large: %s c=1", c.cmd), floor: floorCommand, conc: 1, target: target{ratioP50: 1.3}}
		resp, err := b.command(ctx, 0, c.channel, c.cmd)
		var o, f side
		if err == nil {
			checks = append(checks, answerCheck(c.cmd, resp.Text))
			o, f, err = compare(ctx, b.commandOp(c.channel, c.cmd), b.commandOp(c.channel, floorCommand), 1, samples, rounds)
		}
		out = append(out, fg.outcome(o, f, err))
	}
	membersPath := "/api/v1/workflows/" + lt.workflowID + "/members"
	fg := figure{name: fmt.Sprintf("large: GET /workflows/{id}/members, %d members", largeChannel), floor: "GET /plugins/devops-floor/ping", conc: 1}
	err := b.probeMembers(ctx, membersPath)
	var o, f side
	if err == nil {
		o, f, err = compare(ctx, b.pluginGetOp(harness.PluginID, membersPath), b.pluginGetOp(floorID, "/ping"), 1, samples/2, rounds)
	}
	out = append(out, fg.outcome(o, f, err))
	out = append(out, b.joinFigure(ctx, &lt))
	ops := lt.byDiscipline["operations"]
	for _, n := range []int{30, 200} {
		out = append(out, b.startInvitingFigure(ctx, n, ops, max(b.cfg.samples/(n/2), 8)))
	}
	checks = append(checks, measureReminderTick(ctx, b))
	return out, checks
}

// answerCheck is the size of a command's answer against the most a post holds.
func answerCheck(cmd, answer string) check {
	runes := len([]rune(answer))
	return newCheck(fmt.Sprintf("large: %s answer", cmd), "runes", float64(runes), maxPostRunes, fmt.Sprintf("≤ %d (a post)", maxPostRunes))
}

// makeJoiners creates the users who join the big channel, each with a websocket.
func (b *bench) makeJoiners(ctx context.Context, lt *largeTeam) error {
	for i := range largeJoiners {
		u, c, err := b.srv.CreateUser(fmt.Sprintf("joiner%02d", i), b.team.Id)
		if err != nil {
			return err
		}
		ws, err := model.NewWebSocketClient4(strings.Replace(c.URL, "http", "ws", 1), c.AuthToken)
		if err != nil {
			return errors.Wrap(err, "open a joiner's websocket")
		}
		ws.Listen()
		select {
		case <-ws.EventChannel: // the hello: from now on the joiner hears its events
		case <-time.After(10 * time.Second):
			return errors.New("no websocket hello for a joiner")
		case <-ctx.Done():
			return ctx.Err()
		}
		lt.joiners = append(lt.joiners, u)
		lt.joinerWS = append(lt.joinerWS, ws)
		b.clients = append(b.clients, c)
	}
	return nil
}

// seedLargeTeam fills the team to 2,000 members with disciplines, the store to 10,000
// active workflows of the team, and makes the two 500-member channels.
func (b *bench) seedLargeTeam(ctx context.Context, lt *largeTeam) error {
	began := time.Now()
	db := b.seeder.db
	tmpl := b.users[0].Id
	var have int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM teammembers WHERE teamid = $1 AND deleteat = 0`, b.team.Id).Scan(&have); err != nil {
		return errors.Wrap(err, "count team members")
	}
	n := largeMembers - have
	zones, _ := json.Marshal(largeZones)
	// Copies of a worker's user row: every column Mattermost has, whatever its version.
	if _, err := db.ExecContext(ctx, `INSERT INTO users SELECT (jsonb_populate_record(NULL::users, to_jsonb(u) || jsonb_build_object(
			'id', substr(md5('large' || g::text || $3), 1, 26),
			'username', $4 || lpad(g::text, 4, '0'), 'email', $4 || g::text || '@example.com',
			'firstname', 'Member', 'lastname', 'Number ' || g::text, 'nickname', '',
			'timezone', jsonb_build_object('useAutomaticTimezone', 'false', 'automaticTimezone', '',
				'manualTimezone', ($5::jsonb)->>(g % jsonb_array_length($5::jsonb))),
			'createat', u.createat + g, 'updateat', u.updateat + g))).*
		FROM users u, generate_series(1, $2) g WHERE u.id = $1`, tmpl, n, b.team.Id, seededPrefix, string(zones)); err != nil {
		return errors.Wrap(err, "seed users")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO teammembers SELECT (jsonb_populate_record(NULL::teammembers,
			to_jsonb(tm) || jsonb_build_object('userid', u.id))).*
		FROM teammembers tm, users u WHERE tm.teamid = $1 AND tm.userid = $2 AND u.username LIKE $3 || '%'`, b.team.Id, tmpl, seededPrefix); err != nil {
		return errors.Wrap(err, "seed team members")
	}
	ds, _ := json.Marshal(largeDisciplines)
	if _, err := db.ExecContext(ctx, `INSERT INTO devops_disciplines (user_id, discipline, updated_at)
		SELECT u.id, ($2::jsonb)->>(substr(u.username, length($1) + 1)::int % jsonb_array_length($2::jsonb)), $3
		FROM users u WHERE u.username LIKE $1 || '%'`, seededPrefix, string(ds), model.GetMillis()); err != nil {
		return errors.Wrap(err, "seed disciplines")
	}
	lt.byDiscipline = map[string][]string{}
	rows, err := db.QueryContext(ctx, `SELECT d.user_id, d.discipline FROM devops_disciplines d JOIN users u ON u.id = d.user_id
		WHERE u.username LIKE $1 || '%' ORDER BY u.username`, seededPrefix)
	if err != nil {
		return errors.Wrap(err, "read seeded disciplines")
	}
	var seeded []string
	for rows.Next() {
		var id, d string
		if err := rows.Scan(&id, &d); err != nil {
			_ = rows.Close()
			return errors.Wrap(err, "scan seeded discipline")
		}
		lt.byDiscipline[d] = append(lt.byDiscipline[d], id)
		seeded = append(seeded, id)
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return errors.Wrap(err, "read seeded disciplines")
	}
	for _, d := range largeDisciplines {
		if len(lt.byDiscipline[d]) < 50 {
			return errors.Errorf("only %d seeded %s people", len(lt.byDiscipline[d]), d)
		}
	}
	// 10,000 active workflows, all in the measured team, led by its people.
	b.seeder.userIDs = append(b.seeder.userIDs, seeded...)
	b.seeder.teamEvery, b.seeder.activeEvery = 1, 1
	if err := b.seeder.fill(ctx, largeActive); err != nil {
		return err
	}
	// The workflow channel: a real start, every worker added, then seeded members.
	const title = "Large team incident"
	if lt.channel, err = b.startWorkflow(ctx, title); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT id FROM devops_workflows WHERE channel_id = $1`, lt.channel).Scan(&lt.workflowID); err != nil {
		return errors.Wrap(err, "find the large workflow")
	}
	plain, _, err := b.clients[0].CreateChannel(ctx, &model.Channel{TeamId: b.team.Id, Type: model.ChannelTypeOpen, Name: "plain-" + model.NewId()[:8], DisplayName: "Plain channel of 500"})
	if err != nil {
		return errors.Wrap(err, "create the plain channel")
	}
	lt.plain = plain.Id
	for _, ch := range []string{lt.channel, lt.plain} {
		if _, err := db.ExecContext(ctx, `INSERT INTO channelmembers SELECT (jsonb_populate_record(NULL::channelmembers,
				to_jsonb(cm) || jsonb_build_object('userid', u.id, 'schemeadmin', false))).*
			FROM channelmembers cm, (SELECT id FROM users WHERE username LIKE $3 || '%' ORDER BY username) u
			WHERE cm.channelid = $1 AND cm.userid = $2
			AND NOT EXISTS (SELECT 1 FROM channelmembers x WHERE x.channelid = $1 AND x.userid = u.id)
			LIMIT $4 - (SELECT count(*) FROM channelmembers WHERE channelid = $1)`, ch, tmpl, seededPrefix, largeChannel); err != nil {
			return errors.Wrap(err, "seed channel members")
		}
	}
	if _, err := b.srv.Admin.InvalidateCaches(ctx); err != nil {
		return errors.Wrap(err, "invalidate the server's caches")
	}
	var members, teamSize, active int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM channelmembers WHERE channelid = $1),
		(SELECT count(*) FROM teammembers WHERE teamid = $2 AND deleteat = 0),
		(SELECT count(*) FROM devops_workflows WHERE team_id = $2 AND status = 'active')`, lt.channel, b.team.Id).Scan(&members, &teamSize, &active); err != nil {
		return errors.Wrap(err, "count the large team")
	}
	logf("large team: %d members (%d seeded), %d active workflows, a workflow channel of %d, in %s",
		teamSize, len(seeded), active, members, time.Since(began).Round(time.Millisecond))
	if members != largeChannel || teamSize < largeMembers || active < largeActive {
		return errors.Errorf("the large team came out as %d members, %d active workflows, a channel of %d", teamSize, active, members)
	}
	return nil
}

// probeMembers makes sure the members answer lists the whole channel.
func (b *bench) probeMembers(ctx context.Context, path string) error {
	raw, err := b.pluginGet(ctx, 0, harness.PluginID, path)
	if err != nil {
		return err
	}
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return errors.Wrap(err, "decode members")
	}
	// The bot is a member and is not listed.
	if len(page.Items) < largeChannel-1 {
		return errors.Errorf("GET %s listed %d people, not %d", path, len(page.Items), largeChannel-1)
	}
	logf("GET members: %d people, %d bytes", len(page.Items), len(raw))
	return nil
}

// joinFigure measures joining the 500-member workflow channel until its briefing
// reaches the joiner, against joining a plain channel of 500 until Mattermost's own
// "joined the channel" post reaches them. Joiners take turns; each leaves again after
// its join, untimed, before its next turn.
func (b *bench) joinFigure(ctx context.Context, lt *largeTeam) result {
	fg := figure{name: fmt.Sprintf("large: join a %d-member workflow channel until the briefing arrives", largeChannel),
		floor: "join a plain channel of 500 until its join post arrives", conc: 1, target: target{ratioP50: 1.5}}
	first := len(b.clients) - largeJoiners
	left := make([]chan struct{}, largeJoiners)
	for i := range left {
		left[i] = make(chan struct{}, 1)
		left[i] <- struct{}{}
	}
	var turn atomic.Int64
	var mu sync.Mutex
	join := func(channel string, arrived func(*model.WebSocketEvent) bool) op {
		return func(ctx context.Context, _ int) error {
			mu.Lock()
			defer mu.Unlock()
			j := int(turn.Add(1)) % largeJoiners
			<-left[j]
			u, c, ws := lt.joiners[j], b.clients[first+j], lt.joinerWS[j]
			for drained := false; !drained; { // events of earlier turns
				select {
				case <-ws.EventChannel:
				default:
					drained = true
				}
			}
			if _, _, err := c.AddChannelMember(ctx, channel, u.Id); err != nil {
				left[j] <- struct{}{}
				return errors.Wrap(err, "join")
			}
			deadline := time.After(30 * time.Second)
			for {
				select {
				case ev := <-ws.EventChannel:
					if !arrived(ev) {
						continue
					}
					go func() {
						if _, err := c.RemoveUserFromChannel(context.WithoutCancel(ctx), channel, u.Id); err != nil {
							logf("a joiner could not leave: %v", err)
						}
						left[j] <- struct{}{}
					}()
					return nil
				case <-deadline:
					return errors.Errorf("nothing arrived within 30 s of joining")
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
	}
	briefed := func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == model.WebsocketEventEphemeralMessage && strings.Contains(fmt.Sprint(ev.GetData()["post"]), "Welcome to")
	}
	joinPost := func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == model.WebsocketEventPosted && ev.GetBroadcast().ChannelId == lt.plain &&
			strings.Contains(fmt.Sprint(ev.GetData()["post"]), model.PostTypeJoinChannel)
	}
	samples := max(b.cfg.samples/10, 20)
	o, f, err := compare(ctx, join(lt.channel, briefed), join(lt.plain, joinPost), 1, samples, rounds)
	for _, l := range left { // the last leaves
		select {
		case <-l:
		case <-time.After(10 * time.Second):
		}
	}
	return fg.outcome(o, f, err)
}

// startInvitingFigure measures an incident start that invites n operations people (the
// template's limit set to n) against a support start, which invites nobody, in the
// large team, and checks that the last incident's n people arrived.
func (b *bench) startInvitingFigure(ctx context.Context, n int, ops []string, samples int) result {
	fg := figure{name: fmt.Sprintf("large: /devops start inviting %d", n), floor: "/devops start inviting nobody (support)",
		conc: 1, target: target{ratioP50: 1.5}}
	if len(ops) < n {
		return fg.empty(fmt.Sprintf("error: only %d operations people", len(ops)))
	}
	if err := b.srv.SetPluginSetting("templateoverrides", fmt.Sprintf(`{"incident":{"auto_invite":{"limits":{"operations":%d}}}}`, n)); err != nil {
		return fg.outcome(side{}, side{}, errors.Wrap(err, "set the incident's invite limit"))
	}
	defer func() { _ = b.srv.SetPluginSetting("templateoverrides", "") }()
	time.Sleep(time.Second) // the plugin applies a setting asynchronously
	var lastTitle atomic.Value
	o, f, err := compare(ctx, b.startOp("incident", &lastTitle), b.startOp("support", nil), 1, samples, samples)
	if err == nil {
		err = b.allArrived(ctx, lastTitle.Load().(string), ops, n)
	}
	return fg.outcome(o, f, err)
}
