package e2e

// On call on the real server: rotations hand over at the right instant in several
// zones (asked with ?at=, so the test picks the moment instead of waiting for it),
// follow the sun by the members' working hours, take overrides; pages reach people as
// direct messages with an Acknowledge button, escalate through the members and the
// escalation target once per step across a plugin restart and a server kill, and stop
// when acknowledged by button or by command. The server runs a 1s scheduler tick, so
// escalate_after may be seconds here (production: at least 1m).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

type rotationJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Discipline    string   `json:"discipline"`
	Members       []string `json:"members"`
	Shift         string   `json:"shift"`
	Handoff       string   `json:"handoff"`
	Timezone      string   `json:"timezone"`
	EscalateAfter string   `json:"escalate_after"`
	FollowTheSun  bool     `json:"follow_the_sun"`
	EscalateTo    []string `json:"escalate_to"`
	CreatedAt     int64    `json:"created_at"`
}

type onCallJSON struct {
	RotationID string `json:"rotation_id"`
	Rotation   string `json:"rotation"`
	Discipline string `json:"discipline"`
	UserID     string `json:"user_id"`
	Until      int64  `json:"until"`
	Reason     string `json:"reason"`
	OverrideBy string `json:"override_by"`
	Next       *struct {
		UserID string `json:"user_id"`
	} `json:"next"`
}

type pageJSON struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Message  string `json:"message"`
	Private  bool   `json:"private"`
	Notified []struct {
		UserID string `json:"user_id"`
		At     int64  `json:"at"`
		Step   int    `json:"step"`
	} `json:"notified"`
	AcknowledgedBy string `json:"acknowledged_by"`
	AcknowledgedAt int64  `json:"acknowledged_at"`
}

// teamAdmin makes a user who administers the test's team (not the system).
func (e *env) teamAdmin(prefix string) *member {
	e.t.Helper()
	m := e.user(prefix)
	_, err := srv.Admin.UpdateTeamMemberRoles(context.Background(), e.team.Id, m.Id, "team_user team_admin")
	require.NoError(e.t, err)
	return m
}

func (e *env) rotation(admin *member, body map[string]any) rotationJSON {
	e.t.Helper()
	body["team_id"] = e.team.Id
	var r rotationJSON
	var bad apiError
	status := api(e.t, admin, http.MethodPost, "/api/v1/rotations", body, &r)
	if status != http.StatusCreated {
		api(e.t, admin, http.MethodPost, "/api/v1/rotations", body, &bad)
	}
	require.Equal(e.t, http.StatusCreated, status, "create rotation %v: %s", body, bad.Error)
	return r
}

// onCallAt asks who is on call for a rotation at a moment.
func (e *env) onCallAt(m *member, rotation string, at time.Time) onCallJSON {
	e.t.Helper()
	var out struct {
		Items []onCallJSON `json:"items"`
	}
	q := url.Values{"team_id": {e.team.Id}, "rotation": {rotation}}
	if !at.IsZero() {
		q.Set("at", fmt.Sprint(at.UnixMilli()))
	}
	require.Equal(e.t, http.StatusOK, api(e.t, m, http.MethodGet, "/api/v1/oncall?"+q.Encode(), nil, &out))
	require.Len(e.t, out.Items, 1)
	return out.Items[0]
}

// pageDMs are the direct messages of a page that m received, oldest first.
func pageDMs(t *testing.T, m *member, pageID string) []*model.Post {
	t.Helper()
	dm, _ := botDirectChannel(t, m)
	posts, _, err := m.client.GetPostsForChannel(context.Background(), dm, 0, 200, "", false, false)
	require.NoError(t, err)
	var out []*model.Post
	for i := len(posts.Order) - 1; i >= 0; i-- {
		if p := posts.Posts[posts.Order[i]]; p.GetProp(app.PagePostProp) == pageID {
			out = append(out, p)
		}
	}
	return out
}

// paged waits for m's direct message of a page and requires it to be the only one.
func paged(t *testing.T, m *member, pageID string, within time.Duration) *model.Post {
	t.Helper()
	eventually(t, within, func() bool { return len(pageDMs(t, m, pageID)) > 0 }, "@"+m.Username+" to be paged")
	dms := pageDMs(t, m, pageID)
	require.Len(t, dms, 1, "@%s is paged once per step", m.Username)
	return dms[0]
}

