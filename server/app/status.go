package app

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// PostStatus records a status update from a member: it becomes the workflow's latest
// status, goes on the timeline, and is posted in the channel and the type's broadcast
// channels.
func (s *Service) PostStatus(ctx context.Context, actorID, id, text string) (*Workflow, error) {
	text = cleanNote(text)
	if text == "" {
		return nil, invalid("Write the update: `/%s status <what changed, what is next>`.", s.settings().CommandTrigger)
	}
	if err := checkLength("update", text, MaxNoteRunes); err != nil {
		return nil, err
	}
	w, tmpl, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if !s.mm.IsChannelMember(w.ChannelID, actorID) {
			return nil, forbidden("Only members of ~%s post its status updates.", w.ChannelName)
		}
		now := time.Now()
		w.LastStatus = &StatusUpdate{Text: text, UserID: actorID, At: now.UnixMilli()}
		if w.FirstStatusAt == 0 {
			w.FirstStatusAt = now.UnixMilli()
		}
		w.NextReminderAt = s.nextReminder(w, tmpl, now)
		// The whole text in Data: the export shows every update as written.
		return []TimelineEvent{{Type: EventStatusUpdate, ActorID: actorID, Summary: truncateRunes(text, 280), Data: map[string]string{"text": text}}}, nil
	})
	if err != nil {
		return nil, err
	}
	head := fmt.Sprintf("📣 **Status update** — %s · stage **%s**", Headline(tmpl.Name, w.Seq, w.Title), w.Stage)
	if w.Severity != "" {
		head += fmt.Sprintf(" · **%s**", w.Severity)
	}
	body := fmt.Sprintf("%s\n%s\n— %s", head, Quoted(text), s.mention(actorID))
	posted := s.post(w, body)
	if err := s.broadcast(w, body); posted == nil {
		posted = err
	}
	s.publish(w, ChangeStatus)
	return w, posted
}

// TaskRequest adds a task.
type TaskRequest struct {
	Text string `json:"text"`
	// The assignee by username (with or without @), or by id (the webapp).
	Assignee   string `json:"assignee"`
	AssigneeID string `json:"assignee_id"`
	// The due time as people write it (2h, 3d, 2026-12-01, 2026-12-01 15:00, 17:00,
	// tomorrow, friday 9:00: see ParseDue) in the actor's Mattermost time zone, or in
	// milliseconds since the epoch (the webapp).
	Due   string `json:"due"`
	DueAt int64  `json:"due_at"`
	// Followup: the task stays open after the workflow closes (`--followup`).
	Followup bool `json:"followup"`
}

