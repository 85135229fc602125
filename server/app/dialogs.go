package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Dialog ids: the forms a button or a command without its text opens. Each is
// submitted, by Mattermost, to the plugin route DialogPath(id).
const (
	DialogStatus   = "status"
	DialogTask     = "task"
	DialogSignoff  = "signoff"
	DialogHandoff  = "handoff"
	DialogClose    = "close"
	DialogSeverity = "severity"
)

// Dialogs are every dialog id about a workflow, for the door's routes and the tests.
var Dialogs = []string{DialogStatus, DialogTask, DialogSignoff, DialogHandoff, DialogClose, DialogSeverity}

// DialogPath is the plugin route a dialog is submitted to.
func DialogPath(dialog string) string {
	return "/api/v1/dialog/" + dialog
}

// leadsDialogs are the forms for the lead (or an admin), with what they do.
var leadsDialogs = map[string]string{DialogClose: "close the workflow", DialogSeverity: "change the severity", DialogHandoff: "hand off the lead"}

// FieldErrors are a dialog submission's refusals, per field, as Mattermost shows them
// under each field.
type FieldErrors map[string]string

// OpenDialog shows the actor a form about a workflow they may see; triggerID is the
// one Mattermost gave the command or the pressed button.
// stage, when not empty, is the form's stage (a gate's button names it).
func (s *Service) OpenDialog(ctx context.Context, actorID, triggerID, dialog, workflowID, stage string) error {
	w, err := s.Get(ctx, actorID, workflowID)
	if err != nil {
		return err
	}
	if err := requireActive(w); err != nil {
		return err
	}
	tmpl, err := s.templateOf(ctx, w)
	if err != nil {
		return err
	}
	// Whoever may not make the change is told before filling the form; the
	// submission is checked again, as the state may have changed meanwhile.
	if doing, ok := leadsDialogs[dialog]; ok {
		if err := s.requireLead(w, tmpl, actorID, doing); err != nil {
			return err
		}
	} else if !s.mm.IsChannelMember(w.ChannelID, actorID) {
		return forbidden("Only members of ~%s use its forms; join the channel first.", w.ChannelName)
	}
	d, err := s.dialog(dialog, w, tmpl, stage)
	if err != nil {
		return err
	}
	d.State = w.ID
	return s.mm.OpenDialog(model.OpenDialogRequest{TriggerId: triggerID, URL: PluginPath + DialogPath(dialog), Dialog: d})
}

func noteField(name, display string, optional bool, help string) model.DialogElement {
	return model.DialogElement{DisplayName: display, Name: name, Type: "textarea", Optional: optional, MaxLength: MaxNoteRunes, HelpText: help}
}

func severityField(tmpl *Template, current string, optional bool) model.DialogElement {
	opts := make([]*model.PostActionOptions, len(tmpl.Severities))
	for i, sev := range tmpl.Severities {
		opts[i] = &model.PostActionOptions{Text: sev, Value: sev}
	}
	return model.DialogElement{DisplayName: "Severity", Name: "severity", Type: "select", Options: opts, Default: current, Optional: optional}
}

// dialog is the form for a dialog id, filled for the workflow.
func (s *Service) dialog(dialog string, w *Workflow, tmpl *Template, stage string) (model.Dialog, error) {
	title := fmt.Sprintf("%s %d", tmpl.Name, w.Seq)
	switch dialog {
	case DialogStatus:
		els := []model.DialogElement{noteField("text", "Update", false, "What changed, what is next. Posted here and to the broadcast channels.")}
		if len(tmpl.Severities) > 0 {
			els = append(els, severityField(tmpl, w.Severity, true))
		}
		return model.Dialog{CallbackId: dialog, Title: "Status update", IntroductionText: title, SubmitLabel: "Post", Elements: els}, nil
	case DialogTask:
		return model.Dialog{CallbackId: dialog, Title: "Add a task", IntroductionText: title, SubmitLabel: "Add", Elements: []model.DialogElement{
			{DisplayName: "Task", Name: "text", Type: "text", MaxLength: MaxTaskRunes},
			{DisplayName: "Assignees", Name: "assignee", Type: "select", DataSource: "users", Optional: true, MultiSelect: true,
				HelpText: fmt.Sprintf("Up to %d people; each gets a direct message.", maxAssignees)},
			{DisplayName: "Due", Name: "due", Type: "text", Optional: true, MaxLength: 32, Placeholder: "2h, tomorrow 9:00, fri 17:00 or 2026-12-01 15:00",
				HelpText: "A duration up to a year, or a day and time up to 5 years ahead, in your time zone."},
		}}, nil
	case DialogSignoff:
		var opts []*model.PostActionOptions
		for _, st := range tmpl.Stages[tmpl.StageIndex(w.Stage)+1:] {
			if len(st.Gate) > 0 {
				opts = append(opts, &model.PostActionOptions{Text: fmt.Sprintf("%s (%s)", st.Name, joinDisciplines(st.Gate, "+")), Value: st.Name})
			}
		}
		if len(opts) == 0 {
			return model.Dialog{}, conflict("No stage ahead needs a sign-off.")
		}
		if !slices.ContainsFunc(opts, func(o *model.PostActionOptions) bool { return o.Value == stage }) {
			stage = opts[0].Value
		}
		return model.Dialog{CallbackId: dialog, Title: "Sign off", IntroductionText: title, SubmitLabel: "Sign off", Elements: []model.DialogElement{
			{DisplayName: "Stage", Name: "stage", Type: "select", Options: opts, Default: stage},
			noteField("note", "Note", true, "Signed for your discipline."),
		}}, nil
	case DialogHandoff:
		return model.Dialog{CallbackId: dialog, Title: "Hand off the lead", IntroductionText: title, SubmitLabel: "Hand off", Elements: []model.DialogElement{
			{DisplayName: "To", Name: "user", Type: "select", DataSource: "users"},
			noteField("note", "Note", true, "State, what is open, what to watch."),
		}}, nil
	case DialogClose:
		return model.Dialog{CallbackId: dialog, Title: "Close", IntroductionText: title, SubmitLabel: "Close", Elements: []model.DialogElement{
			noteField("summary", "Summary", true, "What happened and how it ended; the retrospective follows."),
		}}, nil
	case DialogSeverity:
		if len(tmpl.Severities) == 0 {
			return model.Dialog{}, invalid("A %s has no severities.", strings.ToLower(tmpl.Name))
		}
		return model.Dialog{CallbackId: dialog, Title: "Severity", IntroductionText: title, SubmitLabel: "Change",
			Elements: []model.DialogElement{severityField(tmpl, w.Severity, false)}}, nil
	}
	return model.Dialog{}, notFound("No such form %q.", dialog)
}

