package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// pruneBatch bounds the expired signatures one claim deletes, so a backlog is worked
// off over a few requests instead of stalling one.
const pruneBatch = 100

// ClaimWebhookSignature records an accepted webhook signature until expiresAt and
// reports whether it was new. The primary key makes two nodes that receive the same
// request at once agree: exactly one insert wins. A row whose time is up may be
// claimed again (its timestamp can no longer pass the freshness check anyway).
func (s *Store) ClaimWebhookSignature(ctx context.Context, signature string, expiresAt int64) (bool, error) {
	now := nowMillis()
	// SKIP LOCKED: concurrent requests prune different rows instead of queueing.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM devops_webhook_signatures WHERE signature IN (
		SELECT signature FROM devops_webhook_signatures WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
		now, pruneBatch); err != nil {
		return false, errors.Wrap(err, "prune webhook signatures")
	}
	var claimed string
	err := s.db.QueryRowContext(ctx, `INSERT INTO devops_webhook_signatures (signature, expires_at, received_at)
		VALUES ($1, $2, $3)
		ON CONFLICT (signature) DO UPDATE SET expires_at = EXCLUDED.expires_at, received_at = EXCLUDED.received_at
			WHERE devops_webhook_signatures.expires_at < EXCLUDED.received_at
		RETURNING signature`, signature, expiresAt, now).Scan(&claimed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, errors.Wrap(err, "claim webhook signature")
	}
	return true, nil
}

// ActiveWorkflowsByTitle lists active workflows of some types whose title contains a
// text, newest first, in one team or all. The caller decides what counts as a match;
// this narrows the candidates with the partial index on active workflows.
func (s *Store) ActiveWorkflowsByTitle(ctx context.Context, m app.TitleMatch) ([]*app.Workflow, error) {
	if len(m.Types) == 0 || m.Text == "" || m.Limit <= 0 {
		return nil, nil
	}
	args := []any{"%" + escapeLike(m.Text) + "%"}
	placeholders := make([]string, len(m.Types))
	for i, typ := range m.Types {
		args = append(args, typ)
		placeholders[i] = "$" + strconv.Itoa(len(args))
	}
	where := `w.status = 'active' AND w.title ILIKE $1 AND w.type IN (` + strings.Join(placeholders, ", ") + `)`
	if m.TeamID != "" {
		args = append(args, m.TeamID)
		where += ` AND w.team_id = $` + strconv.Itoa(len(args))
	}
	if m.PublicOnly {
		where += ` AND NOT w.private`
	}
	args = append(args, m.Limit)
	out, err := queryWorkflows(ctx, s.db, `WHERE `+where+` ORDER BY w.created_at DESC, w.id DESC LIMIT $`+strconv.Itoa(len(args)),
		`p.created_at DESC, p.id DESC`, args...)
	return out, errors.Wrap(err, "find workflows by title")
}