// AddTask adds a task to a workflow's checklist; members may.
func (s *Service) AddTask(ctx context.Context, actorID, id string, req TaskRequest) (*Task, error) {
	text := cleanText(req.Text)
	if text == "" {
		return nil, invalid("Describe the task: `/%s task add <text> [--to @user] [--due 2h]`.", s.settings().CommandTrigger)
	}
	if err := checkLength("task", text, MaxTaskRunes); err != nil {
		return nil, err
	}
	var (
		due int64
		err error
	)
	if req.Due != "" { // the person's zone is a server call; the panel sends due_at
		if due, err = ParseDue(req.Due, time.Now(), s.Location(actorID)); err != nil {
			return nil, err
		}
	}
	if req.DueAt != 0 {
		if req.Due != "" {
			return nil, invalid("Give the due time once: due or due_at.")
		}
		if due, err = checkDue(req.DueAt, time.Now(), "due_at"); err != nil {
			return nil, err
		}
	}
	assignee := ""
	if req.AssigneeID != "" {
		if req.Assignee != "" {
			return nil, invalid("Name the assignee once: assignee or assignee_id.")
		}
		u, err := s.mm.GetUser(req.AssigneeID)
		if err != nil || u.DeleteAt != 0 {
			return nil, invalid("No such assignee.")
		}
		assignee = u.Id
	}
	if req.Assignee != "" {
		u, err := s.mm.GetUserByUsername(strings.ToLower(strings.TrimPrefix(req.Assignee, "@")))
		if err != nil {
			return nil, invalid("No user %s.", req.Assignee)
		}
		assignee = u.Id
	}
	task := &Task{Text: text, AssigneeID: assignee, DueAt: due, CreatedBy: actorID, Followup: req.Followup}
	w, tmpl, err := s.mutate(ctx, actorID, id, func(w *Workflow, _ *Template) ([]TimelineEvent, error) {
		// A task added once the workflow is closed (in its retrospective) is a follow-up.
		task.Followup = req.Followup || w.Status == StatusClosed
		if err := requireActive(w); err != nil && !task.Followup {
			return nil, err
		}
		if !s.mm.IsChannelMember(w.ChannelID, actorID) {
			return nil, forbidden("Only members of ~%s add its tasks.", w.ChannelName)
		}
		if assignee != "" && !s.mm.IsTeamMember(w.TeamID, assignee) {
			return nil, invalid("The assignee is not a member of this team.")
		}
		if err := s.mayBringIn(w, actorID, assignee); err != nil {
			return nil, err
		}
		task.Stage = w.Stage
		w.NewTasks = []*Task{task}
		return []TimelineEvent{{Type: EventTaskAdded, ActorID: actorID, Summary: taskWord(task) + " added: " + truncateRunes(text, 200)}}, nil
	})
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("☐ **%s #%d:** %s", taskWord(task), task.Number, Inline(text))
	if assignee != "" {
		msg += " → " + s.mention(assignee)
	}
	msg += dueSuffix(due, time.UTC)
	posted := s.postAboutTaskOf(ctx, w, tmpl, msg, task)
	s.tellAssignee(w, task, actorID)
	s.publish(w, ChangeTask)
	return task, posted
}

// SetTaskDone checks or unchecks a task; members may. Finishing a task that is
// already done is refused, so two people racing to finish it get one success.
func (s *Service) SetTaskDone(ctx context.Context, actorID, id string, number int, done bool) (*Task, error) {
	w, task, err := s.changeTask(ctx, actorID, id, number, func(w *Workflow, t *Task) ([]TimelineEvent, error) {
		if t.Done == done {
			if done {
				return nil, conflict("Task #%d is already done (by %s).", t.Number, s.mention(t.DoneBy))
			}
			return nil, conflict("Task #%d is not done.", t.Number)
		}
		t.Done = done
		if done {
			t.DoneBy, t.DoneAt = actorID, time.Now().UnixMilli()
			return []TimelineEvent{{Type: EventTaskDone, ActorID: actorID, Summary: fmt.Sprintf("%s #%d done%s: %s", taskWord(t), t.Number, afterClose(w), truncateRunes(t.Text, 200))}}, nil
		}
		t.DoneBy, t.DoneAt = "", 0
		return []TimelineEvent{{Type: EventTaskReopened, ActorID: actorID, Summary: fmt.Sprintf("Task #%d reopened: %s", t.Number, truncateRunes(t.Text, 200))}}, nil
	})
	if err != nil {
		return nil, err
	}
	mark := "☑"
	if !done {
		mark = "☐ reopened"
	}
	posted := s.postAboutTaskOf(ctx, w, nil, fmt.Sprintf("%s **%s #%d:** %s (%s)", mark, taskWord(task), task.Number, Inline(task.Text), s.mention(actorID)), task)
	s.publish(w, ChangeTask)
	return task, posted
}

// changeTask applies fn to one task of a visible, active workflow, for members only,
// through the store's UpdateTask.
func (s *Service) changeTask(ctx context.Context, actorID, id string, number int, fn func(w *Workflow, t *Task) ([]TimelineEvent, error)) (*Workflow, *Task, error) {
	if number < 1 || number > maxTaskNumber {
		return nil, nil, noTask(strconv.Itoa(number))
	}
	if !model.IsValidId(id) {
		return nil, nil, notFound("No such workflow.")
	}
	// Who the actor is to the workflow is read with it (UpdateTaskAs): no read before
	// the change's own, and no server call for the membership.
	w, t, err := s.store.UpdateTaskAs(ctx, id, actorID, number, func(w *Workflow, t *Task) ([]TimelineEvent, error) {
		if _, err := s.visible(actorID, w, nil); err != nil {
			return nil, err
		}
		if t == nil {
			return nil, noTask(strconv.Itoa(number))
		}
		if err := requireActive(w); err != nil && !t.Followup { // a follow-up outlives the close
			return nil, err
		}
		if !w.Viewer.ChannelMember {
			return nil, forbidden("Only members of ~%s change its tasks.", w.ChannelName)
		}
		return fn(w, t)
	})
	if errors.Is(err, ErrNotFound) {
		return nil, nil, notFound("No such workflow.")
	}
	if err == nil {
		pressChanged(ctx, w, t)
	}
	return w, t, err
}

