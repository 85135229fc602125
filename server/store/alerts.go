package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// alertTeamLock is the advisory lock class of a team's alert claims: one claim of a
// team at a time decides between opening, attaching and the storm, for the length of
// a short transaction that waits on nothing but PostgreSQL.
const alertTeamLock = `SELECT pg_advisory_xact_lock(hashtext('devops_alerts:' || $1))`

// alertGroup is a group's row as a claim reads it.
type alertGroup struct {
	found      bool
	workflowID string
	claimedAt  int64
	storm      bool
	active     bool // its workflow is active
}

func readAlertGroup(ctx context.Context, tx *txn, teamID, key string) (alertGroup, error) {
	g := alertGroup{found: true}
	err := tx.QueryRowContext(ctx, `SELECT g.workflow_id, g.claimed_at, g.storm, COALESCE(w.status = 'active', FALSE)
		FROM devops_alert_groups g LEFT JOIN devops_workflows w ON w.id = g.workflow_id AND g.workflow_id <> ''
		WHERE g.team_id = $1 AND g.group_key = $2`, teamID, key).Scan(&g.workflowID, &g.claimedAt, &g.storm, &g.active)
	if errors.Is(err, sql.ErrNoRows) {
		return alertGroup{}, nil
	}
	return g, errors.Wrap(err, "read alert group")
}

// pending: claimed by a delivery that is opening its incident, recently enough that
// it is still alive.
func (g alertGroup) pending(staleBefore int64) bool {
	return g.found && g.workflowID == "" && g.claimedAt >= staleBefore
}

const upsertAlertGroup = `INSERT INTO devops_alert_groups (team_id, group_key, workflow_id, claim, claimed_at, storm)
	VALUES ($1, $2, $3, $4, $5, $6)
	ON CONFLICT (team_id, group_key) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, claim = EXCLUDED.claim,
		claimed_at = EXCLUDED.claimed_at, storm = EXCLUDED.storm`

// ClaimAlertGroup decides, for one delivery of an alert group, whether to add to the
// group's active incident, open it, open the team's storm incident, or wait for
// another delivery that is opening one. The decision and the row that records it are
// one transaction under a per-team lock, so concurrent deliveries on any node decide
// one after another: one opens, the others wait and then attach, and the storm cap
// counts every open.
func (s *Store) ClaimAlertGroup(ctx context.Context, r app.AlertClaimRequest) (app.AlertClaim, error) {
	var out app.AlertClaim
	err := s.inTx(ctx, "claim alert group", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, alertTeamLock, r.TeamID); err != nil {
			return errors.Wrap(err, "lock the team's alert groups")
		}
		g, err := readAlertGroup(ctx, tx, r.TeamID, r.GroupKey)
		if err != nil {
			return err
		}
		upsert := func(key, workflowID string, storm bool) error {
			_, err := tx.ExecContext(ctx, upsertAlertGroup, r.TeamID, key, workflowID, r.Claim, r.Now, storm)
			return errors.Wrap(err, "record alert group")
		}
		switch {
		case g.found && g.workflowID != "" && g.active:
			out = app.AlertClaim{Outcome: app.ClaimAttach, WorkflowID: g.workflowID, Storm: g.storm}
			return nil
		case g.pending(r.StaleBefore) && !g.storm:
			out = app.AlertClaim{Outcome: app.ClaimWait}
			return nil
		case g.pending(r.StaleBefore):
			// Waiting for the storm incident: attach once it exists.
			storm, err := readAlertGroup(ctx, tx, r.TeamID, "")
			if err != nil {
				return err
			}
			if storm.workflowID != "" && storm.active {
				out = app.AlertClaim{Outcome: app.ClaimAttach, WorkflowID: storm.workflowID, Storm: true}
				_, err := tx.ExecContext(ctx, `UPDATE devops_alert_groups SET workflow_id = $3 WHERE team_id = $1 AND group_key = $2`,
					r.TeamID, r.GroupKey, storm.workflowID)
				return errors.Wrap(err, "attach alert group to the storm")
			}
			if storm.pending(r.StaleBefore) {
				out = app.AlertClaim{Outcome: app.ClaimWait, Storm: true}
				return nil
			}
			// The storm's opener died or failed: this delivery opens it.
		}
		var opened int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM devops_alert_opens WHERE team_id = $1 AND opened_at >= $2`,
			r.TeamID, r.WindowStart).Scan(&opened); err != nil {
			return errors.Wrap(err, "count opened alert incidents")
		}
		if r.Limit <= 0 || opened < r.Limit {
			if _, err := tx.ExecContext(ctx, `DELETE FROM devops_alert_opens WHERE team_id = $1 AND opened_at < $2`, r.TeamID, r.WindowStart); err != nil {
				return errors.Wrap(err, "prune opened alert incidents")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO devops_alert_opens (claim, team_id, opened_at) VALUES ($1, $2, $3)`,
				r.Claim, r.TeamID, r.Now); err != nil {
				return errors.Wrap(err, "count an opened alert incident")
			}
			out = app.AlertClaim{Outcome: app.ClaimOpen}
			return upsert(r.GroupKey, "", false)
		}
		storm, err := readAlertGroup(ctx, tx, r.TeamID, "")
		if err != nil {
			return err
		}
		switch {
		case storm.workflowID != "" && storm.active:
			out = app.AlertClaim{Outcome: app.ClaimAttach, WorkflowID: storm.workflowID, Storm: true}
			return upsert(r.GroupKey, storm.workflowID, true)
		case storm.pending(r.StaleBefore):
			out = app.AlertClaim{Outcome: app.ClaimWait, Storm: true}
			return upsert(r.GroupKey, "", true)
		}
		out = app.AlertClaim{Outcome: app.ClaimOpenStorm, Storm: true}
		if err := upsert("", "", false); err != nil {
			return err
		}
		return upsert(r.GroupKey, "", true)
	})
	return out, err
}

