package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/lib/pq"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

const rotationColumns = `id, team_id, name, discipline, members, shift_ms, handoff_minute, timezone, escalate_after_ms,
	follow_the_sun, escalate_to, created_by, created_at, updated_at`

func scanRotation(row scanner) (*app.Rotation, error) {
	var r app.Rotation
	var shift, escalate int64
	var discipline string
	var members, escalateTo pq.StringArray
	err := row.Scan(&r.ID, &r.TeamID, &r.Name, &discipline, &members, &shift, &r.HandoffMinute, &r.Timezone, &escalate,
		&r.FollowTheSun, &escalateTo, &r.CreatedBy, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.ErrNotFound
	}
	if err != nil {
		return nil, errors.Wrap(err, "read rotation")
	}
	r.Discipline, r.MemberIDs, r.EscalateTo = app.Discipline(discipline), members, escalateTo
	r.Shift, r.EscalateAfter = time.Duration(shift)*time.Millisecond, time.Duration(escalate)*time.Millisecond
	return &r, nil
}

func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505"
}

// CreateRotation records a rotation; ErrDuplicate when the team has its name.
func (s *Store) CreateRotation(ctx context.Context, r *app.Rotation) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO devops_rotations (`+rotationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.ID, r.TeamID, r.Name, string(r.Discipline), pq.Array(r.MemberIDs), r.Shift.Milliseconds(), r.HandoffMinute, r.Timezone,
		r.EscalateAfter.Milliseconds(), r.FollowTheSun, pq.Array(nonNil(r.EscalateTo)), r.CreatedBy, r.CreatedAt, r.UpdatedAt)
	if isUniqueViolation(err) {
		return app.ErrDuplicate
	}
	return errors.Wrap(err, "create rotation")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// GetRotation reads a rotation by id.
func (s *Store) GetRotation(ctx context.Context, id string) (*app.Rotation, error) {
	return scanRotation(s.db.QueryRowContext(ctx, `SELECT `+rotationColumns+` FROM devops_rotations WHERE id = $1`, id))
}

// GetRotationByName reads a team's rotation by name, in any case.
func (s *Store) GetRotationByName(ctx context.Context, teamID, name string) (*app.Rotation, error) {
	return scanRotation(s.db.QueryRowContext(ctx, `SELECT `+rotationColumns+` FROM devops_rotations
		WHERE team_id = $1 AND lower(name) = lower($2)`, teamID, name))
}

// ListRotations lists a team's rotations by name.
func (s *Store) ListRotations(ctx context.Context, teamID string) ([]*app.Rotation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+rotationColumns+` FROM devops_rotations WHERE team_id = $1 ORDER BY lower(name)`, teamID)
	if err != nil {
		return nil, errors.Wrap(err, "list rotations")
	}
	defer func() { _ = rows.Close() }()
	var out []*app.Rotation
	for rows.Next() {
		r, err := scanRotation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, errors.Wrap(rows.Err(), "list rotations")
}

// UpdateRotation saves a rotation's fields; ErrDuplicate when renamed onto another's name.
func (s *Store) UpdateRotation(ctx context.Context, r *app.Rotation) error {
	res, err := s.db.ExecContext(ctx, `UPDATE devops_rotations SET name = $2, discipline = $3, members = $4, shift_ms = $5,
		handoff_minute = $6, timezone = $7, escalate_after_ms = $8, follow_the_sun = $9, escalate_to = $10, updated_at = $11
		WHERE id = $1`,
		r.ID, r.Name, string(r.Discipline), pq.Array(r.MemberIDs), r.Shift.Milliseconds(), r.HandoffMinute, r.Timezone,
		r.EscalateAfter.Milliseconds(), r.FollowTheSun, pq.Array(nonNil(r.EscalateTo)), r.UpdatedAt)
	if isUniqueViolation(err) {
		return app.ErrDuplicate
	}
	return affectedOne(res, err, "update rotation")
}

func affectedOne(res sql.Result, err error, what string) error {
	if err != nil {
		return errors.Wrap(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return errors.Wrap(err, what)
	}
	if n == 0 {
		return app.ErrNotFound
	}
	return nil
}

// DeleteRotation removes a rotation and its overrides.
func (s *Store) DeleteRotation(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM devops_rotations WHERE id = $1`, id)
	return affectedOne(res, err, "delete rotation")
}

