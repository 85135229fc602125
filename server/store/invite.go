package store

import (
	"context"
	"encoding/json"

	"github.com/lib/pq"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// queueInvitesQuery chooses whom a start invites and records them in devops_invites,
// in one round trip inside the activating transaction ($1 workflow, $2 team, $3 and $4
// the plan's disciplines and their limits, $5 the starter, $6 named usernames, $7 now).
// A discipline's people come in the stated order — verified first (mapped, then
// granted), then self-declared, each by username — and a limit keeps the first N.
// Named usernames are always invited. Only active members of the team count, never
// the starter. It answers the invited in order and, per discipline, the people left
// out: their count and the first few names, for the first post.
const queueInvitesQuery = `WITH plan AS (
	SELECT p.discipline, p.lim, p.ord FROM unnest($3::text[], $4::int[]) WITH ORDINALITY AS p(discipline, lim, ord)
), cand AS (
	SELECT d.user_id, u.username, d.discipline, p.lim, p.ord,
		row_number() OVER (PARTITION BY d.discipline
			ORDER BY CASE d.source WHEN 'mapped' THEN 1 WHEN 'granted' THEN 2 ELSE 3 END, u.username) AS n
	FROM plan p
	JOIN devops_user_disciplines d ON d.discipline = p.discipline
	JOIN users u ON u.id = d.user_id AND u.deleteat = 0
	JOIN teammembers tm ON tm.teamid = $2 AND tm.userid = d.user_id AND tm.deleteat = 0
	WHERE d.user_id <> $5
), named AS (
	SELECT u.id AS user_id, u.username, ''::text AS discipline, 0::bigint AS ord, 0::bigint AS n
	FROM users u JOIN teammembers tm ON tm.teamid = $2 AND tm.userid = u.id AND tm.deleteat = 0
	WHERE u.username = ANY($6::text[]) AND u.deleteat = 0 AND u.id <> $5
), chosen AS (
	SELECT DISTINCT ON (c.user_id) c.user_id, c.username, c.discipline, c.ord, c.n FROM (
		SELECT * FROM named
		UNION ALL SELECT user_id, username, discipline, ord, n FROM cand WHERE lim = 0 OR n <= lim) c
	ORDER BY c.user_id, c.ord
), ordered AS (
	SELECT c.*, row_number() OVER (ORDER BY c.ord, c.n, c.username) AS position FROM chosen c
), queued AS (
	INSERT INTO devops_invites (workflow_id, user_id, added_by, position, claimed_at)
	SELECT $1, o.user_id, $5, o.position, $7 FROM ordered o
)
SELECT
	COALESCE((SELECT json_agg(json_build_object('user_id', o.user_id, 'username', o.username, 'discipline', o.discipline)
		ORDER BY o.position) FROM ordered o), '[]'),
	COALESCE((SELECT json_agg(json_build_object('discipline', l.discipline, 'limit', l.lim, 'count', l.count, 'usernames', l.usernames)
		ORDER BY l.ord) FROM (
		SELECT c.discipline, c.lim, c.ord, count(*) AS count,
			(array_agg(c.username ORDER BY c.n))[1:` + leftOutNamed + `] AS usernames
		FROM cand c WHERE c.lim > 0 AND c.n > c.lim AND NOT EXISTS (SELECT 1 FROM chosen x WHERE x.user_id = c.user_id)
		GROUP BY c.discipline, c.lim, c.ord) l), '[]')`

// leftOutNamed is how many of a discipline's left-out people the first post names;
// it states how many more there are.
const leftOutNamed = "5"

// queueInvites records whom the start of w invites (see queueInvitesQuery).
func queueInvites(ctx context.Context, tx *txn, w *app.Workflow, plan app.InvitePlan) (app.Invitation, error) {
	var inv app.Invitation
	if len(plan.Disciplines) == 0 && len(plan.Usernames) == 0 {
		return inv, nil
	}
	disciplines := make([]string, len(plan.Disciplines))
	limits := make([]int64, len(plan.Disciplines))
	for i, d := range plan.Disciplines {
		disciplines[i] = string(d.Discipline)
		limits[i] = int64(d.Limit)
	}
	var invited, leftOut []byte
	err := tx.QueryRowContext(ctx, queueInvitesQuery, w.ID, w.TeamID, pq.Array(disciplines), pq.Array(limits),
		plan.AddedBy, pq.Array(plan.Usernames), nowMillis()).Scan(&invited, &leftOut)
	if err != nil {
		return inv, errors.Wrap(err, "queue invites")
	}
	if err := json.Unmarshal(invited, &inv.Invited); err != nil {
		return inv, errors.Wrap(err, "decode invites")
	}
	return inv, errors.Wrap(json.Unmarshal(leftOut, &inv.LeftOut), "decode people left out")
}

// InvitesAdded forgets invites that are done: added, or given up with a reason.
func (s *Store) InvitesAdded(ctx context.Context, workflowID string, userIDs []string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM devops_invites WHERE workflow_id = $1 AND user_id = ANY($2::text[])`,
		workflowID, pq.Array(userIDs))
	return errors.Wrap(err, "forget added invites")
}

// ClaimStaleInvites takes up to limit invites claimed before `before` — left by a
// start whose node died before adding them — for the caller, claimed at `now`. Each
// comes with its workflow's channel and whether it is still to be added: the workflow
// is active and Mattermost's membership history has no row for the person in the
// channel (one who was added and left has one, and stays out). Rows are skipped, not
// waited for, while another drain holds them.
func (s *Store) ClaimStaleInvites(ctx context.Context, before, now int64, limit int) ([]app.PendingInvite, error) {
	rows, err := s.db.QueryContext(ctx, `WITH stale AS (
		SELECT workflow_id, user_id FROM devops_invites WHERE claimed_at < $1
		ORDER BY claimed_at, workflow_id, position`+limitAtLeast(limit)+` FOR UPDATE SKIP LOCKED)
	UPDATE devops_invites i SET claimed_at = $2 FROM stale, devops_workflows w
	WHERE i.workflow_id = stale.workflow_id AND i.user_id = stale.user_id AND w.id = i.workflow_id
	RETURNING i.workflow_id, w.channel_id, i.user_id, i.added_by, i.position,
		w.status = 'active' AND NOT EXISTS (SELECT 1 FROM channelmemberhistory h WHERE h.channelid = w.channel_id AND h.userid = i.user_id)`,
		before, now)
	if err != nil {
		return nil, errors.Wrap(err, "claim stale invites")
	}
	defer func() { _ = rows.Close() }()
	var out []app.PendingInvite
	for rows.Next() {
		var p app.PendingInvite
		if err := rows.Scan(&p.WorkflowID, &p.ChannelID, &p.UserID, &p.AddedBy, &p.Position, &p.ToAdd); err != nil {
			return nil, errors.Wrap(err, "scan stale invite")
		}
		out = append(out, p)
	}
	return out, errors.Wrap(rows.Err(), "claim stale invites")
}
