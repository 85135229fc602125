package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// templatesFor builds the templates a configuration with these overrides has.
func templatesFor(t *testing.T, overrides string) *app.Templates {
	t.Helper()
	ts, err := app.BuildTemplates(overrides, nil)
	require.NoError(t, err)
	return ts
}

func incidentOf(t *testing.T, ts *app.Templates) *app.Template {
	t.Helper()
	tmpl, ok := ts.Get("incident")
	require.True(t, ok)
	return tmpl
}

// A start records the template it starts from, once per version, and the workflow
// reads back with its version whatever is recorded later.
func TestStartRecordsItsTemplateVersion(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	builtin := incidentOf(t, templatesFor(t, ""))
	shortened := incidentOf(t, templatesFor(t, `{"incident": {"stages": [{"name": "open"}, {"name": "done"}]}}`))
	require.NotEqual(t, builtin.Version, shortened.Version)

	reserve := func(tmpl *app.Template, at int64) *app.Workflow {
		w := newWorkflow(team, "incident", 0, at)
		w.TemplateVersion = tmpl.Version
		require.NoError(t, s.ReserveWorkflow(ctx, w, app.Reservation{
			Name:  func(seq int) (string, string) { n := fmt.Sprintf("inc-%d", seq); return n, n + "-x" },
			Guard: func([]*app.Workflow) error { return nil }, Candidates: 10, Template: tmpl}))
		require.NoError(t, s.ActivateWorkflow(ctx, w, nil))
		return w
	}
	first := reserve(builtin, 1000)
	second := reserve(builtin, 2000)
	third := reserve(shortened, 3000)

	var versions int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM devops_template_versions`).Scan(&versions))
	require.Equal(t, 2, versions, "one row per version, however many start from it")

	v, err := s.TemplateVersion(ctx, builtin.Version)
	require.NoError(t, err)
	require.Equal(t, int64(1000), v.RecordedAt, "recorded by the first start from it")
	require.Equal(t, builtin, v.Template, "the template reads back exactly")
	v, err = s.TemplateVersion(ctx, shortened.Version)
	require.NoError(t, err)
	require.Equal(t, []string{"open", "done"}, v.Template.StageNames())

	for _, w := range []*app.Workflow{first, second, third} {
		got, err := s.GetWorkflow(ctx, w.ID)
		require.NoError(t, err)
		require.Equal(t, w.TemplateVersion, got.TemplateVersion)
	}
	_, err = s.TemplateVersion(ctx, "no-such-version")
	require.ErrorIs(t, err, app.ErrNotFound)
}

// Workflows made before versions are pinned to the template in force, each to its
// type's, enabled or not; pinned ones and types nobody defines are left alone, and
// pinning again changes nothing.
func TestPinUnversionedWorkflows(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team := model.NewId()
	overridden := `{"incident": {"stages": [{"name": "open"}, {"name": "done"}]}}`
	ts, err := app.BuildTemplates(overridden, []string{"release"}) // incident disabled: still pinned
	require.NoError(t, err)
	incident, _ := ts.Defined("incident")
	release, _ := ts.Defined("release")

	old := newWorkflow(team, "incident", 1, 1000)
	oldRelease := newWorkflow(team, "release", 1, 1000)
	gone := newWorkflow(team, "postmortem", 1, 1000) // a custom type removed before versions
	pinned := newWorkflow(team, "incident", 2, 1000)
	pinned.TemplateVersion = "already-pinned"
	for _, w := range []*app.Workflow{old, oldRelease, gone, pinned} {
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	}

	n, err := s.PinUnversioned(ctx, ts.AllDefined(), 5000)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	for w, want := range map[*app.Workflow]string{old: incident.Version, oldRelease: release.Version, gone: "", pinned: "already-pinned"} {
		got, err := s.GetWorkflow(ctx, w.ID)
		require.NoError(t, err)
		require.Equal(t, want, got.TemplateVersion, w.Type)
	}
	v, err := s.TemplateVersion(ctx, incident.Version)
	require.NoError(t, err)
	require.Equal(t, []string{"open", "done"}, v.Template.StageNames(), "pinned to the template in force, overrides included")
	require.Equal(t, int64(5000), v.RecordedAt)

	n, err = s.PinUnversioned(ctx, templatesFor(t, "").AllDefined(), 6000)
	require.NoError(t, err)
	require.Zero(t, n, "a workflow pinned once keeps its version")
	v, err = s.TemplateVersion(ctx, incident.Version)
	require.NoError(t, err)
	require.Equal(t, int64(5000), v.RecordedAt, "a recorded version never changes")
}

// The outdated filter keeps the workflows whose version is none of the current ones.
func TestListOutdatedWorkflows(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, viewer := model.NewId(), model.NewId()
	_, err := s.DB().Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, viewer)
	require.NoError(t, err)
	current := newWorkflow(team, "incident", 1, 1000)
	current.TemplateVersion = "v2"
	old := newWorkflow(team, "incident", 2, 2000)
	old.TemplateVersion = "v1"
	unversioned := newWorkflow(team, "incident", 3, 3000)
	for _, w := range []*app.Workflow{current, old, unversioned} {
		require.NoError(t, s.CreateWorkflow(ctx, w, nil))
	}
	list := func(f app.ListFilter) []string {
		f.TeamID, f.ViewerID, f.ReadsPublic, f.PerPage = team, viewer, true, 10
		items, _, err := s.ListWorkflows(ctx, f)
		require.NoError(t, err)
		var ids []string
		for _, w := range items {
			ids = append(ids, w.ID)
		}
		return ids
	}
	require.Equal(t, []string{unversioned.ID, old.ID}, list(app.ListFilter{Outdated: true, CurrentVersions: []string{"v2", "other"}}))
	require.Equal(t, []string{unversioned.ID, old.ID}, list(app.ListFilter{Outdated: true, CurrentVersions: []string{"v2"}, Brief: true}))
	require.Len(t, list(app.ListFilter{Outdated: true}), 3, "no current version: every one is outdated")
	require.Len(t, list(app.ListFilter{CurrentVersions: []string{"v2"}}), 3, "without the filter the versions do not matter")
}
