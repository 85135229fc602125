package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

// mappedPeople makes n team members whose discipline a system admin mapped, and
// returns them with the mapping's reset.
func (e *env) mappedPeople(prefix, discipline string, n int) []*member {
	e.t.Helper()
	people := make([]*member, n)
	lines := make([]string, n)
	for i := range people {
		people[i] = e.user(prefix)
		lines[i] = people[i].Username + ": " + discipline
	}
	setPluginSetting(e.t, "disciplinemapping", strings.Join(lines, "\n"))
	e.t.Cleanup(func() { _ = srv.SetPluginSetting("disciplinemapping", "") })
	return people
}

func idsOf(people []*member) []string {
	out := make([]string, len(people))
	for i, p := range people {
		out[i] = p.Id
	}
	return out
}

// requireMemberSoon waits for someone a start invited: they are added after it answers.
func requireMemberSoon(t *testing.T, channelID string, m *member) {
	t.Helper()
	eventually(t, 10*time.Second, func() bool {
		_, _, err := srv.Admin.GetChannelMember(context.Background(), channelID, m.Id, "")
		return err == nil
	}, "@"+m.Username+" to be added to the channel")
}

// membersAmong counts how many of the users are in the channel, from Mattermost's tables.
func membersAmong(t *testing.T, db *sql.DB, channelID string, userIDs []string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM channelmembers WHERE channelid = $1 AND userid = ANY($2::text[])`,
		channelID, pq.Array(userIDs)).Scan(&n))
	return n
}

// requireAddedOnce checks that each user joined the channel once by Mattermost's
// membership history and got one "added to the channel" post, on addedBy's behalf.
func requireAddedOnce(t *testing.T, db *sql.DB, m *member, channelID, addedBy string, userIDs []string) {
	t.Helper()
	// Mattermost logs the join history in the background after an add, as it writes
	// its system posts: wait for a row each, then count.
	joins := map[string]int{}
	eventually(t, 10*time.Second, func() bool {
		rows, err := db.Query(`SELECT userid, count(*) FROM channelmemberhistory WHERE channelid = $1 AND userid = ANY($2::text[]) GROUP BY userid`,
			channelID, pq.Array(userIDs))
		require.NoError(t, err)
		defer func() { _ = rows.Close() }()
		joins = map[string]int{}
		for rows.Next() {
			var id string
			var n int
			require.NoError(t, rows.Scan(&id, &n))
			joins[id] = n
		}
		require.NoError(t, rows.Err())
		return len(joins) >= len(userIDs)
	}, "a join history row for everyone")
	// Mattermost writes its system posts after answering each add.
	var added map[string]int
	eventually(t, 10*time.Second, func() bool {
		posts, _, err := m.client.GetPostsForChannel(context.Background(), channelID, 0, 200, "", false, false)
		require.NoError(t, err)
		added = map[string]int{}
		for _, p := range posts.Posts {
			if p.Type == model.PostTypeAddToChannel && p.GetProp("userId") == addedBy {
				added[fmt.Sprint(p.GetProp(model.PostPropsAddedUserId))]++
			}
		}
		return len(added) >= len(userIDs)
	}, "an added-to-the-channel post for everyone")
	for _, id := range userIDs {
		require.Equal(t, 1, joins[id], "joined once: %s", id)
		require.Equal(t, 1, added[id], "one added post: %s", id)
	}
}

// An incident with 20 operations people mapped answers before they are added and
// says who is being added; all 20 are in the channel within seconds, each once. Then,
// with every add slowed by the database, the answer still comes first.
func TestStartAddsTheInvitedAfterAnswering(t *testing.T) {
	e := newEnv(t)
	db, err := srv.DB()
	require.NoError(t, err)
	lead := e.withDiscipline("lead", "developer")
	ops := e.mappedPeople("ops", "operations", 20)
	ids := idsOf(ops)

	began := time.Now()
	w := e.start(lead, "incident Checkout errors for everyone")
	eventually(t, 5*time.Second, func() bool { return membersAmong(t, db, w.ChannelID, ids) == len(ids) }, "all 20 in the channel")
	t.Logf("start and all 20 operations people added: %v", time.Since(began).Round(time.Millisecond))
	requireContains(t, firstPost(t, lead, w.ChannelID).Message, "**Adding 20 people:** @")
	for _, p := range ops {
		requireContains(t, firstPost(t, lead, w.ChannelID).Message, "@"+p.Username)
	}
	requireAddedOnce(t, db, lead, w.ChannelID, lead.Id, ids)
	var left int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_invites WHERE workflow_id = $1`, w.ID).Scan(&left))
	require.Zero(t, left, "every invite done is forgotten")

	// Every add of these 20 now waits 0.3 s in the database: adding them takes at least
	// 1.5 s (four at a time), so an answer within a second did not wait for them.
	mustExec(t, db, `CREATE TABLE IF NOT EXISTS e2e_slow_users (userid VARCHAR(26) PRIMARY KEY)`)
	_, err = db.Exec(`INSERT INTO e2e_slow_users SELECT unnest($1::text[])`, pq.Array(ids))
	require.NoError(t, err)
	mustExec(t, db, `CREATE OR REPLACE FUNCTION e2e_slow_invite() RETURNS trigger AS $$
		BEGIN IF EXISTS (SELECT 1 FROM e2e_slow_users WHERE userid = NEW.userid) THEN PERFORM pg_sleep(0.3); END IF; RETURN NEW; END
		$$ LANGUAGE plpgsql`)
	mustExec(t, db, `CREATE TRIGGER e2e_slow_invite BEFORE INSERT ON channelmembers FOR EACH ROW EXECUTE FUNCTION e2e_slow_invite()`)
	t.Cleanup(func() {
		mustExec(t, db, `DROP TRIGGER IF EXISTS e2e_slow_invite ON channelmembers`)
		mustExec(t, db, `DROP TABLE IF EXISTS e2e_slow_users`)
	})
	began = time.Now()
	resp := e.run(lead, e.square.Id, "/devops start incident Payments slow in APAC")
	answered := time.Since(began)
	requireContains(t, resp.Text, "Started ~")
	channel := strings.TrimSuffix(strings.TrimPrefix(resp.Text, "Started ~"), ".")
	ch, _, err := lead.client.GetChannelByName(context.Background(), channel, e.team.Id, "")
	require.NoError(t, err)
	inAtAnswer := membersAmong(t, db, ch.Id, ids)
	require.Less(t, answered, time.Second, "the start answered without waiting for the people it invites")
	require.Less(t, inAtAnswer, len(ids), "when the start answered, not everyone had been added yet")
	eventually(t, 15*time.Second, func() bool { return membersAmong(t, db, ch.Id, ids) == len(ids) }, "all 20 in the slowed channel")
	t.Logf("slowed: answered in %v with %d of 20 in the channel", answered.Round(time.Millisecond), inAtAnswer)
	requireAddedOnce(t, db, lead, ch.Id, lead.Id, ids)
}

