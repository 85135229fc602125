package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/lib/pq"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

const taskColumns = `id, number, text, stage, discipline, assignee_id, assignee_ids, due_at, done, done_by, done_at, created_by, created_at, followup`

func scanTask(row scanner) (*app.Task, error) {
	var t app.Task
	err := row.Scan(&t.ID, &t.Number, &t.Text, &t.Stage, &t.Discipline, &t.AssigneeID, pq.Array(&t.AssigneeIDs), &t.DueAt, &t.Done,
		&t.DoneBy, &t.DoneAt, &t.CreatedBy, &t.CreatedAt, &t.Followup)
	return &t, err
}

// insertTasks numbers tasks after the workflow's last one and inserts them in one
// statement (one round trip). Callers hold the workflow's row
// lock, so numbers never collide.
func insertTasks(ctx context.Context, tx *txn, workflowID string, tasks []*app.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	type row struct {
		Idx       int  `json:"idx"`
		Checklist bool `json:"checklist"`
		*app.Task
	}
	rows := make([]row, len(tasks))
	for i, t := range tasks {
		if t.ID == "" {
			t.ID = model.NewId()
		}
		if t.CreatedAt == 0 {
			t.CreatedAt = nowMillis()
		}
		t.SetAssignees(t.Assignees())
		rows[i] = row{Idx: i + 1, Checklist: t.FromChecklist, Task: t}
	}
	payload, err := json.Marshal(rows)
	if err != nil {
		return errors.Wrap(err, "encode tasks")
	}
	var numbers []byte
	err = tx.QueryRowContext(ctx, `WITH base AS (
			SELECT COALESCE(MAX(number), 0) AS n FROM devops_tasks WHERE workflow_id = $1::VARCHAR
		), src AS (
			-- A stage's checklist is added once: re-entering the stage does not repeat it.
			SELECT t.*, row_number() OVER (ORDER BY t.idx) AS rn
			FROM json_to_recordset($2::json) AS t(idx int, checklist boolean, id text, text text, stage text, discipline text,
				assignee_id text, assignee_ids text[], due_at bigint, created_by text, created_at bigint, followup boolean)
			WHERE NOT (t.checklist AND EXISTS (SELECT 1 FROM devops_tasks x
				WHERE x.workflow_id = $1::VARCHAR AND x.stage = t.stage AND x.text = t.text))
		), ins AS (
			INSERT INTO devops_tasks (id, workflow_id, number, text, stage, discipline, assignee_id, assignee_ids, due_at, created_by, created_at, followup)
			SELECT src.id, $1::VARCHAR, base.n + src.rn, src.text, src.stage, src.discipline, src.assignee_id,
				COALESCE(src.assignee_ids, '{}'), src.due_at,
				src.created_by, src.created_at, COALESCE(src.followup, FALSE)
			FROM base, src
			RETURNING id, number
		) SELECT COALESCE(json_object_agg(id, number), '{}') FROM ins`, workflowID, string(payload)).Scan(&numbers)
	if err != nil {
		return errors.Wrap(err, "insert tasks")
	}
	byID := map[string]int{}
	if err := json.Unmarshal(numbers, &byID); err != nil {
		return errors.Wrap(err, "decode task numbers")
	}
	for _, t := range tasks {
		t.Number = byID[t.ID]
	}
	return nil
}

// ListTasks returns a workflow's tasks by number, fetched as one aggregated row.
func (s *Store) ListTasks(ctx context.Context, workflowID string) ([]*app.Task, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(json_agg(t ORDER BY t.number), '[]') FROM (
		SELECT `+taskColumns+` FROM devops_tasks WHERE workflow_id = $1) t`, workflowID).Scan(&raw)
	if err != nil {
		return nil, errors.Wrap(err, "list tasks")
	}
	out := []*app.Task{}
	return out, errors.Wrap(json.Unmarshal(raw, &out), "decode tasks")
}

// UpdateTask changes one task through changeWorkflowAs (a task's change also touches
// its workflow's row), so two people finishing the same task at once leave one
// "done" and one refusal.
func (s *Store) UpdateTask(ctx context.Context, workflowID string, number int, fn func(w *app.Workflow, t *app.Task) ([]app.TimelineEvent, error)) (*app.Workflow, *app.Task, error) {
	return s.UpdateTaskAs(ctx, workflowID, "", number, fn)
}

// UpdateTaskAs is UpdateTask with the workflow's Viewer filled in for viewerID, as
// UpdateWorkflowAs; fn sees a nil task when there is no such task, so that it judges
// the viewer before anyone learns what the workflow holds.
func (s *Store) UpdateTaskAs(ctx context.Context, workflowID, viewerID string, number int, fn func(w *app.Workflow, t *app.Task) ([]app.TimelineEvent, error)) (*app.Workflow, *app.Task, error) {
	var task *app.Task
	var out *app.Workflow
	err := s.changeWorkflowAs(ctx, workflowID, viewerID, "update task", func(wf *app.Workflow) (func(tx *txn) error, error) {
		missing := &app.Error{Kind: app.KindNotFound, Message: "No task #" + strconv.Itoa(number) + ". `tasks` lists them."}
		t, err := scanTask(s.db.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM devops_tasks WHERE workflow_id = $1 AND number = $2`, workflowID, number))
		switch {
		case errors.Is(err, sql.ErrNoRows) && viewerID == "":
			return nil, missing
		case errors.Is(err, sql.ErrNoRows):
			t = nil // fn judges the viewer first: a missing task is told only to who may see the workflow
		case err != nil:
			return nil, errors.Wrap(err, "get task")
		}
		events, err := fn(wf, t)
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, missing
		}
		return func(tx *txn) error {
			t.SetAssignees(t.Assignees())
			// A new due time is reminded anew (see devops_tasks.due_reminded_at).
			if _, err := tx.ExecContext(ctx, `UPDATE devops_tasks SET text = $2, assignee_id = $3, assignee_ids = $8, due_at = $4, done = $5,
				done_by = $6, done_at = $7, due_reminded_at = CASE WHEN due_at = $4 THEN due_reminded_at ELSE 0 END
				WHERE id = $1`, t.ID, t.Text, t.AssigneeID, t.DueAt, t.Done, t.DoneBy, t.DoneAt, pq.Array(t.AssigneeIDs)); err != nil {
				return errors.Wrap(err, "save task")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE devops_workflows SET updated_at = $2 WHERE id = $1`, workflowID, nowMillis()); err != nil {
				return errors.Wrap(err, "touch workflow")
			}
			if err := insertEvents(ctx, tx, workflowID, events); err != nil {
				return err
			}
			task, out = t, wf
			return nil
		}, nil
	})
	return out, task, err
}
