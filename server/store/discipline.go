package store

import (
	"context"
	"database/sql"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// SetDiscipline records a user's self-declared discipline.
func (s *Store) SetDiscipline(ctx context.Context, userID string, d app.Discipline) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO devops_disciplines (user_id, discipline, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET discipline = EXCLUDED.discipline, updated_at = EXCLUDED.updated_at`,
		userID, d, nowMillis())
	return errors.Wrap(err, "save discipline")
}

// GetDiscipline returns a user's self-declared discipline, or "" when none.
func (s *Store) GetDiscipline(ctx context.Context, userID string) (app.Discipline, error) {
	var d string
	err := s.db.QueryRowContext(ctx, `SELECT discipline FROM devops_disciplines WHERE user_id = $1`, userID).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return app.Discipline(d), errors.Wrap(err, "get discipline")
}

// UsersWithDiscipline lists the users who declared a discipline.
func (s *Store) UsersWithDiscipline(ctx context.Context, d app.Discipline) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM devops_disciplines WHERE discipline = $1`, d)
	if err != nil {
		return nil, errors.Wrap(err, "list users by discipline")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errors.Wrap(err, "scan user")
		}
		out = append(out, id)
	}
	return out, errors.Wrap(rows.Err(), "list users by discipline")
}