// SettleAlertGroup records the incident a claim opened (or chose) for its group, and
// for the storm when the claim opened it, with the alerts its first post showed, in
// one transaction: a delivery that then finds the group attached finds them seen.
// counted false un-counts an open the claim did not make.
func (s *Store) SettleAlertGroup(ctx context.Context, teamID, groupKey, claim, workflowID string, counted bool, seen []app.SeenAlert) error {
	return s.inTx(ctx, "settle alert group", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE devops_alert_groups SET workflow_id = $3
			WHERE team_id = $1 AND claim = $2 AND workflow_id = ''`, teamID, claim, workflowID); err != nil {
			return errors.Wrap(err, "settle alert group")
		}
		if !counted {
			if _, err := tx.ExecContext(ctx, `DELETE FROM devops_alert_opens WHERE claim = $1`, claim); err != nil {
				return errors.Wrap(err, "un-count an alert incident")
			}
		}
		_, err := insertSeen(ctx, tx, workflowID, seen)
		return err
	})
}

// ReleaseAlertGroup gives up a claim whose incident could not be opened: the next
// delivery of the group tries again, and the open is not counted.
func (s *Store) ReleaseAlertGroup(ctx context.Context, teamID, groupKey, claim string) error {
	return s.inTx(ctx, "release alert group", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM devops_alert_groups WHERE team_id = $1 AND claim = $2 AND workflow_id = ''`,
			teamID, claim); err != nil {
			return errors.Wrap(err, "release alert group")
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM devops_alert_opens WHERE claim = $1`, claim)
		return errors.Wrap(err, "un-count an alert incident")
	})
}

// SeeAlerts records alert states as shown by an incident and returns those it had
// not shown: of two deliveries of one notification, one gets them.
func (s *Store) SeeAlerts(ctx context.Context, workflowID string, alerts []app.SeenAlert) ([]app.SeenAlert, error) {
	return insertSeen(ctx, s.db, workflowID, alerts)
}

// rowsQuerier is a connection or a transaction that returns rows.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func insertSeen(ctx context.Context, q rowsQuerier, workflowID string, alerts []app.SeenAlert) ([]app.SeenAlert, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(alerts)
	if err != nil {
		return nil, errors.Wrap(err, "encode alerts")
	}
	rows, err := q.QueryContext(ctx, `INSERT INTO devops_alerts_seen (workflow_id, fingerprint, starts_at, status, seen_at)
		SELECT DISTINCT $1::text, a.fingerprint, a.starts_at, a.status, $3::bigint FROM json_to_recordset($2::json)
			AS a(fingerprint text, starts_at bigint, status text)
		ON CONFLICT DO NOTHING
		RETURNING fingerprint, starts_at, status`, workflowID, string(raw), nowMillis())
	if err != nil {
		return nil, errors.Wrap(err, "record seen alerts")
	}
	defer rows.Close()
	var out []app.SeenAlert
	for rows.Next() {
		var a app.SeenAlert
		if err := rows.Scan(&a.Fingerprint, &a.StartsAt, &a.Status); err != nil {
			return nil, errors.Wrap(err, "scan seen alert")
		}
		out = append(out, a)
	}
	return out, errors.Wrap(rows.Err(), "record seen alerts")
}

// AlertGroupIncident reads the active incident of a group in one statement, without
// a lock: the path of every notification but a group's first, which needs no claim.
func (s *Store) AlertGroupIncident(ctx context.Context, teamID, groupKey string) (*app.Workflow, bool, error) {
	var raw []byte
	var storm bool
	err := s.db.QueryRowContext(ctx, `SELECT `+workflowJSON+`, g.storm FROM devops_alert_groups g
		JOIN devops_workflows w ON w.id = g.workflow_id
		WHERE g.team_id = $1 AND g.group_key = $2 AND g.workflow_id <> '' AND w.status = 'active'`, teamID, groupKey).Scan(&raw, &storm)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, app.ErrNotFound
	}
	if err != nil {
		return nil, false, errors.Wrap(err, "read alert group's incident")
	}
	var w app.Workflow
	return &w, storm, errors.Wrap(json.Unmarshal(raw, &w), "decode workflow")
}
