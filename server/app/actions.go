package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Action ids of the buttons and menus on the bot's posts. They are letters only:
// Mattermost finds a pressed action by its id in the post, and scripts and tests find
// the buttons by these names (the e2e tests import them from here).
const (
	ActionStageNext   = "stagenext"   // move to the next stage
	ActionSignoff     = "signoff"     // sign off the nearest gate ahead for the presser's discipline
	ActionSignoffNote = "signoffnote" // open the sign-off form, to sign with a note
	ActionTaskDone    = "taskdone"    // tick a task (a button, or a menu of a stage's checklist)
	ActionTaskUndo    = "taskundo"    // untick it
	ActionTaskMine    = "taskmine"    // assign the task to the presser
	ActionStatus      = "status"      // open the status update dialog
	ActionSnooze      = "snooze"      // a menu: snooze the reminders
	ActionClose       = "close"       // open the close dialog
	ActionTakeLead    = "takelead"    // lead a workflow nobody leads (an incident the alert intake opened)
	ActionJoin        = "join"        // join the workflow's channel, from a broadcast post
	ActionAck         = "ack"         // acknowledge a page (its direct message's button)
)

// Actions are every action id, for the door's routes and the tests.
var Actions = []string{ActionStageNext, ActionSignoff, ActionSignoffNote, ActionTaskDone, ActionTaskUndo, ActionTaskMine, ActionStatus, ActionSnooze, ActionClose, ActionTakeLead, ActionJoin, ActionAck}

// PluginPath is where Mattermost serves the plugin's HTTP routes (its id is the
// manifest's; a test in the plugin package checks they agree).
const PluginPath = "/plugins/devops-channels"

// ActionPath is the plugin route a pressed action is posted to, by Mattermost.
func ActionPath(action string) string {
	return "/api/v1/actions/" + action
}

// SnoozeOptions are the snooze menu's choices.
var SnoozeOptions = []string{"30m", "1h", "4h"}

// Keys of an action's context and of a bot post's props. The context names the
// workflow (and the task or gate a button is about) and nothing that grants a right:
// who acts is the Mattermost-User-ID of the request, and every check is the service's.
const (
	ContextWorkflow = "workflow_id"
	ContextTask     = "task"
	ContextStage    = "stage"
	ContextSelected = "selected_option" // set by Mattermost for a menu

	// anchorProp records on a bot post what it announces, so that its actions can be
	// drawn again from the workflow's state after any change.
	anchorProp = "devops_anchor"
)

// Kinds of bot post that carry actions.
const (
	anchorStart    = "start"
	anchorStage    = "stage"
	anchorSignoff  = "signoff"
	anchorTask     = "task"
	anchorReminder = "reminder"
	// anchorAlert and anchorAlertResolved are the alert intake's posts in an incident.
	anchorAlert         = "alert"
	anchorAlertResolved = "alert_resolved"
)

// anchor is what a bot post announces: a stage entered (the start post too), a gate
// signed, a task, a reminder.
type anchor struct {
	Kind  string `json:"kind"`
	Stage string `json:"stage,omitempty"`
	Task  int    `json:"task,omitempty"`
}

