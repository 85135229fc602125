package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// A follow-up is a task that outlives its workflow's close: marked with `--followup`
// when added, or added once the workflow is closed (in its retrospective). It stays
// open in the team's list of follow-ups (`/devops followups`, GET /followups) until
// someone finishes it, and finishing it is recorded on the closed workflow's timeline.

// Followup is an open follow-up with the workflow it belongs to.
type Followup struct {
	Task
	WorkflowID     string `json:"workflow_id"`
	ChannelID      string `json:"channel_id"`
	ChannelName    string `json:"channel_name"`
	WorkflowType   string `json:"workflow_type"`
	WorkflowSeq    int    `json:"workflow_seq"`
	WorkflowTitle  string `json:"workflow_title"`
	WorkflowStatus string `json:"workflow_status"`
}

// FollowupStore is what follow-ups need from storage.
type FollowupStore interface {
	// OpenFollowups lists a team's open follow-ups in workflows the viewer may read
	// (readsPublic as for ListFilter), those due soonest first, then the oldest.
	OpenFollowups(ctx context.Context, teamID, viewerID string, readsPublic bool, limit int) ([]Followup, error)
}

// maxFollowups bounds one list of follow-ups.
const maxFollowups = 100

// Followups lists the team's open follow-ups the actor may read.
func (s *Service) Followups(ctx context.Context, actorID, teamID string) ([]Followup, error) {
	if err := checkID("team_id", teamID); err != nil {
		return nil, err
	}
	if !s.mm.IsTeamMember(teamID, actorID) {
		return nil, forbidden("team_id: you are not a member of that team.")
	}
	out, err := readAsTeamReader(s, actorID, teamID, func(readsPublic bool) ([]Followup, error) {
		return s.store.OpenFollowups(ctx, teamID, actorID, readsPublic, maxFollowups)
	})
	return out, errors.Wrap(err, "list follow-ups")
}

// FormatFollowups renders a list of follow-ups for people, times in loc.
func (s *Service) FormatFollowups(items []Followup, loc *time.Location) string {
	if len(items) == 0 {
		return "No open follow-ups in this team. Add one in a workflow with `/" + s.settings().CommandTrigger + " task add <text> --followup`."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#### Open follow-ups (%d)\n", len(items))
	for _, f := range items {
		name := f.WorkflowType
		if tmpl, ok := s.settings().Templates.Defined(f.WorkflowType); ok {
			name = tmpl.Name
		}
		state := ""
		if f.WorkflowStatus == StatusClosed {
			state = " (closed)"
		}
		fmt.Fprintf(&b, "- ~%s #%d %s", f.ChannelName, f.Number, Inline(f.Text))
		if f.AssigneeID != "" {
			fmt.Fprintf(&b, " → %s", Inline(s.mention(f.AssigneeID)))
		}
		b.WriteString(dueSuffix(f.DueAt, loc))
		fmt.Fprintf(&b, " · %s%s\n", Headline(name, f.WorkflowSeq, f.WorkflowTitle), state)
	}
	fmt.Fprintf(&b, "\nFinish one in its channel with `/%s task done <n>`.", s.settings().CommandTrigger)
	return b.String()
}

// taskWord is how posts and the timeline name a task: a follow-up says so.
func taskWord(t *Task) string {
	if t.Followup {
		return "Follow-up"
	}
	return "Task"
}

// afterClose marks a change made to a closed workflow, for the timeline.
func afterClose(w *Workflow) string {
	if w.Status == StatusClosed {
		return " after the close"
	}
	return ""
}

// postAboutTaskOf posts about a task in its workflow's channel, unless the workflow is
// closed and its channel archived: a follow-up finished long after lives on the
// timeline then, where the export and `timeline` read it.
func (s *Service) postAboutTaskOf(ctx context.Context, w *Workflow, tmpl *Template, message string, task *Task) error {
	if w.Status == StatusClosed {
		if ch, err := s.mm.GetChannel(w.ChannelID); err == nil && ch.DeleteAt == 0 {
			return s.post(w, message)
		}
		return nil
	}
	return s.postAboutTask(ctx, w, tmpl, message, task)
}
