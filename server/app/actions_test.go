package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

func actionIDs(actions []*model.PostAction) []string {
	ids := make([]string, len(actions))
	for i, a := range actions {
		ids[i] = a.Id
	}
	return ids
}

func TestActionIDsAreLettersAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, id := range Actions {
		require.Regexp(t, regexp.MustCompile(`^[a-z]+$`), id)
		require.False(t, seen[id], id)
		seen[id] = true
	}
}

// The buttons follow the workflow: a passed stage offers nothing, a gate's button
// names what is missing and goes once signed, a done task offers Undo.
func TestActionsFollowTheWorkflow(t *testing.T) {
	s := &Service{}
	rel := builtin(t, "release")
	w := &Workflow{ID: "w1", Type: "release", Stage: "staging", Status: StatusActive}
	stage := anchor{Kind: anchorStage, Stage: "staging"}
	open := []*Task{{Number: 4, Text: "Smoke test staging", Stage: "staging"}}

	actions := s.drawActions(w, rel, stage, open)
	require.Equal(t, []string{ActionStageNext, ActionSignoff, ActionSignoffNote, ActionTaskDone}, actionIDs(actions))
	require.Equal(t, "Sign off production (qa + security)", actions[1].Name)
	require.Equal(t, "production", actions[1].Integration.Context[ContextStage])
	require.Equal(t, "staging", actions[0].Integration.Context[ContextStage], "Next stage moves on from the post's stage only")
	require.Equal(t, PluginPath+"/api/v1/actions/"+ActionStageNext, actions[0].Integration.URL)
	require.Equal(t, model.PostActionTypeSelect, actions[3].Type)
	require.Equal(t, "production", actions[2].Integration.Context[ContextStage], "the form opens on the button's gate")

	w.Signoffs = []Signoff{{Stage: "production", Discipline: QA}}
	gate := anchor{Kind: anchorSignoff, Stage: "production"}
	require.Equal(t, "Sign off production (security)", s.drawActions(w, rel, gate, nil)[0].Name)
	w.Signoffs = append(w.Signoffs, Signoff{Stage: "production", Discipline: Security})
	require.Equal(t, []string{ActionStageNext}, actionIDs(s.drawActions(w, rel, gate, nil)), "an open gate offers to move on")
	require.Equal(t, []string{ActionStageNext}, actionIDs(s.drawActions(w, rel, stage, nil)))

	w.Stage = "production"
	require.Empty(t, s.drawActions(w, rel, stage, open), "a passed stage offers nothing")
	require.Empty(t, s.drawActions(w, rel, gate, nil), "nor an entered gate")
	w.Stage = "done"
	require.Equal(t, []string{ActionStatus, ActionClose}, actionIDs(s.drawActions(w, rel, anchor{Kind: anchorStage, Stage: "done"}, nil)))

	task := anchor{Kind: anchorTask, Task: 4}
	require.Equal(t, []string{ActionTaskDone, ActionTaskMine}, actionIDs(s.drawActions(w, rel, task, open)))
	open[0].Done = true
	require.Equal(t, []string{ActionTaskUndo}, actionIDs(s.drawActions(w, rel, task, open)))

	require.Equal(t, []string{ActionStatus, ActionSnooze}, actionIDs(s.drawActions(w, nil, anchor{Kind: anchorReminder}, nil)))
	require.Empty(t, s.drawActions(w, nil, gate, nil), "without its template (a type disabled meanwhile) a gate offers nothing")
	w.Status = StatusClosed
	require.Empty(t, s.drawActions(w, rel, task, open), "a closed workflow offers nothing")
}

// Every form is one Mattermost accepts, for every built-in type that has it.
func TestDialogsAreValid(t *testing.T) {
	s := &Service{}
	for _, tmpl := range builtinTemplates() {
		w := &Workflow{ID: "w1", Type: tmpl.Type, Seq: 12, Stage: tmpl.Stages[0].Name, Severity: tmpl.DefaultSeverity, Status: StatusActive}
		for _, id := range Dialogs {
			d, err := s.dialog(id, w, tmpl, "")
			if err != nil {
				_, refusal := AsError(err)
				require.True(t, refusal, "%s %s: %v", tmpl.Type, id, err)
				continue
			}
			req := model.OpenDialogRequest{TriggerId: "t", URL: PluginPath + DialogPath(id), Dialog: d}
			require.NoError(t, req.IsValid(), "%s %s", tmpl.Type, id)
			require.Equal(t, id, d.CallbackId)
		}
	}
}

// The action ids are written once, in actions.go: the webapp, the e2e tests and the
// bench name them through these constants, never as copies that could drift. (The
// ids that are also plain words, status, signoff, snooze, close, are command names
// too, so only the coined ones can be searched for.)
func TestActionIDsAreWrittenOnce(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	coined := []string{ActionStageNext, ActionSignoffNote, ActionTaskDone, ActionTaskUndo, ActionTaskMine}
	for _, dir := range []string{"server", "build/harness", "build/floorplugin", "webapp/src"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, filepath.Join("app", "actions.go")) {
				return err
			}
			if ext := filepath.Ext(path); ext != ".go" && ext != ".ts" && ext != ".tsx" && ext != ".mjs" {
				return nil
			}
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, id := range coined {
				require.NotRegexp(t, `["'`+"`"+`]`+id+`["'`+"`"+`]`, string(raw), "%s writes the action id %s; use app's constant", path, id)
			}
			return nil
		})
		require.NoError(t, err)
	}
}