// drawActions returns the actions a post about a shows, given the workflow as it
// is now; tasks are the ones the post is about (its task, or its stage's checklist).
// tmpl may be nil where the actions do not depend on the stages (a task, a reminder).
func (s *Service) drawActions(w *Workflow, tmpl *Template, a anchor, tasks []*Task) []*model.PostAction {
	if w.Status != StatusActive || tmpl == nil && a.Kind != anchorTask && a.Kind != anchorReminder && a.Kind != anchorAlert && a.Kind != anchorAlertResolved {
		return nil
	}
	ctx := map[string]any{ContextWorkflow: w.ID}
	button := func(id, name, style string, extra map[string]any) *model.PostAction {
		c := map[string]any{}
		for k, v := range ctx {
			c[k] = v
		}
		for k, v := range extra {
			c[k] = v
		}
		return &model.PostAction{Id: id, Name: name, Type: model.PostActionTypeButton, Style: style,
			Integration: &model.PostActionIntegration{URL: PluginPath + ActionPath(id), Context: c}}
	}
	var out []*model.PostAction
	if w.LeadID == "" && (a.Kind == anchorStart || a.Kind == anchorAlert || a.Kind == anchorAlertResolved) {
		out = append(out, button(ActionTakeLead, "Take the lead", "primary", nil))
	}
	switch a.Kind {
	case anchorAlertResolved:
		out = append(out, button(ActionClose, "Close", "danger", nil))
	case anchorStart, anchorStage:
		cur := tmpl.StageIndex(w.Stage)
		if w.Stage != a.Stage {
			return out // a passed stage offers nothing any more
		}
		if cur+1 < len(tmpl.Stages) {
			out = append(out, button(ActionStageNext, "Next stage: "+tmpl.Stages[cur+1].Name, "primary", map[string]any{ContextStage: a.Stage}))
		}
		if gate, missing := nextGate(w, tmpl, cur); len(missing) > 0 {
			out = append(out, signoffButtons(button, gate, missing)...)
		}
		if a.Kind == anchorStart && len(tmpl.Severities) > 0 || cur == len(tmpl.Stages)-1 {
			out = append(out, button(ActionStatus, "Post a status update", "default", nil))
		}
		if cur == len(tmpl.Stages)-1 {
			out = append(out, button(ActionClose, "Close", "danger", nil))
		}
		if menu := checklistMenu(tasks); menu != nil {
			menu.Integration = &model.PostActionIntegration{URL: PluginPath + ActionPath(ActionTaskDone), Context: ctx}
			out = append(out, menu)
		}
	case anchorSignoff:
		cur, gi := tmpl.StageIndex(w.Stage), tmpl.StageIndex(a.Stage)
		if gi <= cur {
			return nil
		}
		if missing := missingSignoffs(w, tmpl.Stages[gi]); len(missing) > 0 {
			out = append(out, signoffButtons(button, a.Stage, missing)...)
		} else if gi == cur+1 {
			out = append(out, button(ActionStageNext, "Next stage: "+a.Stage, "primary", map[string]any{ContextStage: w.Stage}))
		}
	case anchorTask:
		for _, t := range tasks {
			if t.Number != a.Task {
				continue
			}
			if t.Done {
				out = append(out, button(ActionTaskUndo, "Undo", "default", map[string]any{ContextTask: t.Number}))
				break
			}
			out = append(out, button(ActionTaskDone, "Done", "good", map[string]any{ContextTask: t.Number}))
			out = append(out, button(ActionTaskMine, "Assign to me", "default", map[string]any{ContextTask: t.Number}))
		}
	case anchorReminder:
		out = append(out, button(ActionStatus, "Post a status update", "primary", nil))
		snooze := button(ActionSnooze, "Snooze…", "", nil)
		snooze.Type = model.PostActionTypeSelect
		for _, d := range SnoozeOptions {
			snooze.Options = append(snooze.Options, &model.PostActionOptions{Text: d, Value: d})
		}
		out = append(out, snooze)
	}
	return out
}

// signoffButtons sign off a gate for the presser's discipline, at once or with a note.
func signoffButtons(button func(id, name, style string, extra map[string]any) *model.PostAction, gate string, missing []Discipline) []*model.PostAction {
	at := map[string]any{ContextStage: gate}
	return []*model.PostAction{
		button(ActionSignoff, fmt.Sprintf("Sign off %s (%s)", gate, joinDisciplines(missing, "+")), "good", at),
		button(ActionSignoffNote, "With a note…", "default", at),
	}
}

// checklistMenu is a menu of a stage's open tasks (its checklist when the stage
// begins), to tick one.
func checklistMenu(tasks []*Task) *model.PostAction {
	var opts []*model.PostActionOptions
	for _, t := range tasks {
		if !t.Done && t.Number > 0 { // 0: a checklist not added again on re-entering its stage
			opts = append(opts, &model.PostActionOptions{Text: truncateRunes(fmt.Sprintf("#%d %s", t.Number, t.Text), 80), Value: strconv.Itoa(t.Number)})
		}
	}
	if len(opts) == 0 {
		return nil
	}
	return &model.PostAction{Id: ActionTaskDone, Name: "Tick a task…", Type: model.PostActionTypeSelect, Options: opts}
}

// nextGate is the nearest gated stage after stage index cur with sign-offs missing.
func nextGate(w *Workflow, tmpl *Template, cur int) (string, []Discipline) {
	for _, st := range tmpl.Stages[cur+1:] {
		if missing := missingSignoffs(w, st); len(missing) > 0 {
			return st.Name, missing
		}
	}
	return "", nil
}

func missingSignoffs(w *Workflow, st Stage) []Discipline {
	var missing []Discipline
	for _, d := range st.Gate {
		if !w.hasSignoff(st.Name, d) {
			missing = append(missing, d)
		}
	}
	return missing
}

// postAbout writes a bot post in the workflow's channel with the actions of what it
// announces. Its error is for the door, as post's; for a pressed button
// (AnswerFirst) the post is written after the answer, and a refused one is told
// to the presser in a message of their own.
func (s *Service) postAbout(ctx context.Context, w *Workflow, tmpl *Template, message string, a anchor, tasks []*Task, at int64) error {
	p := &model.Post{ChannelId: w.ChannelID, Message: message, CreateAt: at}
	s.withActions(p, w, tmpl, a, tasks)
	if pr := pressOf(ctx); pr != nil {
		presser := pr.presser
		s.work.Go("announce a pressed button's change", func() error {
			if _, err := s.send(p, splitLong); err != nil {
				if e, ok := AsError(err); ok {
					s.ephemeral(presser, w.ChannelID, e.Message)
				}
			}
			return nil
		})
		return nil
	}
	_, err := s.send(p, splitLong)
	return err
}

type pressKey struct{}

// press is what a pressed button's request knows as it goes: who pressed, the pressed
// post (read from the start, while the change is made), and the workflow and task as
// the press's own change left them, so the redraw reads neither again. Only the
// request's goroutine writes and reads changed and task.
type press struct {
	presser string
	post    <-chan postRead
	changed *Workflow
	task    *Task
}

