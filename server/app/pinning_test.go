package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func buildTemplates(t *testing.T, overrides string, enabled ...string) *Templates {
	t.Helper()
	ts, err := BuildTemplates(overrides, enabled)
	require.NoError(t, err)
	return ts
}

// "Enabled workflow types" chooses what may start; every defined type stays known,
// so its running workflows go on.
func TestEnabledTypesGovernNewStartsOnly(t *testing.T) {
	ts := buildTemplates(t, "", "release", "qa")
	require.Equal(t, []string{"release", "qa"}, ts.Types())
	_, ok := ts.Get("incident")
	require.False(t, ok)
	incident, ok := ts.Defined("incident")
	require.True(t, ok)
	require.Equal(t, "incident", incident.Type)
	require.Len(t, ts.AllDefined(), 7)

	_, err := ts.Startable("Incident")
	e, ok := AsError(err)
	require.True(t, ok)
	require.Equal(t, KindForbidden, e.Kind)
	require.Contains(t, e.Message, "New incident workflows cannot be started")
	require.Contains(t, e.Message, "Types you can start: release, qa.")
	_, err = ts.Startable("party")
	require.ErrorContains(t, err, `Unknown workflow type "party"`)
	_, err = ts.Startable(" ")
	require.ErrorContains(t, err, "Name a workflow type: release, qa.")
	release, err := ts.Startable(" release ")
	require.NoError(t, err)
	require.Equal(t, "release", release.Type)
}

// A template's version is the same wherever and whenever the same template is built,
// enabled or not, and another for any change.
func TestTemplateVersions(t *testing.T) {
	builtin := buildTemplates(t, "")
	again := buildTemplates(t, "", "release")
	overridden := buildTemplates(t, `{"incident": {"stages": [{"name": "open"}, {"name": "done"}]}}`)
	versions := map[string]bool{}
	for _, tmpl := range builtin.AllDefined() {
		require.Len(t, tmpl.Version, 32)
		same, _ := again.Defined(tmpl.Type)
		require.Equal(t, tmpl.Version, same.Version, tmpl.Type)
		other, _ := overridden.Defined(tmpl.Type)
		require.Equal(t, tmpl.Type != "incident", tmpl.Version == other.Version, tmpl.Type)
		versions[tmpl.Version] = true
	}
	require.Len(t, versions, 7, "each type its own version")

	before, _ := builtin.Defined("incident")
	after, _ := overridden.Defined("incident")
	require.Equal(t, []string{"stages"}, changedFields(before, after))
	require.Empty(t, changedFields(before, before))
	cadence := buildTemplates(t, `{"incident": {"cadence": {"sev1": "5m"}, "roles": ["scribe"]}}`)
	withCadence, _ := cadence.Defined("incident")
	require.Equal(t, []string{"cadence", "roles"}, changedFields(before, withCadence))
}

// versionStore serves recorded versions and counts the reads.
type versionStore struct {
	Store
	versions map[string]*TemplateVersion
	reads    int
}

func (s *versionStore) TemplateVersion(_ context.Context, version string) (*TemplateVersion, error) {
	s.reads++
	if v, ok := s.versions[version]; ok {
		return v, nil
	}
	return nil, ErrNotFound
}

// A workflow runs on its own version: the current template when that is it, the
// recorded one (read once per node) when the type's template changed or the type
// is gone, and a stand-in made from the workflow when nothing was ever recorded.
func TestTemplateOfIsTheWorkflowsOwnVersion(t *testing.T) {
	ctx := context.Background()
	original := buildTemplates(t, "")
	old, _ := original.Defined("incident")
	st := &versionStore{versions: map[string]*TemplateVersion{old.Version: {Template: old, RecordedAt: 1000}}}
	settings := &Settings{Templates: buildTemplates(t, `{"incident": {"stages": [{"name": "open"}, {"name": "done"}]}}`, "release")}
	s := &Service{store: st, settings: func() *Settings { return settings }}

	current, _ := settings.Templates.Defined("incident")
	got, err := s.templateOf(ctx, &Workflow{Type: "incident", TemplateVersion: current.Version})
	require.NoError(t, err)
	require.Same(t, current, got)
	require.Zero(t, st.reads, "the current version needs no read")

	for range 3 {
		got, err = s.templateOf(ctx, &Workflow{Type: "incident", TemplateVersion: old.Version})
		require.NoError(t, err)
		require.Equal(t, []string{"triage", "investigating", "mitigated", "resolved"}, got.StageNames())
	}
	require.Equal(t, 1, st.reads, "a recorded version is read once")

	got, err = s.templateOf(ctx, &Workflow{Type: "incident"})
	require.NoError(t, err)
	require.Same(t, current, got, "not pinned yet: the template in force")

	gone := &Workflow{Type: "postmortem", Stage: "review", LeadID: "u1", Severity: "high",
		Roles: map[string]string{"facilitator": "u1", "scribe": "u2"}}
	got, err = s.templateOf(ctx, gone)
	require.NoError(t, err)
	require.Equal(t, []string{"review"}, got.StageNames())
	require.Equal(t, "facilitator", got.LeadRole)
	require.Equal(t, []string{"facilitator", "scribe"}, got.Roles)
	require.True(t, got.HasSeverity("high"))
}

func TestTemplateNote(t *testing.T) {
	view := func(p PinnedTemplate) *WorkflowView {
		return &WorkflowView{Workflow: &Workflow{Type: "incident"}, Template: TemplateSummary{Name: "Incident"}, Pinned: p}
	}
	require.Empty(t, view(PinnedTemplate{Current: true, Defined: true}).TemplateNote())
	require.Equal(t, "**Template:** Incident (incident) as of 2025-12-02 09:30 UTC, kept while it runs (the current template differs: stages, roles).",
		view(PinnedTemplate{RecordedAt: 1764667800000, Defined: true, Enabled: true, Changed: []string{"stages", "roles"}}).TemplateNote())
	require.Equal(t, "**Template:** Incident (incident), kept while it runs (the current template differs: stages; new ones may not start).",
		view(PinnedTemplate{Defined: true, Changed: []string{"stages"}}).TemplateNote())
	require.Equal(t, "**Template:** Incident (incident), kept while it runs (the type is no longer defined).",
		view(PinnedTemplate{}).TemplateNote())
}
