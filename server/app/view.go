package app

import (
	"context"
	"slices"
	"strings"
)

// Permissions say what a user may do with a workflow, so a UI can hide what the
// server would refuse. The server still checks every call.
type Permissions struct {
	ChangeStage        bool         `json:"change_stage"`
	AssignRoles        bool         `json:"assign_roles"`
	Close              bool         `json:"close"`
	Reopen             bool         `json:"reopen"`
	UpdateStatus       bool         `json:"update_status"`
	ManageTasks        bool         `json:"manage_tasks"`
	SetFields          bool         `json:"set_fields"`
	SignoffDisciplines []Discipline `json:"signoff_disciplines"`
}

// TemplateSummary is the part of a template a client shows.
type TemplateSummary struct {
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	LeadRole   string         `json:"lead_role"`
	Roles      []string       `json:"roles"`
	Severities []string       `json:"severities"`
	Private    bool           `json:"private"`
	Stages     []StageSummary `json:"stages"`
	CanStart   bool           `json:"can_start"`
	Fields     []Field        `json:"fields"`
}

// StageIndex returns the position of a stage, or -1.
func (t TemplateSummary) StageIndex(name string) int {
	return slices.IndexFunc(t.Stages, func(st StageSummary) bool { return st.Name == name })
}

// StageSummary is a stage and its gate.
type StageSummary struct {
	Name string       `json:"name"`
	Gate []Discipline `json:"gate"`
}

// WorkflowView is a workflow with its template and the viewer's permissions.
type WorkflowView struct {
	*Workflow
	// Template is the template the workflow runs on: the version it started from.
	Template TemplateSummary `json:"template"`
	// Pinned tells how that version stands against the type's template now.
	Pinned      PinnedTemplate `json:"pinned_template"`
	Permissions Permissions    `json:"permissions"`
	// FieldValues are the template's custom fields with this workflow's values.
	FieldValues []FieldValue `json:"field_values"`
}

func summarize(t *Template) TemplateSummary {
	out := TemplateSummary{Type: t.Type, Name: t.Name, LeadRole: t.LeadRole, Roles: t.Roles,
		Severities: t.Severities, Private: t.Private, Stages: make([]StageSummary, len(t.Stages)), Fields: t.Fields}
	if out.Fields == nil {
		out.Fields = []Field{}
	}
	if out.Severities == nil {
		out.Severities = []string{}
	}
	for i, st := range t.Stages {
		gate := st.Gate
		if gate == nil {
			gate = []Discipline{}
		}
		out.Stages[i] = StageSummary{Name: st.Name, Gate: gate}
	}
	return out
}

// View returns a visible workflow with its template and the actor's permissions.
func (s *Service) View(ctx context.Context, actorID string, w *Workflow) (*WorkflowView, error) {
	tmpl, err := s.templateOf(ctx, w)
	if err != nil {
		return nil, err
	}
	var ud UserDiscipline
	var member bool
	if v := w.Viewer; v != nil && v.ID == actorID {
		// Read with the workflow: no further round trips for the viewer's facts.
		ud = s.viewerDiscipline(v)
		member = v.ChannelMember
	} else {
		if ud, err = s.userDiscipline(ctx, actorID); err != nil {
			return nil, err
		}
		member = s.mm.IsChannelMember(w.ChannelID, actorID)
	}
	// The same check the changes make, so what a UI offers is what the server allows
	// under any permission scheme.
	lead := s.isLeadOrAdmin(w, actorID)
	active := w.Status == StatusActive
	p := Permissions{
		ChangeStage: lead && active, AssignRoles: lead && active, Close: lead && active,
		Reopen: lead && !active, UpdateStatus: member && active, ManageTasks: member && active, SetFields: member && active,
		SignoffDisciplines: []Discipline{},
	}
	// Only a discipline that may open gates is offered one (see Signoff).
	if d := ud.Discipline; active && member && d != "" && s.maySignOff(ud) {
		cur := tmpl.StageIndex(w.Stage)
		for _, st := range tmpl.Stages[cur+1:] {
			if containsDiscipline(st.Gate, d) && !w.hasSignoff(st.Name, d) {
				p.SignoffDisciplines = append(p.SignoffDisciplines, d)
				break
			}
		}
	}
	return &WorkflowView{Workflow: w, Template: summarize(tmpl), Pinned: s.pinnedTemplate(ctx, w, tmpl), Permissions: p,
		FieldValues: s.fieldValues(w, tmpl)}, nil
}