// SubmitDialog carries out a submitted form through the same service methods as the
// commands. A field that is wrong is refused under that field and nothing changes;
// a refusal of the change itself (who may, the workflow's state) is the error.
func (s *Service) SubmitDialog(ctx context.Context, actorID, dialog, workflowID string, values map[string]any) (FieldErrors, error) {
	str := func(k string) string { v, _ := values[k].(string); return strings.TrimSpace(v) }
	note := func(k, what string, errs FieldErrors) string {
		v := cleanNote(str(k))
		if err := checkLength(what, v, MaxNoteRunes); err != nil {
			errs[k] = err.Error()
		}
		return v
	}
	errs := FieldErrors{}
	switch dialog {
	case DialogStatus:
		text := note("text", "update", errs)
		if text == "" {
			errs["text"] = "Write the update: what changed, what is next."
		}
		if len(errs) > 0 {
			return errs, nil
		}
		if sev := str("severity"); sev != "" {
			w, err := s.Get(ctx, actorID, workflowID)
			if err != nil {
				return nil, err
			}
			if sev != w.Severity {
				// The severity first: it is the lead's, and a refusal leaves no update posted.
				if _, err := s.SetSeverity(ctx, actorID, workflowID, sev); err != nil {
					return fieldRefusal(err, "severity", true)
				}
			}
		}
		_, err := s.PostStatus(ctx, actorID, workflowID, text)
		return nil, err
	case DialogTask:
		text := cleanText(str("text"))
		if text == "" {
			errs["text"] = "Describe the task."
		} else if err := checkLength("task", text, MaxTaskRunes); err != nil {
			errs["text"] = err.Error()
		}
		var due int64
		if str("due") != "" {
			var err error
			if due, err = ParseDue(str("due"), time.Now(), s.Location(actorID)); err != nil {
				errs["due"] = err.Error()
			}
		}
		if len(errs) > 0 {
			return errs, nil
		}
		// The due time read once, here, in the person's zone: AddTask takes it as is.
		_, err := s.AddTask(ctx, actorID, workflowID, TaskRequest{Text: text, AssigneeIDs: selectedIDs(values["assignee"]), DueAt: due})
		return fieldRefusal(err, "assignee", false)
	case DialogSignoff:
		n := note("note", "note", errs)
		if str("stage") == "" {
			errs["stage"] = "Pick the stage to sign off."
		}
		if len(errs) > 0 {
			return errs, nil
		}
		_, err := s.Signoff(ctx, actorID, workflowID, str("stage"), n)
		return nil, err
	case DialogHandoff:
		n := note("note", "handoff note", errs)
		var to *model.User
		if id := str("user"); id == "" {
			errs["user"] = "Pick who takes the lead."
		} else if u, err := s.mm.GetUser(id); err != nil || u.DeleteAt != 0 || u.IsBot {
			errs["user"] = "No such person."
		} else {
			to = u
		}
		if len(errs) > 0 {
			return errs, nil
		}
		_, err := s.Handoff(ctx, actorID, workflowID, to.Username, n)
		return fieldRefusal(err, "user", false)
	case DialogClose:
		summary := note("summary", "summary", errs)
		if len(errs) > 0 {
			return errs, nil
		}
		_, err := s.Close(ctx, actorID, workflowID, summary)
		return nil, err
	case DialogRotation: // its state is the team's id, not a workflow's
		return s.SubmitRotationDialog(ctx, actorID, workflowID, values)
	case DialogSeverity:
		if str("severity") == "" {
			return FieldErrors{"severity": "Pick a severity."}, nil
		}
		_, err := s.SetSeverity(ctx, actorID, workflowID, str("severity"))
		return fieldRefusal(err, "severity", false)
	}
	return nil, notFound("No such form %q.", dialog)
}

// fieldRefusal puts a service's refusal under the field it is about: every refusal
// when all is true, else a refusal of bad input (the other fields were checked
// before, so it is this one's). Other errors stay the form's.
// selectedIDs reads a multi-select's value: a list of ids, or ids separated by
// commas (as clients that predate multi-selects send one).
func selectedIDs(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, id)
			}
		}
	case []any:
		for _, x := range v {
			if id, ok := x.(string); ok && id != "" {
				out = append(out, id)
			}
		}
	}
	return out
}

func fieldRefusal(err error, field string, all bool) (FieldErrors, error) {
	if e, ok := AsError(err); ok && (all || e.Kind == KindInvalid) {
		return FieldErrors{field: e.Message}, nil
	}
	return nil, err
}
