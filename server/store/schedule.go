package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

const scheduleColumns = `id, team_id, type, title, every, start_at, timezone, owner_id, severity, version_bump,
	carry_over, paused, next_at, next_index, started, created_by, created_at, updated_at`

func scanSchedule(row scanner) (*app.Schedule, error) {
	var sc app.Schedule
	err := row.Scan(&sc.ID, &sc.TeamID, &sc.Type, &sc.Title, &sc.Every, &sc.StartAt, &sc.Timezone, &sc.OwnerID, &sc.Severity,
		&sc.VersionBump, &sc.CarryOver, &sc.Paused, &sc.NextAt, &sc.NextIndex, &sc.Started, &sc.CreatedBy, &sc.CreatedAt, &sc.UpdatedAt)
	return &sc, err
}

func (s *Store) querySchedules(ctx context.Context, what, where string, args ...any) ([]*app.Schedule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM devops_schedules `+where, args...)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	defer rows.Close()
	out := []*app.Schedule{}
	for rows.Next() {
		sc, err := scanSchedule(rows)
		if err != nil {
			return nil, errors.Wrap(err, what)
		}
		out = append(out, sc)
	}
	return out, errors.Wrap(rows.Err(), what)
}

// CreateSchedule records a new schedule.
func (s *Store) CreateSchedule(ctx context.Context, sc *app.Schedule) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO devops_schedules (`+scheduleColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
		sc.ID, sc.TeamID, sc.Type, sc.Title, sc.Every, sc.StartAt, sc.Timezone, sc.OwnerID, sc.Severity, sc.VersionBump,
		sc.CarryOver, sc.Paused, sc.NextAt, sc.NextIndex, sc.Started, sc.CreatedBy, sc.CreatedAt, sc.UpdatedAt)
	return errors.Wrap(err, "create schedule")
}

// GetSchedule reads one schedule; app.ErrNotFound when there is none.
func (s *Store) GetSchedule(ctx context.Context, id string) (*app.Schedule, error) {
	sc, err := scanSchedule(s.db.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM devops_schedules WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.ErrNotFound
	}
	return sc, errors.Wrap(err, "get schedule")
}

// ListSchedules lists a team's schedules, oldest first.
func (s *Store) ListSchedules(ctx context.Context, teamID string) ([]*app.Schedule, error) {
	return s.querySchedules(ctx, "list schedules", `WHERE team_id = $1 ORDER BY created_at, id LIMIT 500`, teamID)
}

// UpdateSchedule saves a schedule's settings and timing, unless its updated_at moved
// since expectedUpdatedAt (an edit, or a tick that claimed an occurrence).
func (s *Store) UpdateSchedule(ctx context.Context, sc *app.Schedule, expectedUpdatedAt int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE devops_schedules SET title = $2, every = $3, start_at = $4, timezone = $5,
		severity = $6, version_bump = $7, carry_over = $8, paused = $9, next_at = $10, next_index = $11, updated_at = $12
		WHERE id = $1 AND updated_at = $13`,
		sc.ID, sc.Title, sc.Every, sc.StartAt, sc.Timezone, sc.Severity, sc.VersionBump, sc.CarryOver, sc.Paused,
		sc.NextAt, sc.NextIndex, sc.UpdatedAt, expectedUpdatedAt)
	if err != nil {
		return false, errors.Wrap(err, "update schedule")
	}
	n, err := res.RowsAffected()
	return n == 1, errors.Wrap(err, "update schedule")
}

// DeleteSchedule removes a schedule and its occurrences' records; the workflows stay.
func (s *Store) DeleteSchedule(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM devops_schedules WHERE id = $1`, id)
	return errors.Wrap(err, "delete schedule")
}

// DueSchedules lists running schedules whose next occurrence is due, the longest due first.
func (s *Store) DueSchedules(ctx context.Context, now int64, limit int) ([]*app.Schedule, error) {
	return s.querySchedules(ctx, "list due schedules", `WHERE NOT paused AND next_at <= $1 ORDER BY next_at LIMIT $2`, now, limit)
}