type postRead struct {
	post *model.Post
	err  error
}

// Press marks a change made by a pressed button and starts reading the pressed post.
// The change's announcement is posted after the answer, as the pressed post's update
// already shows the presser what changed (a second post creation before answering
// doubled a press's time, make bench); the post is read while the change is made,
// and the redraw draws from the workflow the change saved.
func (s *Service) Press(ctx context.Context, presserID, postID string) context.Context {
	read := make(chan postRead, 1)
	s.work.Go("read a pressed post", func() error {
		p, err := s.mm.GetPost(postID)
		read <- postRead{p, err}
		return nil
	})
	return context.WithValue(ctx, pressKey{}, &press{presser: presserID, post: read})
}

func pressOf(ctx context.Context) *press {
	p, _ := ctx.Value(pressKey{}).(*press)
	return p
}

// pressChanged records, for a press, the workflow (and task) as its change saved them.
func pressChanged(ctx context.Context, w *Workflow, t *Task) {
	if p := pressOf(ctx); p != nil {
		p.changed, p.task = w, t
	}
}

// withActions sets a post's anchor and draws its actions.
func (s *Service) withActions(p *model.Post, w *Workflow, tmpl *Template, a anchor, tasks []*Task) {
	p.AddProp(anchorProp, map[string]any{"workflow_id": w.ID, "kind": a.Kind, "stage": a.Stage, "task": a.Task})
	actions := s.drawActions(w, tmpl, a, tasks)
	if len(actions) == 0 {
		p.DelProp(model.PostPropsAttachments)
		return
	}
	p.AddProp(model.PostPropsAttachments, []*model.SlackAttachment{{Actions: actions}})
}

// postAnchor reads what a bot post of this workflow announces; ok is false for any
// other post.
func (s *Service) postAnchor(p *model.Post, workflowID string) (anchor, bool) {
	raw, _ := p.GetProp(anchorProp).(map[string]any)
	if p.UserId != s.mm.BotID() || raw == nil || raw["workflow_id"] != workflowID {
		return anchor{}, false
	}
	a := anchor{}
	a.Kind, _ = raw["kind"].(string)
	a.Stage, _ = raw["stage"].(string)
	if n, ok := raw["task"].(float64); ok {
		a.Task = int(n)
	}
	return a, true
}

// Redraw returns a bot post of a workflow the actor may see with its actions drawn
// from the workflow's current state: a pressed post is updated in place, so a
// signed gate's button goes, a done task offers Undo, a passed stage no longer
// offers Next stage. It refuses a post that is not the workflow's.
func (s *Service) Redraw(ctx context.Context, actorID, workflowID, postID string) (*model.Post, error) {
	pr := pressOf(ctx)
	if pr == nil { // not a press: read the post here
		ctx = s.Press(ctx, actorID, postID)
		pr = pressOf(ctx)
	}
	w := pr.changed
	if w == nil || w.ID != workflowID { // refused, so nothing changed: read it
		var err error
		if w, err = s.Get(ctx, actorID, workflowID); err != nil {
			<-pr.post
			return nil, err
		}
	}
	got := <-pr.post
	if got.err != nil {
		return nil, notFound("No such post.")
	}
	p := got.post
	a, ok := s.postAnchor(p, w.ID)
	// A due reminder is the bot's post in the presser's direct channel, not the workflow's.
	inDM := a.Kind == anchorTask && p.GetProp(PendingDMProp) != nil
	if !ok || p.ChannelId != w.ChannelID && !inDM || p.Id != postID {
		return nil, notFound("No such post.")
	}
	tmpl, err := s.templateOf(ctx, w)
	if err != nil {
		return nil, err
	}
	var tasks []*Task
	switch {
	case w.Status != StatusActive:
	case a.Kind == anchorTask && pr.task != nil && pr.task.Number == a.Task:
		tasks = []*Task{pr.task} // the task the press changed, as saved
	// Only a post that still offers something about tasks needs them: not a passed
	// stage's (what a Next stage press leaves).
	case a.Kind == anchorTask || (a.Kind == anchorStage || a.Kind == anchorStart) && a.Stage == w.Stage:
		all, err := s.store.ListTasks(ctx, w.ID)
		if err != nil {
			return nil, errors.Wrap(err, "list tasks")
		}
		for _, t := range all {
			if a.Kind == anchorTask && t.Number == a.Task || a.Kind != anchorTask && t.Stage == a.Stage {
				tasks = append(tasks, t)
			}
		}
	}
	updated := p.Clone()
	s.withActions(updated, w, tmpl, a, tasks)
	return updated, nil
}

// postAboutTask writes a post about one task, with Done or Undo; tmpl may be nil
// (a task's actions do not depend on it).
func (s *Service) postAboutTask(ctx context.Context, w *Workflow, tmpl *Template, message string, task *Task) error {
	return s.postAbout(ctx, w, tmpl, message, anchor{Kind: anchorTask, Task: task.Number}, []*Task{task}, 0)
}