// AddOverride records an override.
func (s *Store) AddOverride(ctx context.Context, o *app.Override) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO devops_overrides (id, rotation_id, user_id, starts_at, ends_at, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, o.ID, o.RotationID, o.UserID, o.StartsAt, o.EndsAt, o.CreatedBy, o.CreatedAt)
	return errors.Wrap(err, "add override")
}

// Overrides lists the rotations' overrides ending after `after`, oldest arrangement first.
func (s *Store) Overrides(ctx context.Context, rotationIDs []string, after int64) ([]app.Override, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, rotation_id, user_id, starts_at, ends_at, created_by, created_at
		FROM devops_overrides WHERE rotation_id = ANY($1::text[]) AND ends_at > $2 ORDER BY created_at, id`, pq.Array(rotationIDs), after)
	if err != nil {
		return nil, errors.Wrap(err, "list overrides")
	}
	defer func() { _ = rows.Close() }()
	var out []app.Override
	for rows.Next() {
		var o app.Override
		if err := rows.Scan(&o.ID, &o.RotationID, &o.UserID, &o.StartsAt, &o.EndsAt, &o.CreatedBy, &o.CreatedAt); err != nil {
			return nil, errors.Wrap(err, "read override")
		}
		out = append(out, o)
	}
	return out, errors.Wrap(rows.Err(), "list overrides")
}

const pageColumns = `id, team_id, rotation_id, target, message, workflow_id, created_by, created_at, status,
	acknowledged_by, acknowledged_at, plan, step, escalate_after_ms, next_step_at`

func scanPage(row scanner) (*app.Page, error) {
	var p app.Page
	var plan []byte
	var escalate int64
	err := row.Scan(&p.ID, &p.TeamID, &p.RotationID, &p.Target, &p.Message, &p.WorkflowID, &p.CreatedBy, &p.CreatedAt, &p.Status,
		&p.AcknowledgedBy, &p.AcknowledgedAt, &plan, &p.Step, &escalate, &p.NextStepAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.ErrNotFound
	}
	if err != nil {
		return nil, errors.Wrap(err, "read page")
	}
	p.EscalateAfter = time.Duration(escalate) * time.Millisecond
	return &p, errors.Wrap(json.Unmarshal(plan, &p.Plan), "decode page plan")
}

// CreatePage records a page, its first step's notifications and its timeline event.
func (s *Store) CreatePage(ctx context.Context, p *app.Page, first []app.PageNotification, ev *app.TimelineEvent) error {
	plan, err := json.Marshal(p.Plan)
	if err != nil {
		return errors.Wrap(err, "encode page plan")
	}
	return s.inTx(ctx, "create page", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO devops_pages (`+pageColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			p.ID, p.TeamID, p.RotationID, p.Target, p.Message, p.WorkflowID, p.CreatedBy, p.CreatedAt, p.Status,
			p.AcknowledgedBy, p.AcknowledgedAt, string(plan), p.Step, p.EscalateAfter.Milliseconds(), p.NextStepAt); err != nil {
			return errors.Wrap(err, "record page")
		}
		return recordStep(ctx, tx, first, ev)
	})
}

// recordStep writes a step's notifications and event inside its transaction.
func recordStep(ctx context.Context, tx *txn, notes []app.PageNotification, ev *app.TimelineEvent) error {
	for _, n := range notes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO devops_page_notifications (page_id, step, user_id, at) VALUES ($1, $2, $3, $4)`,
			n.PageID, n.Step, n.UserID, n.At); err != nil {
			return errors.Wrap(err, "record page notification")
		}
	}
	if ev == nil {
		return nil
	}
	return insertEvents(ctx, tx, ev.WorkflowID, []app.TimelineEvent{*ev})
}

// GetPage reads a page with whom it notified, in order.
func (s *Store) GetPage(ctx context.Context, id string) (*app.Page, error) {
	p, err := scanPage(s.db.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM devops_pages WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT step, user_id, at, post_id, delivered FROM devops_page_notifications
		WHERE page_id = $1 ORDER BY step, at, user_id`, id)
	if err != nil {
		return nil, errors.Wrap(err, "list page notifications")
	}
	defer func() { _ = rows.Close() }()
	p.Notified = []app.PageNotification{}
	for rows.Next() {
		n := app.PageNotification{PageID: id}
		if err := rows.Scan(&n.Step, &n.UserID, &n.At, &n.PostID, &n.Delivered); err != nil {
			return nil, errors.Wrap(err, "read page notification")
		}
		p.Notified = append(p.Notified, n)
	}
	return p, errors.Wrap(rows.Err(), "list page notifications")
}

