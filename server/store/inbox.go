package store

import (
	"context"
	"encoding/json"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// inboxWorkflowJSON are the fields of an inbox item's workflow (app.InboxWorkflow and
// what the service judges gates and cadences by), for the workflow w and its channel
// c (inboxChannel). Private as in privateSQL: the channel's type now.
const inboxWorkflowJSON = `'workflow_id', w.id, 'team_id', w.team_id, 'channel_id', w.channel_id,
	'channel_name', w.channel_name, 'display_name', COALESCE(c.displayname, ''),
	'type', w.type, 'seq', w.seq, 'title', w.title, 'private', COALESCE(c.type = 'P', w.private)`

// inboxJudgedJSON adds what the service judges a gate or a cadence by (a task needs
// none of it).
const inboxJudgedJSON = inboxWorkflowJSON + `, 'id', w.id, 'status', w.status, 'stage', w.stage,
	'severity', w.severity, 'created_at', w.created_at, 'template_version', w.template_version`

// inboxChannel joins w's channel as c, for inboxWorkflowJSON.
const inboxChannel = ` LEFT JOIN channels c ON c.id = w.channel_id`

// inboxFactsQuery reads a whole inbox in one round trip ($1 team, $2 user, $3 reads
// public channels, $4 the limit of each section), each section on its own index:
// tasks by assignee (devops_tasks_open_assignees_idx), the person's channels
// (Mattermost's channel members by user) joined to their workflows
// (channel_id is unique) and templates, and workflows by lead
// (devops_workflows_active_lead_idx). Nothing is read unless they are in the team.
var inboxFactsQuery = `SELECT json_build_object(` + userFacts + `), COALESCE(team.name, ''),
	(SELECT COALESCE(json_agg(json_build_object(` + inboxWorkflowJSON + `, 'number', x.number, 'text', x.text, 'due_at', x.due_at,
			'assignee_ids', x.assignee_ids) ORDER BY x.undated, x.due_at, x.created_at), '[]')
		FROM (
			-- The page first, its JSON after: only the rows shown are built.
			SELECT k.number, k.text, k.due_at, k.assignee_ids, k.created_at, k.due_at = 0 AS undated, k.workflow_id
			FROM devops_tasks k JOIN devops_workflows w ON w.id = k.workflow_id
			WHERE tm.userid IS NOT NULL AND k.assignee_ids @> ARRAY[$2::VARCHAR(26)] AND NOT k.done
				AND w.team_id = $1 AND w.status = 'active' AND ` + visibleTo("$2", "$3") + `
			ORDER BY k.due_at = 0, k.due_at, k.created_at LIMIT $4) x
		JOIN devops_workflows w ON w.id = x.workflow_id` + inboxChannel + `),
	(SELECT COALESCE(json_agg(x.j), '[]') FROM (
		SELECT json_build_object(` + inboxJudgedJSON + `, 'signoffs', COALESCE((SELECT json_agg(json_build_object(
			'stage', s.stage, 'discipline', s.discipline)) FROM devops_signoffs s WHERE s.workflow_id = w.id), '[]')) AS j
		FROM channelmembers gm JOIN devops_workflows w ON w.channel_id = gm.channelid
		JOIN devops_template_versions tv ON tv.version = w.template_version` + inboxChannel + `
		WHERE tm.userid IS NOT NULL AND d.discipline IS NOT NULL AND gm.userid = $2 AND w.team_id = $1 AND w.status = 'active'
			AND tv.template -> 'stages' @> jsonb_build_array(jsonb_build_object('gate', jsonb_build_array(d.discipline::TEXT)))
		ORDER BY w.created_at LIMIT $4) x),
	(SELECT COALESCE(json_agg(x.j), '[]') FROM (
		SELECT json_build_object(` + inboxJudgedJSON + `, 'last_status', CASE WHEN w.last_status_at > 0 THEN json_build_object(
			'text', '', 'user_id', w.last_status_user_id, 'at', w.last_status_at) END) AS j
		FROM devops_workflows w` + inboxChannel + `
		WHERE tm.userid IS NOT NULL AND w.lead_id = $2 AND w.team_id = $1 AND w.status = 'active'
		ORDER BY w.created_at LIMIT $4) x)
	FROM (SELECT 1) one` + userJoins("$1", "$2") + `
	LEFT JOIN teams team ON team.id = $1`

// InboxFacts reads what waits for a person in a team (see app.Store).
func (s *Store) InboxFacts(ctx context.Context, q app.InboxQuery) (*app.InboxFacts, error) {
	var viewer, tasks, gated, led []byte
	facts := &app.InboxFacts{}
	err := s.db.QueryRowContext(ctx, inboxFactsQuery, q.TeamID, q.UserID, q.ReadsPublic, q.Limit).
		Scan(&viewer, &facts.TeamName, &tasks, &gated, &led)
	if err != nil {
		return nil, errors.Wrap(err, "read inbox")
	}
	for _, part := range []struct {
		raw []byte
		to  any
	}{{viewer, &facts.Viewer}, {tasks, &facts.Tasks}, {gated, &facts.Gated}, {led, &facts.Led}} {
		if err := json.Unmarshal(part.raw, part.to); err != nil {
			return nil, errors.Wrap(err, "decode inbox")
		}
	}
	facts.Viewer.ID = q.UserID
	return facts, nil
}

// dueTasks selects the tasks whose due reminder is owed, on devops_tasks_due_idx.
const dueTasks = `FROM devops_tasks k JOIN devops_workflows w ON w.id = k.workflow_id
	WHERE NOT k.done AND k.due_at > 0 AND k.due_reminded_at = 0 AND k.due_at <= $1
		AND cardinality(k.assignee_ids) > 0 AND w.status = 'active'
	ORDER BY k.due_at LIMIT $2`

// DueTasks lists the tasks whose due reminder is owed (see app.Store).
func (s *Store) DueTasks(ctx context.Context, now int64, limit int) ([]app.DueTask, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(json_agg(x.j ORDER BY x.due_at), '[]') FROM (
		SELECT json_build_object('task', json_build_object('id', k.id, 'number', k.number, 'text', k.text, 'due_at', k.due_at,
			'assignee_ids', k.assignee_ids),
			'workflow', json_build_object('id', w.id, 'team_id', w.team_id, 'channel_id', w.channel_id,
			'channel_name', w.channel_name, 'status', w.status, 'private', `+privateSQL+`)) AS j, k.due_at
		`+dueTasks+`) x`, now, limit).Scan(&raw)
	if err != nil {
		return nil, errors.Wrap(err, "list due tasks")
	}
	var out []app.DueTask
	return out, errors.Wrap(json.Unmarshal(raw, &out), "decode due tasks")
}

// ClaimDueReminder claims a task's due reminder (see app.Store): the conditional
// update decides, so two ticks (two nodes, or one after a restart) claim it once.
func (s *Store) ClaimDueReminder(ctx context.Context, taskID string, dueAt, at int64, dms []app.PendingDM, ev app.TimelineEvent) (bool, error) {
	claimed := false
	err := s.inTx(ctx, "claim due reminder", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE devops_tasks SET due_reminded_at = $3
			WHERE id = $1 AND due_at = $2 AND due_reminded_at = 0 AND NOT done`, taskID, dueAt, at)
		if err != nil {
			return errors.Wrap(err, "claim due reminder")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Wrap(err, "claim due reminder")
		}
		if err := insertDMs(ctx, tx, dms); err != nil {
			return err
		}
		claimed = true
		return insertEvents(ctx, tx, ev.WorkflowID, []app.TimelineEvent{ev})
	})
	return claimed && err == nil, err
}