// ClaimOccurrence moves the schedule on and records the occurrence in one
// transaction. The update's condition is the state the tick read (next_at and the
// count of occurrences), so of two ticks, on one node or two, one claims and the
// other changes nothing; a pause or an edit in between wins the same way.
func (s *Store) ClaimOccurrence(ctx context.Context, sc *app.Schedule, nextAt int64, nextIndex int, occ app.Occurrence) (bool, error) {
	claimed := false
	err := s.inTx(ctx, "claim occurrence", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE devops_schedules SET next_at = $2, next_index = $3, started = started + 1,
			updated_at = GREATEST(updated_at + 1, $4) WHERE id = $1 AND next_at = $5 AND started = $6 AND NOT paused`,
			sc.ID, nextAt, nextIndex, occ.ClaimedAt, sc.NextAt, occ.N-1)
		if err != nil {
			return errors.Wrap(err, "move schedule on")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Wrap(err, "move schedule on")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devops_schedule_occurrences (schedule_id, n, workflow_id, title, due_at, claimed_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, occ.ScheduleID, occ.N, occ.WorkflowID, occ.Title, occ.DueAt, occ.ClaimedAt); err != nil {
			return errors.Wrap(err, "record occurrence")
		}
		claimed = true
		return nil
	})
	return claimed, err
}

// PendingOccurrences lists occurrences claimed before `before` that are neither
// started nor given up: their node died, or their start failed.
func (s *Store) PendingOccurrences(ctx context.Context, before int64, limit int) ([]app.Occurrence, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT schedule_id, n, workflow_id, title, due_at, claimed_at FROM devops_schedule_occurrences
		WHERE started_at = 0 AND error = '' AND claimed_at < $1 ORDER BY claimed_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, errors.Wrap(err, "list pending occurrences")
	}
	defer rows.Close()
	var out []app.Occurrence
	for rows.Next() {
		var o app.Occurrence
		if err := rows.Scan(&o.ScheduleID, &o.N, &o.WorkflowID, &o.Title, &o.DueAt, &o.ClaimedAt); err != nil {
			return nil, errors.Wrap(err, "scan pending occurrence")
		}
		out = append(out, o)
	}
	return out, errors.Wrap(rows.Err(), "list pending occurrences")
}

// OccurrenceDone records an occurrence's end: started at `at`, or given up with failure.
func (s *Store) OccurrenceDone(ctx context.Context, scheduleID string, n int, at int64, failure string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE devops_schedule_occurrences SET started_at = $3, error = $4
		WHERE schedule_id = $1 AND n = $2 AND started_at = 0 AND error = ''`, scheduleID, n, at, failure)
	return errors.Wrap(err, "record occurrence done")
}

// PreviousOccurrence is the workflow of the schedule's occurrence before n that
// started, or "" when none did.
func (s *Store) PreviousOccurrence(ctx context.Context, scheduleID string, n int) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT workflow_id FROM devops_schedule_occurrences
		WHERE schedule_id = $1 AND n < $2 AND started_at > 0 AND error = '' ORDER BY n DESC LIMIT 1`, scheduleID, n).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, errors.Wrap(err, "previous occurrence")
}

// LastVersion is the version in the title of the newest release of the team that
// names one ("" when none does).
func (s *Store) LastVersion(ctx context.Context, teamID string) (string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT title FROM devops_workflows
		WHERE team_id = $1 AND type = 'release' AND status <> 'starting' ORDER BY created_at DESC, id DESC LIMIT 50`, teamID)
	if err != nil {
		return "", errors.Wrap(err, "read the last release")
	}
	defer rows.Close()
	for rows.Next() {
		var title string
		if err := rows.Scan(&title); err != nil {
			return "", errors.Wrap(err, "read the last release")
		}
		if v := app.VersionIn(title); v != "" {
			return v, nil
		}
	}
	return "", errors.Wrap(rows.Err(), "read the last release")
}

// OpenFollowups lists a team's open follow-ups in the workflows the viewer may read.
func (s *Store) OpenFollowups(ctx context.Context, teamID, viewerID string, readsPublic bool, limit int) ([]app.Followup, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(json_agg(f ORDER BY f.due_at = 0, f.due_at, f.created_at, f.id), '[]') FROM (
		SELECT t.id, t.number, t.text, t.stage, t.discipline, t.assignee_id, t.due_at, t.done, t.done_by, t.done_at,
			t.created_by, t.created_at, t.followup, w.id AS workflow_id, w.channel_id, w.channel_name,
			w.type AS workflow_type, w.seq AS workflow_seq, w.title AS workflow_title, w.status AS workflow_status
		FROM devops_tasks t JOIN devops_workflows w ON w.id = t.workflow_id
		WHERE w.team_id = $1 AND w.status <> 'starting' AND t.followup AND NOT t.done AND `+visibleTo("$2", "$3")+`
		ORDER BY t.due_at = 0, t.due_at, t.created_at, t.id LIMIT $4) f`, teamID, viewerID, readsPublic, limit).Scan(&raw)
	if err != nil {
		return nil, errors.Wrap(err, "list follow-ups")
	}
	out := []app.Followup{}
	return out, errors.Wrap(json.Unmarshal(raw, &out), "decode follow-ups")
}