func (s *Store) listPages(ctx context.Context, what, query string, args ...any) ([]*app.Page, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	defer func() { _ = rows.Close() }()
	var out []*app.Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, errors.Wrap(rows.Err(), what)
}

// DuePages lists open pages whose next step is due, the most overdue first. Whom
// each notified so far is left out: escalation does not need it.
func (s *Store) DuePages(ctx context.Context, now int64, limit int) ([]*app.Page, error) {
	return s.listPages(ctx, "list due pages", `SELECT `+pageColumns+` FROM devops_pages
		WHERE status = 'open' AND next_step_at > 0 AND next_step_at <= $1 ORDER BY next_step_at`+limitAtLeast(limit), now)
}

// ClaimPageStep moves an open page from step `from` to the next, recording whom the
// step notifies and its event in the same transaction; false when the page moved on
// or was acknowledged first.
func (s *Store) ClaimPageStep(ctx context.Context, id string, from int, next int64, notes []app.PageNotification, ev *app.TimelineEvent) (bool, error) {
	claimed := false
	err := s.inTx(ctx, "claim page step", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE devops_pages SET step = step + 1, next_step_at = $3
			WHERE id = $1 AND step = $2 AND status = 'open'`, id, from, next)
		if err := affectedOne(res, err, "advance page"); err != nil {
			if errors.Is(err, app.ErrNotFound) {
				return nil // moved by someone else: nothing to record
			}
			return err
		}
		claimed = true
		return recordStep(ctx, tx, notes, ev)
	})
	return claimed && err == nil, err
}

// AcknowledgePage acknowledges an open page with its event; false when it was not open.
func (s *Store) AcknowledgePage(ctx context.Context, id, userID string, at int64, ev *app.TimelineEvent) (bool, error) {
	done := false
	err := s.inTx(ctx, "acknowledge page", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE devops_pages SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3,
			next_step_at = 0 WHERE id = $1 AND status = 'open'`, id, userID, at)
		if err := affectedOne(res, err, "acknowledge page"); err != nil {
			if errors.Is(err, app.ErrNotFound) {
				return nil
			}
			return err
		}
		done = true
		if ev == nil {
			return nil
		}
		return insertEvents(ctx, tx, ev.WorkflowID, []app.TimelineEvent{*ev})
	})
	return done && err == nil, err
}

// PageDelivered records a notification's direct message.
func (s *Store) PageDelivered(ctx context.Context, n app.PageNotification, postID string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE devops_page_notifications SET delivered = TRUE, post_id = $4
		WHERE page_id = $1 AND step = $2 AND user_id = $3`, n.PageID, n.Step, n.UserID, postID)
	return errors.Wrap(err, "mark page delivered")
}

// PendingPageNotifications lists notifications claimed before `before` and not
// delivered, oldest first.
func (s *Store) PendingPageNotifications(ctx context.Context, before int64, limit int) ([]app.PageNotification, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT page_id, step, user_id, at FROM devops_page_notifications
		WHERE NOT delivered AND at < $1 ORDER BY at`+limitAtLeast(limit), before)
	if err != nil {
		return nil, errors.Wrap(err, "list pending page notifications")
	}
	defer func() { _ = rows.Close() }()
	var out []app.PageNotification
	for len(out) < limit && rows.Next() {
		var n app.PageNotification
		if err := rows.Scan(&n.PageID, &n.Step, &n.UserID, &n.At); err != nil {
			return nil, errors.Wrap(err, "read pending page notification")
		}
		out = append(out, n)
	}
	return out, errors.Wrap(rows.Err(), "list pending page notifications")
}

// OpenPagesFor lists the open pages that notified a user, newest first.
func (s *Store) OpenPagesFor(ctx context.Context, userID string, limit int) ([]*app.Page, error) {
	return s.listPages(ctx, "list a user's open pages", `SELECT `+pageColumns+` FROM devops_pages p
		WHERE p.status = 'open' AND EXISTS (SELECT 1 FROM devops_page_notifications n WHERE n.page_id = p.id AND n.user_id = $1)
		ORDER BY p.created_at DESC`+limitAtLeast(limit), userID)
}

// OpenPagesOfWorkflow lists a workflow's open pages, newest first.
func (s *Store) OpenPagesOfWorkflow(ctx context.Context, workflowID string) ([]*app.Page, error) {
	return s.listPages(ctx, "list a workflow's open pages", `SELECT `+pageColumns+` FROM devops_pages
		WHERE workflow_id = $1 AND status = 'open' ORDER BY created_at DESC LIMIT 50`, workflowID)
}
