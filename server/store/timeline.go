package store

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// AddTimelineEvent records one event outside a workflow update (a pinned post, a deploy).
func (s *Store) AddTimelineEvent(ctx context.Context, ev app.TimelineEvent) error {
	return s.inTx(ctx, "add timeline event", func(tx *sql.Tx) error {
		return insertEvents(ctx, tx, ev.WorkflowID, []app.TimelineEvent{ev})
	})
}

// ListTimeline pages through a workflow's events, oldest first unless newestFirst.
func (s *Store) ListTimeline(ctx context.Context, workflowID, cursor string, limit int, newestFirst bool) ([]app.TimelineEvent, string, error) {
	order, cmp := "ASC", ">"
	if newestFirst {
		order, cmp = "DESC", "<"
	}
	args := []any{workflowID}
	where := "workflow_id = $1"
	if cursor != "" {
		at, id, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		args = append(args, at, id)
		where += " AND (at, id) " + cmp + " ($2, $3)"
	}
	args = append(args, limit+1)
	rows, err := s.db.QueryContext(ctx, `SELECT id, type, at, actor_id, summary, post_id FROM devops_timeline WHERE `+
		where+` ORDER BY at `+order+`, id `+order+` LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, "", errors.Wrap(err, "list timeline")
	}
	defer rows.Close()
	var out []app.TimelineEvent
	for rows.Next() {
		ev := app.TimelineEvent{WorkflowID: workflowID}
		if err := rows.Scan(&ev.ID, &ev.Type, &ev.At, &ev.ActorID, &ev.Summary, &ev.PostID); err != nil {
			return nil, "", errors.Wrap(err, "scan timeline event")
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errors.Wrap(err, "list timeline")
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		next = encodeCursor(last.At, last.ID)
	}
	return out, next, nil
}