// AssignTask gives a task to a team member (username, with or without @); members may.
func (s *Service) AssignTask(ctx context.Context, actorID, id string, number int, username string) (*Task, error) {
	username = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(username), "@"))
	u, err := s.mm.GetUserByUsername(username)
	if err != nil || u.DeleteAt != 0 || u.IsBot {
		return nil, invalid("No user @%s.", username)
	}
	w, task, err := s.changeTask(ctx, actorID, id, number, func(w *Workflow, t *Task) ([]TimelineEvent, error) {
		if !s.mm.IsTeamMember(w.TeamID, u.Id) {
			return nil, invalid("@%s is not a member of this team.", u.Username)
		}
		if t.AssigneeID == u.Id {
			return nil, conflict("Task #%d is already @%s's.", t.Number, u.Username)
		}
		if err := s.mayBringIn(w, actorID, u.Id); err != nil {
			return nil, err
		}
		t.AssigneeID = u.Id
		return []TimelineEvent{{Type: EventTaskAssigned, ActorID: actorID, Summary: fmt.Sprintf("Task #%d assigned to @%s", t.Number, u.Username)}}, nil
	})
	if err != nil {
		return nil, err
	}
	posted := s.postAboutTask(ctx, w, nil, fmt.Sprintf("👉 **Task #%d:** %s → @%s (by %s)", task.Number, Inline(task.Text), u.Username, s.mention(actorID)), task)
	s.tellAssignee(w, task, actorID)
	s.publish(w, ChangeTask)
	return task, posted
}

// Tasks lists a visible workflow's tasks.
func (s *Service) Tasks(ctx context.Context, actorID, id string) (*Workflow, []*Task, error) {
	w, err := s.Get(ctx, actorID, id)
	if err != nil {
		return nil, nil, err
	}
	tasks, err := s.store.ListTasks(ctx, w.ID)
	return w, tasks, errors.Wrap(err, "list tasks")
}

// checklist returns the template's tasks for a stage, to create when it begins.
func checklist(tmpl *Template, stage, actorID string) []*Task {
	st, _ := tmpl.Stage(stage)
	out := make([]*Task, 0, len(st.Checklist))
	for _, c := range st.Checklist {
		out = append(out, &Task{Text: c.Text, Stage: stage, Discipline: c.Discipline, CreatedBy: actorID, FromChecklist: true})
	}
	return out
}

// maxTaskNumber is the largest number a task can have (the column is a PostgreSQL
// integer): a larger one names no task.
const maxTaskNumber = math.MaxInt32

func noTask(number string) error {
	return notFound("No task #%s. `tasks` lists them.", number)
}

// ParseTaskNumber reads a task number as people write it (7 or #7). A number too
// large to be a task's is no task, not a failure.
func ParseTaskNumber(s string) (int, error) {
	digits := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, invalid("%q is not a task number; `tasks` lists them.", s)
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxTaskNumber {
		return 0, noTask(truncateRunes(digits, 20))
	}
	if n < 1 {
		return 0, invalid("Task numbers start at 1; `tasks` lists them.")
	}
	return n, nil
}

// AssignTaskToMe gives a task to the actor (the Assign to me button).
func (s *Service) AssignTaskToMe(ctx context.Context, actorID, id string, number int) (*Task, error) {
	me, err := s.mm.GetUser(actorID)
	if err != nil {
		return nil, errors.Wrap(err, "get the actor")
	}
	return s.AssignTask(ctx, actorID, id, number, me.Username)
}