// insertDMs records claimed direct messages, in one statement.
func insertDMs(ctx context.Context, tx *txn, dms []app.PendingDM) error {
	if len(dms) == 0 {
		return nil
	}
	payload, err := json.Marshal(dms)
	if err != nil {
		return errors.Wrap(err, "encode direct messages")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO devops_pending_dms (id, user_id, message, workflow_id, task_number, claimed_at)
		SELECT d."ID", d."UserID", d."Message", d."WorkflowID", d."TaskNumber", d."ClaimedAt"
		FROM json_to_recordset($1::json) AS d("ID" text, "UserID" text, "Message" text, "WorkflowID" text, "TaskNumber" int, "ClaimedAt" bigint)`,
		string(payload))
	return errors.Wrap(err, "record direct messages")
}

// PendingDMs lists claimed direct messages not known to be sent, oldest first.
func (s *Store) PendingDMs(ctx context.Context, before int64, limit int) ([]app.PendingDM, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, message, workflow_id, task_number, claimed_at FROM devops_pending_dms
		WHERE claimed_at < $1 ORDER BY claimed_at`+limitAtLeast(limit), before)
	if err != nil {
		return nil, errors.Wrap(err, "list pending direct messages")
	}
	defer func() { _ = rows.Close() }()
	var out []app.PendingDM
	for len(out) < limit && rows.Next() {
		var d app.PendingDM
		if err := rows.Scan(&d.ID, &d.UserID, &d.Message, &d.WorkflowID, &d.TaskNumber, &d.ClaimedAt); err != nil {
			return nil, errors.Wrap(err, "read pending direct message")
		}
		out = append(out, d)
	}
	return out, errors.Wrap(rows.Err(), "list pending direct messages")
}

