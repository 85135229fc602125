package store

import (
	"context"
	"encoding/json"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// AddTimelineEvent records one event outside a workflow update (a pinned post, a
// deploy). A post pinned twice is recorded once: app.ErrDuplicate tells the caller.
// The conflict is detected with ON CONFLICT rather than by error type, because the
// plugin's database handle reaches PostgreSQL through the server's RPC driver.
func (s *Store) AddTimelineEvent(ctx context.Context, ev app.TimelineEvent) error {
	ev, data := completeEvent(ev)
	res, err := s.db.ExecContext(ctx, `INSERT INTO devops_timeline (id, workflow_id, type, at, actor_id, summary, post_id, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		ev.ID, ev.WorkflowID, ev.Type, ev.At, ev.ActorID, ev.Summary, ev.PostID, data)
	if err != nil {
		return errors.Wrapf(err, "record %s event", ev.Type)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return app.ErrDuplicate
	}
	return nil
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
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(json_agg(e ORDER BY e.at `+order+`, e.id `+order+`), '[]') FROM (
		SELECT id, type, at, actor_id, summary, post_id, data FROM devops_timeline WHERE `+where+
		` ORDER BY at `+order+`, id `+order+limitAtLeast(limit+1)+`) e`, args...).Scan(&raw)
	if err != nil {
		return nil, "", errors.Wrap(err, "list timeline")
	}
	var out []app.TimelineEvent
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, "", errors.Wrap(err, "decode timeline")
	}
	for i := range out {
		out[i].WorkflowID = workflowID
	}
	out, next := pageOf(out, limit, func(e app.TimelineEvent) (int64, string) { return e.At, e.ID })
	return out, next, nil
}

// LatestEvent is a workflow's newest event of a type.
func (s *Store) LatestEvent(ctx context.Context, workflowID, eventType string) (*app.TimelineEvent, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT row_to_json(e) FROM (
		SELECT id, type, at, actor_id, summary, post_id, data FROM devops_timeline WHERE workflow_id = $1 AND type = $2
		ORDER BY at DESC, id DESC LIMIT 1) e), 'null')`, workflowID, eventType).Scan(&raw)
	if err != nil {
		return nil, errors.Wrap(err, "read latest event")
	}
	var ev *app.TimelineEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, errors.Wrap(err, "decode latest event")
	}
	if ev == nil {
		return nil, app.ErrNotFound
	}
	ev.WorkflowID = workflowID
	return ev, nil
}