// Templates lists the enabled workflow types and whether the actor may start each:
// in a team (teamID not empty), that includes whether Mattermost lets them create the
// type's kind of channel there.
func (s *Service) Templates(ctx context.Context, actorID, teamID string) ([]TemplateSummary, error) {
	actor, err := s.mm.GetUser(actorID)
	if err != nil {
		return nil, err
	}
	d, err := s.disciplineOf(ctx, actor)
	if err != nil {
		return nil, err
	}
	admin := s.mm.IsSystemAdmin(actorID)
	mayCreate := map[bool]bool{} // by privacy, asked once each
	var out []TemplateSummary
	for _, t := range s.settings().Templates.All() {
		sum := summarize(t)
		sum.CanStart = admin || t.MayStart(d)
		if sum.CanStart && teamID != "" {
			may, asked := mayCreate[t.Private]
			if !asked {
				may = s.mayCreateChannel(actorID, teamID, t, t.Private) == nil
				mayCreate[t.Private] = may
			}
			sum.CanStart = may
		}
		out = append(out, sum)
	}
	return out, nil
}

// similarCandidates is how many of the newest active workflows of a type the
// duplicate guard compares: where duplicates happen.
const similarCandidates = 200

// findSimilar returns the workflow among active (a type's active workflows in the
// team) whose title is close to title: after normalising, most tokens of the
// shorter title appear in the other.
func findSimilar(active []*Workflow, title string) *Workflow {
	want := titleTokens(title)
	for _, w := range active {
		if similarTokens(want, titleTokens(w.Title)) {
			return w
		}
	}
	return nil
}

var stopWords = map[string]bool{"the": true, "a": true, "an": true, "in": true, "on": true, "of": true,
	"for": true, "to": true, "and": true, "is": true, "at": true, "with": true, "from": true}

func titleTokens(title string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '.' && r <= 127
	}) {
		f = strings.Trim(f, ".")
		if f == "" || stopWords[f] {
			continue
		}
		out[strings.TrimSuffix(f, "s")] = true
	}
	return out
}

// similarTokens: at least 75% of the smaller set is in the larger (and two tokens at least
// in common unless a title is a single token). Tokens with digits are identifiers —
// versions, ticket numbers, regions — so titles whose numbers differ are different work.
func similarTokens(a, b map[string]bool) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if !sameNumbers(a, b) {
		return false
	}
	small, large := a, b
	if len(a) > len(b) {
		small, large = b, a
	}
	common := 0
	for t := range small {
		if large[t] {
			common++
		}
	}
	if common < min(2, len(small)) {
		return false
	}
	return float64(common)/float64(len(small)) >= 0.75
}

func sameNumbers(a, b map[string]bool) bool {
	numbers := func(m map[string]bool) map[string]bool {
		out := map[string]bool{}
		for t := range m {
			if strings.ContainsAny(t, "0123456789") {
				out[t] = true
			}
		}
		return out
	}
	na, nb := numbers(a), numbers(b)
	if len(na) != len(nb) {
		return len(na) == 0 || len(nb) == 0
	}
	for t := range na {
		if !nb[t] {
			return false
		}
	}
	return true
}

// OpenPanel asks the user's webapps to open the DevOps Channels panel.
func (s *Service) OpenPanel(userID string) {
	s.mm.PublishToUser("open_panel", map[string]any{}, userID)
}