// A start whose node died before adding everyone it invited leaves them recorded; the
// scheduler adds them — except someone who was added and left meanwhile — each once.
func TestInvitesLeftByADeadNodeAreAddedOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	db, err := srv.DB()
	require.NoError(t, err)
	lead := e.withDiscipline("lead", "developer")
	w := e.start(lead, "incident Nobody invited yet")
	waiting, left, gone := e.user("waiting"), e.user("left"), e.user("gone")
	_, err = srv.Admin.DeleteUser(ctx, gone.Id) // deactivated since the start chose them
	require.NoError(t, err)
	_, _, err = lead.client.AddChannelMember(ctx, w.ChannelID, left.Id)
	require.NoError(t, err)
	_, err = left.client.RemoveUserFromChannel(ctx, w.ChannelID, left.Id)
	require.NoError(t, err)
	// As the dead node left them: claimed a minute ago, never added (or added, and gone).
	stale := time.Now().Add(-time.Minute).UnixMilli()
	for i, m := range []*member{waiting, left, gone} {
		_, err = db.Exec(`INSERT INTO devops_invites (workflow_id, user_id, added_by, position, claimed_at) VALUES ($1, $2, $3, $4, $5)`,
			w.ID, m.Id, lead.Id, i+1, stale)
		require.NoError(t, err)
	}
	eventually(t, 15*time.Second, func() bool {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM devops_invites WHERE workflow_id = $1`, w.ID).Scan(&n))
		return n == 0
	}, "the scheduler to finish the invites")
	requireMemberSoon(t, w.ChannelID, waiting)
	require.Zero(t, membersAmong(t, db, w.ChannelID, []string{left.Id}), "someone who left stays out")
	requireAddedOnce(t, db, lead, w.ChannelID, lead.Id, []string{waiting.Id})
	// Mattermost refuses the deactivated one: one post names them, and how to add them.
	eventually(t, 10*time.Second, func() bool {
		return postsContaining(t, lead, w.ChannelID, "Could not add @"+gone.Username+" to this channel") == 1
	}, "the refusal to be posted")
	requireContains(t, botPostsSince(t, lead, w.ChannelID, 0)[len(botPostsSince(t, lead, w.ChannelID, 0))-1], "`/invite @"+gone.Username+"`")
}

// A template's limit invites the first N of a discipline in the stated order and the
// first post names who was left out and how to add them.
func TestInviteLimitNamesWhoWasLeftOut(t *testing.T) {
	e := newEnv(t)
	db, err := srv.DB()
	require.NoError(t, err)
	setPluginSetting(t, "templateoverrides", `{"incident":{"auto_invite":{"limits":{"operations":3}}}}`)
	t.Cleanup(func() { _ = srv.SetPluginSetting("templateoverrides", "") })
	lead := e.withDiscipline("lead", "developer")
	mapped := e.mappedPeople("mapped", "operations", 2)
	declared := []*member{e.withDiscipline("declared", "operations"), e.withDiscipline("declared", "operations"), e.withDiscipline("declared", "operations")}
	sort.Slice(declared, func(i, j int) bool { return declared[i].Username < declared[j].Username })

	w := e.start(lead, "incident Only a few")
	first := firstPost(t, lead, w.ChannelID).Message
	// Verified first, then by username: both mapped people and the first declared one.
	invited := append(append([]*member{}, mapped...), declared[0])
	eventually(t, 10*time.Second, func() bool { return membersAmong(t, db, w.ChannelID, idsOf(invited)) == 3 }, "the first three in")
	require.Zero(t, membersAmong(t, db, w.ChannelID, idsOf(declared[1:])), "the rest are not added")
	requireContains(t, first, "**Adding 3 people:**", "**Not invited:** 2 people of operations (the template invites the first 3",
		"@"+declared[1].Username+" and @"+declared[2].Username, "/invite @name ~"+w.ChannelName)
}