// DMSent forgets a direct message once it is sent.
func (s *Store) DMSent(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM devops_pending_dms WHERE id = $1`, id)
	return errors.Wrap(err, "forget sent direct message")
}

// DigestCandidates lists, per team, the people something may wait for: assignees of
// open tasks, leads, and members with a verified discipline of channels of active
// workflows — less those who turned the digest off (see app.Store).
func (s *Store) DigestCandidates(ctx context.Context, since int64) ([]app.DigestCandidate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.user_id, c.team_id, COALESCE((SELECT MAX(g.local_date) FROM devops_digests g
			WHERE g.user_id = c.user_id AND g.claimed_at >= $1), '')
		FROM (
			SELECT unnest(k.assignee_ids) AS user_id, w.team_id FROM devops_tasks k JOIN devops_workflows w ON w.id = k.workflow_id
				WHERE NOT k.done AND cardinality(k.assignee_ids) > 0 AND w.status = 'active'
			UNION SELECT w.lead_id, w.team_id FROM devops_workflows w WHERE w.status = 'active'
			UNION SELECT cm.userid, w.team_id FROM devops_user_disciplines d
				JOIN channelmembers cm ON cm.userid = d.user_id
				JOIN devops_workflows w ON w.channel_id = cm.channelid AND w.status = 'active'
		) c
		WHERE NOT EXISTS (SELECT 1 FROM devops_digest_prefs p WHERE p.user_id = c.user_id AND NOT p.enabled)
		ORDER BY c.user_id, c.team_id`, since)
	if err != nil {
		return nil, errors.Wrap(err, "list digest candidates")
	}
	defer func() { _ = rows.Close() }()
	var out []app.DigestCandidate
	for rows.Next() {
		var c app.DigestCandidate
		if err := rows.Scan(&c.UserID, &c.TeamID, &c.LastDigest); err != nil {
			return nil, errors.Wrap(err, "read digest candidate")
		}
		out = append(out, c)
	}
	return out, errors.Wrap(rows.Err(), "list digest candidates")
}

// ClaimDigest claims a person's digest of a local day (see app.Store).
func (s *Store) ClaimDigest(ctx context.Context, userID, localDate string, at int64, dm *app.PendingDM) (bool, error) {
	claimed := false
	err := s.inTx(ctx, "claim digest", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO devops_digests (user_id, local_date, sent, claimed_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, userID, localDate, dm != nil, at)
		if err != nil {
			return errors.Wrap(err, "claim digest")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Wrap(err, "claim digest")
		}
		claimed = true
		if dm == nil {
			return nil
		}
		return insertDMs(ctx, tx, []app.PendingDM{*dm})
	})
	return claimed && err == nil, err
}

// SetDigest records a person's digest preference.
func (s *Store) SetDigest(ctx context.Context, userID string, on bool, at int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO devops_digest_prefs (user_id, enabled, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at`, userID, on, at)
	return errors.Wrap(err, "save digest preference")
}

// DigestOn reports a person's digest preference: on unless they turned it off.
func (s *Store) DigestOn(ctx context.Context, userID string) (bool, error) {
	on := true
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT enabled FROM devops_digest_prefs WHERE user_id = $1), TRUE)`, userID).Scan(&on)
	return on, errors.Wrap(err, "read digest preference")
}