func getPage(t *testing.T, m *member, id string) pageJSON {
	t.Helper()
	var p pageJSON
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/pages/"+id, nil, &p))
	return p
}

func notifiedIDs(p pageJSON) []string {
	var ids []string
	for _, n := range p.Notified {
		ids = append(ids, n.UserID)
	}
	return ids
}

// pageIDFromAnswer finds the newest page a command made for a rotation or person.
func (e *env) newestPage(creator *member) string {
	e.t.Helper()
	db, err := srv.DB()
	require.NoError(e.t, err)
	var id string
	require.NoError(e.t, db.QueryRow(`SELECT id FROM devops_pages WHERE created_by = $1 ORDER BY created_at DESC LIMIT 1`, creator.Id).Scan(&id))
	return id
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// firstHandover is the first handover after created for a shift that hands over at
// hh:mm in loc every step (whole days step on the local calendar).
func firstHandover(created time.Time, loc *time.Location, hh, mm int, step time.Duration) time.Time {
	c := created.In(loc)
	h := time.Date(c.Year(), c.Month(), c.Day(), hh, mm, 0, 0, loc)
	for !h.After(created) {
		h = h.Add(step)
	}
	return h
}

func TestRotationsHandOverAtTheRightInstantInEachZone(t *testing.T) {
	e := newEnv(t)
	admin := e.teamAdmin("oncalladmin")
	a, b, c := e.user("ann"), e.user("bob"), e.user("cho")

	// Daily shifts handing over at 09:00 in New York: Ann until the first 09:00 there,
	// then Bob, then Cho, then Ann again.
	ny := zone(t, "America/New_York")
	r := e.rotation(admin, map[string]any{"name": "nyc", "members": []string{a.Username, "@" + b.Username, c.Username},
		"shift": "1d", "handoff": "09:00", "timezone": "America/New_York"})
	require.Equal(t, []string{a.Username, b.Username, c.Username}, r.Members)
	require.Equal(t, "5m", r.EscalateAfter, "the default escalate_after")
	h1 := firstHandover(time.UnixMilli(r.CreatedAt), ny, 9, 0, 24*time.Hour)
	now := e.onCallAt(a, "nyc", time.Time{})
	require.Equal(t, a.Id, now.UserID, "the first member is on call from the creation")
	require.Equal(t, h1.UnixMilli(), now.Until, "until the first handover, 09:00 New York")
	require.Equal(t, b.Id, now.Next.UserID)
	for _, tc := range []struct {
		at   time.Time
		want *member
	}{
		{h1.Add(-time.Millisecond), a}, {h1, b}, {h1.Add(24*time.Hour - time.Millisecond), b},
		{h1.AddDate(0, 0, 1), c}, {h1.AddDate(0, 0, 2), a}, {h1.AddDate(0, 0, 3), b},
	} {
		require.Equal(t, tc.want.Id, e.onCallAt(b, "nyc", tc.at).UserID, "on call at %s", tc.at.In(ny))
	}

	// Twelve-hour shifts in a half-hour zone: handovers at 06:30 and 18:30 in Kolkata.
	kolkata := zone(t, "Asia/Kolkata")
	k := e.rotation(admin, map[string]any{"name": "kolkata", "members": []string{a.Username, b.Username},
		"shift": "12h", "handoff": "06:30", "timezone": "Asia/Kolkata"})
	kh := firstHandover(time.UnixMilli(k.CreatedAt), kolkata, 6, 30, 12*time.Hour)
	require.Contains(t, []int{6, 18}, kh.In(kolkata).Hour())
	require.Equal(t, kh.UnixMilli(), e.onCallAt(a, "kolkata", time.Time{}).Until)
	require.Equal(t, a.Id, e.onCallAt(a, "kolkata", kh.Add(-time.Second)).UserID)
	require.Equal(t, b.Id, e.onCallAt(a, "kolkata", kh).UserID)
	require.Equal(t, a.Id, e.onCallAt(a, "kolkata", kh.Add(12*time.Hour)).UserID)

	// Weekly shifts in Berlin keep handing over at 09:00 local across daylight saving.
	berlin := zone(t, "Europe/Berlin")
	e.rotation(admin, map[string]any{"name": "berlin", "members": []string{a.Username, b.Username},
		"shift": "1w", "handoff": "09:00", "timezone": "Europe/Berlin"})
	for _, at := range []time.Time{time.Date(2031, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(2031, 7, 15, 12, 0, 0, 0, time.UTC)} {
		oc := e.onCallAt(a, "berlin", at)
		until := time.UnixMilli(oc.Until).In(berlin)
		require.Equal(t, "09:00", until.Format("15:04"), "the handover after %s is at 09:00 Berlin (%s)", at, until)
		require.Equal(t, oc.Next.UserID, e.onCallAt(a, "berlin", until).UserID, "the next member takes over at that instant")
		require.Equal(t, oc.UserID, e.onCallAt(a, "berlin", until.Add(-time.Millisecond)).UserID)
	}

	// The command names who is on call now and next, with local times.
	inZone(t, a, "America/New_York")
	answer := e.run(b, e.square.Id, "/devops oncall nyc").Text
	requireContains(t, answer, "| nyc |", "@"+a.Username+" (", "America/New_York) · shift", "@"+b.Username)
	all := e.run(b, e.square.Id, "/devops oncall").Text
	requireContains(t, all, "| berlin |", "| kolkata |", "| nyc |")
}

func TestFollowTheSunPicksWhoeverIsAtWork(t *testing.T) {
	e := newEnv(t)
	admin := e.teamAdmin("ftsadmin")
	nyc, london, berlin := e.user("nyc"), e.user("london"), e.user("berlin")
	inZone(t, nyc, "America/New_York")
	inZone(t, london, "Europe/London")
	inZone(t, berlin, "Europe/Berlin")
	e.rotation(admin, map[string]any{"name": "sun", "members": []string{nyc.Username, london.Username, berlin.Username},
		"follow_the_sun": true, "shift": "1d", "timezone": "UTC"})

	// Wednesday 2030-12-04, working hours 09:00-17:00 (the setting's default).
	day := func(h, m int) time.Time { return time.Date(2030, 12, 4, h, m, 0, 0, time.UTC) }
	at := func(t0 time.Time) onCallJSON { return e.onCallAt(london, "sun", t0) }
	require.Equal(t, berlin.Id, at(day(8, 30)).UserID, "08:30 UTC: only Berlin is at work (09:30)")
	both := at(day(10, 0))
	require.Equal(t, london.Id, both.UserID, "10:00 UTC: London and Berlin at work; London comes first in the rotation")
	require.Equal(t, "working hours", both.Reason)
	require.Equal(t, day(14, 0).UnixMilli(), both.Until, "New York starts work at 14:00 UTC and comes first")
	require.Equal(t, nyc.Id, both.Next.UserID)
	require.Equal(t, nyc.Id, at(day(16, 30)).UserID, "16:30 UTC: only New York at work")
	night := at(day(23, 0))
	require.Equal(t, "shift", night.Reason, "23:00 UTC: nobody at work, the ordered shift fills the gap")
	require.Equal(t, "shift", at(time.Date(2030, 12, 7, 12, 0, 0, 0, time.UTC)).Reason, "Saturday: nobody at work")
}

func TestOverridesAndRefusals(t *testing.T) {
	e := newEnv(t)
	admin := e.teamAdmin("ovadmin")
	a, b, helper, outsider := e.user("ann"), e.user("bob"), e.user("helper"), e.user("outsider")
	e.rotation(admin, map[string]any{"name": "ops", "members": []string{a.Username, b.Username}})

	// A member hands part of a shift to someone, recorded with who arranged it.
	answer := e.run(a, e.square.Id, "/devops oncall override ops @"+helper.Username+" 2h").Text
	requireContains(t, answer, "@"+helper.Username+" is on call for **ops** until", "override by @"+a.Username)
	oc := e.onCallAt(b, "ops", time.Time{})
	require.Equal(t, helper.Id, oc.UserID)
	require.Equal(t, "override", oc.Reason)
	require.Equal(t, a.Id, oc.OverrideBy)
	require.InDelta(t, float64(time.Now().Add(2*time.Hour).UnixMilli()), float64(oc.Until), float64(time.Minute.Milliseconds()))
	require.Equal(t, a.Id, e.onCallAt(b, "ops", time.Now().Add(3*time.Hour)).UserID, "after the override, the shift again")
	requireContains(t, e.run(b, e.square.Id, "/devops oncall ops").Text, "@"+helper.Username, "override by @"+a.Username)

	// Refusals name what is wrong and change nothing.
	requireContains(t, e.run(outsider, e.square.Id, "/devops oncall override ops @"+outsider.Username+" 2h").Text, "Only ops's members or a team or system admin")
	requireContains(t, e.run(a, e.square.Id, "/devops oncall override ops @"+helper.Username+" 90d").Text, "duration:")
	requireContains(t, e.run(a, e.square.Id, "/devops rotation create nope @"+a.Username).Text, "Only a team or system admin can change rotations.")
	var bad apiError
	body := func(extra map[string]any) map[string]any {
		out := map[string]any{"team_id": e.team.Id, "name": "r" + fmt.Sprint(time.Now().UnixNano()%100000), "members": []string{a.Username}}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	require.Equal(t, http.StatusForbidden, api(t, a, http.MethodPost, "/api/v1/rotations", body(nil), &bad))
	for field, extra := range map[string]map[string]any{
		"shift":          {"shift": "30m"},
		"timezone":       {"timezone": "Mars/Olympus_Mons"},
		"members":        {"members": []string{"nobody-by-this-name"}},
		"escalate_after": {"escalate_after": "1s"},
		"handoff":        {"handoff": "25:00"},
		"discipline":     {"discipline": "astrology"},
		"escalate_to":    {"escalate_to": "rotation:missing"},
	} {
		bad = apiError{}
		require.Equal(t, http.StatusBadRequest, api(t, admin, http.MethodPost, "/api/v1/rotations", body(extra), &bad), field)
		require.True(t, strings.HasPrefix(bad.Error, field+":"), "the refusal names %s: %s", field, bad.Error)
	}
	require.Equal(t, http.StatusConflict, api(t, admin, http.MethodPost, "/api/v1/rotations", map[string]any{"team_id": e.team.Id, "name": "OPS", "members": []string{a.Username}}, &bad))
	var list struct {
		Items []rotationJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, outsider, http.MethodGet, "/api/v1/rotations?team_id="+e.team.Id, nil, &list))
	require.Len(t, list.Items, 1, "refused rotations are not made")

	// Admins change rotations: add, remove, patch, delete.
	requireContains(t, e.run(admin, e.square.Id, "/devops rotation add ops @"+helper.Username).Text, "@"+a.Username+" → @"+b.Username+" → @"+helper.Username)
	requireContains(t, e.run(admin, e.square.Id, "/devops rotation remove ops @"+b.Username).Text, "@"+a.Username+" → @"+helper.Username)
	var patched rotationJSON
	require.Equal(t, http.StatusOK, api(t, admin, http.MethodPatch, "/api/v1/rotations/"+list.Items[0].ID, map[string]any{"escalate_after": "10m", "discipline": "operations"}, &patched))
	require.Equal(t, "10m", patched.EscalateAfter)
	require.Equal(t, "operations", patched.Discipline)
	require.Equal(t, http.StatusForbidden, api(t, a, http.MethodDelete, "/api/v1/rotations/"+list.Items[0].ID, nil, &bad))
	requireContains(t, e.run(admin, e.square.Id, "/devops rotation delete ops").Text, "Deleted rotation **ops**")
	require.Equal(t, http.StatusNotFound, api(t, a, http.MethodGet, "/api/v1/rotations/"+list.Items[0].ID, nil, &bad))

	// The form creates one too, and puts a bad field's refusal under it.
	var form model.SubmitDialogResponse
	submission := map[string]any{"name": "formed", "members": "@" + a.Username + " @" + b.Username, "shift": "20m", "handoff": "09:00",
		"timezone": "UTC", "escalate_after": "5m"}
	req := model.SubmitDialogRequest{State: e.team.Id, Submission: submission}
	require.Equal(t, http.StatusOK, api(t, admin, http.MethodPost, app.DialogPath(app.DialogRotation), req, &form))
	require.Contains(t, form.Errors["shift"], "at least 1h")
	submission["shift"] = "12h"
	form = model.SubmitDialogResponse{}
	require.Equal(t, http.StatusOK, api(t, admin, http.MethodPost, app.DialogPath(app.DialogRotation), req, &form))
	require.Empty(t, form.Errors)
	requireContains(t, e.run(b, e.square.Id, "/devops rotation show formed").Text, "Shifts of 12h, handing over at 09:00 UTC")
}

// The "done when": a page to a rotation reaches the first member with an
// Acknowledge button, the second after escalate_after, then the escalation target,
// each once across a plugin restart and a server kill, and stops when acknowledged.
func TestPageEscalatesOnceAcrossRestartsAndStopsWhenAcknowledged(t *testing.T) {
	e := newEnv(t)
	admin := e.teamAdmin("pgadmin")
	lead, first, second, boss := e.user("lead"), e.user("first"), e.user("second"), e.user("boss")
	e.rotation(admin, map[string]any{"name": "db", "members": []string{first.Username, second.Username},
		"escalate_after": "4s", "escalate_to": "@" + boss.Username})
	w := e.start(lead, "incident Replica lag --severity sev3")

	answer := e.run(lead, w.ChannelID, "/devops page db Replica lag over 10 minutes").Text
	requireContains(t, answer, "Paged rotation:db (reached @"+first.Username+")")
	id := e.newestPage(lead)
	dm := paged(t, first, id, 10*time.Second)
	requireContains(t, dm.Message, "@"+first.Username+", you are paged as on call for **db** by @"+lead.Username, "Replica lag over 10 minutes",
		"~"+w.ChannelName, "goes to @"+second.Username+" in 4s")
	require.Equal(t, []string{app.ActionAck}, offered(dm))
	requireMemberSoon(t, w.ChannelID, first)

	// A plugin restart between the steps: the second member is paged once.
	require.NoError(t, srv.RestartPlugin("devops-channels"))
	paged(t, second, id, 20*time.Second)
	requireMemberSoon(t, w.ChannelID, second)
	// The first member's message now shows whom the page reached.
	eventually(t, 10*time.Second, func() bool {
		return strings.Contains(pageDMs(t, first, id)[0].Message, "Paged so far: @"+first.Username)
	}, "the first page to show the escalation")

	// A server kill between the steps: the escalation target is paged once.
	require.NoError(t, srv.Restart())
	bossDM := paged(t, boss, id, 30*time.Second)
	require.Len(t, pageDMs(t, first, id), 1)
	require.Len(t, pageDMs(t, second, id), 1)

	// The target acknowledges by button: the page stops, every message shows it.
	after := press(t, boss, bossDM, app.ActionAck, "")
	requireContains(t, after.Message, "✅ **Acknowledged** by @"+boss.Username)
	require.Empty(t, offered(after), "no Acknowledge button once acknowledged")
	p := getPage(t, lead, id)
	require.Equal(t, "acknowledged", p.Status)
	require.Equal(t, boss.Id, p.AcknowledgedBy)
	require.Equal(t, []string{first.Id, second.Id, boss.Id}, notifiedIDs(p))
	eventually(t, 10*time.Second, func() bool {
		return strings.Contains(pageDMs(t, first, id)[0].Message, "Acknowledged** by @"+boss.Username)
	}, "the first page to show the acknowledgement")
	directFromBot(t, lead, "@"+boss.Username+" acknowledged your page to rotation:db")

	// Nothing more after the acknowledgement: the next round does not start.
	time.Sleep(6 * time.Second)
	require.Len(t, getPage(t, lead, id).Notified, 3)
	require.Len(t, pageDMs(t, first, id), 1, "round two never starts")
	var again apiError
	require.Equal(t, http.StatusConflict, api(t, second, http.MethodPost, "/api/v1/pages/"+id+"/ack", nil, &again))
	requireContains(t, again.Error, "Already acknowledged by @"+boss.Username)

	// Every step is on the timeline exactly once.
	var timeline struct {
		Items []struct {
			Type string `json:"type"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID+"/timeline", nil, &timeline))
	counts := map[string]int{}
	for _, ev := range timeline.Items {
		counts[ev.Type]++
	}
	require.Equal(t, 1, counts[app.EventPage])
	require.Equal(t, 2, counts[app.EventPageEscalated])
	require.Equal(t, 1, counts[app.EventPageAcknowledged])
	requireContains(t, e.run(lead, w.ChannelID, "/devops timeline").Text, "Page escalated", "Page acknowledged")
}

// A node that claimed a step and died before the direct message left the step
// undelivered: the next tick sends it once, or finds the message already sent.
func TestPageStepsLeftUndeliveredAreDeliveredOnce(t *testing.T) {
	e := newEnv(t)
	lead, target := e.user("lead"), e.user("target")
	require.Equal(t, http.StatusCreated, api(t, lead, http.MethodPost, "/api/v1/pages",
		map[string]any{"team_id": e.team.Id, "target": "@" + target.Username, "message": "Disk full on db-3"}, nil))
	id := e.newestPage(lead)
	paged(t, target, id, 10*time.Second)
	db, err := srv.DB()
	require.NoError(t, err)

	// Sent, but not recorded as sent (the crash came after the post): not sent again.
	_, err = db.Exec(`UPDATE devops_page_notifications SET delivered = FALSE, at = at - 60000 WHERE page_id = $1`, id)
	require.NoError(t, err)
	eventually(t, 10*time.Second, func() bool {
		var pending int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_page_notifications WHERE page_id = $1 AND NOT delivered`, id).Scan(&pending))
		return pending == 0
	}, "the tick to find the message")
	require.Len(t, pageDMs(t, target, id), 1)

	// Claimed, not sent (the crash came before the post): sent once.
	_, err = srv.Admin.DeletePost(context.Background(), pageDMs(t, target, id)[0].Id)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE devops_page_notifications SET delivered = FALSE, post_id = '' WHERE page_id = $1`, id)
	require.NoError(t, err)
	paged(t, target, id, 10*time.Second)
	time.Sleep(2 * time.Second)
	require.Len(t, pageDMs(t, target, id), 1)
}

func TestPageAcknowledgedByCommandAndRefusals(t *testing.T) {
	e := newEnv(t)
	sender, target, stranger := e.user("sender"), e.user("target"), e.user("stranger")
	requireContains(t, e.run(sender, e.square.Id, "/devops page @"+target.Username+" Can you look at the failed deploy?").Text, "Paged @"+target.Username)
	id := e.newestPage(sender)
	dm := paged(t, target, id, 10*time.Second)
	requireContains(t, dm.Message, "Can you look at the failed deploy?")

	var bad apiError
	require.Equal(t, http.StatusNotFound, api(t, stranger, http.MethodGet, "/api/v1/pages/"+id, nil, &bad), "a page is its people's")
	requireContains(t, e.run(stranger, e.square.Id, "/devops ack").Text, "No open page for you to acknowledge.")
	// The page waits in the target's inbox until acknowledged, and in nobody else's.
	inbox := e.todo(target)
	require.Len(t, inbox.Pages, 1)
	require.Equal(t, id, inbox.Pages[0].ID)
	requireContains(t, inbox.Pages[0].Message, "Can you look at the failed deploy?")
	requireContains(t, e.run(target, e.square.Id, "/devops todo").Text, "Pages waiting for your acknowledgement", "Can you look at the failed deploy?")
	require.Empty(t, e.todo(stranger).Pages)
	requireContains(t, e.run(target, dm.ChannelId, "/devops ack").Text, "✅ Acknowledged the page to @"+target.Username+" from @"+sender.Username)
	p := getPage(t, sender, id)
	require.Equal(t, "acknowledged", p.Status)
	require.Equal(t, target.Id, p.AcknowledgedBy)
	eventually(t, 10*time.Second, func() bool { return len(offered(pageDMs(t, target, id)[0])) == 0 }, "the button to go")
	require.Empty(t, e.todo(target).Pages, "an acknowledged page leaves the inbox")

	for want, body := range map[string]map[string]any{
		"message:": {"team_id": e.team.Id, "target": "@" + target.Username, "message": " "},
		"target:":  {"team_id": e.team.Id, "target": "rotation:none-such", "message": "hello"},
	} {
		bad = apiError{}
		require.Equal(t, http.StatusBadRequest, api(t, sender, http.MethodPost, "/api/v1/pages", body, &bad))
		requireContains(t, bad.Error, want)
	}
	requireContains(t, e.run(sender, e.square.Id, "/devops page @nobody-by-this-name hello").Text, "target: no user @nobody-by-this-name.")
}

// A page from a private workflow tells someone outside it only that they are paged
// into a private workflow, and adds them to it.
func TestPagesNeverLeakAPrivateWorkflow(t *testing.T) {
	e := newEnv(t)
	admin := e.teamAdmin("secadmin")
	lead, responder := e.user("lead"), e.user("responder")
	e.rotation(admin, map[string]any{"name": "sec", "members": []string{responder.Username}})
	w := e.start(lead, "security Token leaked --private")
	e.run(lead, w.ChannelID, "/devops page sec The deploy token is in the CI logs")
	id := e.newestPage(lead)
	dm := paged(t, responder, id, 10*time.Second)
	requireContains(t, dm.Message, "private workflow")
	require.NotContains(t, dm.Message, "deploy token")
	require.NotContains(t, dm.Message, w.ChannelName)
	require.NotContains(t, dm.Message, "Token leaked")
	requireMemberSoon(t, w.ChannelID, responder)
}

// Incidents page by themselves: the built-in incident pages the operations rotation
// at sev1 and sev2, and the paged person joins the channel.
func TestSevereIncidentsPageTheOperationsRotation(t *testing.T) {
	e := newEnv(t)
	admin := e.teamAdmin("incadmin")
	lead, oncall := e.user("lead"), e.user("oncall")
	e.rotation(admin, map[string]any{"name": "ops-primary", "discipline": "operations", "members": []string{oncall.Username}})
	w := e.start(lead, "incident Checkout is down --severity sev1")
	dm := directFromBot(t, oncall, "SEV1 incident: Checkout is down")
	requireContains(t, dm.Message, "as on call for **ops-primary**", "~"+w.ChannelName)
	requireMemberSoon(t, w.ChannelID, oncall)
	requireContains(t, e.run(lead, w.ChannelID, "/devops timeline").Text, "Paged")

	e.start(lead, "incident Slow admin page --severity sev4")
	time.Sleep(2 * time.Second)
	require.Zero(t, postsContaining(t, oncall, dm.ChannelId, "Slow admin page"), "sev4 pages nobody")

	// Raised to a severity that pages, it pages then; lowered and raised within the
	// same rotation's severities, it does not page again.
	slow := e.workflowOf(lead, e.start(lead, "incident Slower admin page --severity sev4").ChannelID)
	require.Empty(t, e.run(lead, slow.ChannelID, "/devops severity sev2").Text)
	raised := directFromBot(t, oncall, "SEV2 incident: Slower admin page")
	requireContains(t, raised.Message, "~"+slow.ChannelName)
	requireMemberSoon(t, slow.ChannelID, oncall)
	require.Empty(t, e.run(lead, slow.ChannelID, "/devops severity sev1").Text)
	time.Sleep(2 * time.Second)
	require.Zero(t, postsContaining(t, oncall, dm.ChannelId, "SEV1 incident: Slower admin page"), "the same rotation is not paged twice")
}

// An incident a failed production deploy opens pages the operations rotation too.
func TestFailedDeployIncidentPagesOnCall(t *testing.T) {
	e := newEnv(t)
	h := useWebhook(t, nil)
	admin := e.teamAdmin("deployadmin")
	dev, oncall := e.withDiscipline("dev", "developer"), e.user("oncall")
	e.rotation(admin, map[string]any{"name": "ops", "discipline": "operations", "members": []string{oncall.Username}})
	v := version()
	e.start(dev, "release Release "+v)
	status, res := h.post("deploy", deployEvent{Service: "search-api", Version: v, Environment: "production", Status: "failed"})
	require.Equal(t, http.StatusOK, status, res.Error)
	require.NotNil(t, res.Incident)
	require.True(t, res.Incident.Opened)
	dm := directFromBot(t, oncall, "SEV2 incident: Failed deploy: search-api "+v+" to production")
	require.Equal(t, []string{app.ActionAck}, offered(dm))
	requireMemberSoon(t, res.Incident.ChannelID, oncall)
}
