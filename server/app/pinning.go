package app

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pkg/errors"
)

// TemplateVersion is a template as workflows started from it: recorded once under
// its version (a hash of its JSON) and never changed.
type TemplateVersion struct {
	Template *Template
	// RecordedAt is when the version was first recorded: the first start from it, or
	// the plugin's activation for workflows older than versions.
	RecordedAt int64
}

// templateVersions caches recorded versions: immutable rows, so a node may keep them.
type templateVersions struct{ m sync.Map } // version → *TemplateVersion

// templateOf is the template a workflow runs on: the version it started from.
// Template overrides and "Enabled workflow types" apply to new starts; a running
// workflow keeps the stages, gates, roles, severities and cadences it started with.
func (s *Service) templateOf(ctx context.Context, w *Workflow) (*Template, error) {
	current, defined := s.settings().Templates.Defined(w.Type)
	if defined && current.Version == w.TemplateVersion {
		return current, nil
	}
	if w.TemplateVersion != "" {
		v, err := s.templateVersion(ctx, w.TemplateVersion)
		if err == nil {
			return v.Template, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		// Only a hand-edited database loses a version; the workflow goes on rather
		// than freezing, on what is closest to it.
		s.mm.LogError("A workflow's template version is missing; using its type's current template",
			"workflow_id", w.ID, "template_version", w.TemplateVersion)
	}
	// Not pinned: made before versions and not pinned yet (activation pins them).
	if defined {
		return current, nil
	}
	return standInTemplate(w), nil
}

// templateVersion reads a recorded version, once per node.
func (s *Service) templateVersion(ctx context.Context, version string) (*TemplateVersion, error) {
	if v, ok := s.versions.m.Load(version); ok {
		return v.(*TemplateVersion), nil
	}
	v, err := s.store.TemplateVersion(ctx, version)
	if err != nil {
		return nil, errors.Wrap(err, "read the workflow's template version")
	}
	s.versions.m.Store(version, v)
	return v, nil
}

// standInTemplate is what a workflow of a type nobody defines any more runs on when
// no version of its template was ever recorded (it was removed before versions
// existed): its own stage, roles and severity, enough to read and close it.
func standInTemplate(w *Workflow) *Template {
	t := &Template{Type: w.Type, Name: w.Type, Stages: []Stage{{Name: w.Stage}}, LeadRole: "lead"}
	for role, id := range w.Roles {
		if id == w.LeadID {
			t.LeadRole = role
		}
		t.Roles = append(t.Roles, role)
	}
	sort.Strings(t.Roles)
	if !slices.Contains(t.Roles, t.LeadRole) {
		t.Roles = append([]string{t.LeadRole}, t.Roles...)
	}
	if w.Severity != "" {
		t.Severities = []string{w.Severity}
	}
	return t
}

// PinUnversionedWorkflows pins every workflow that has no template version yet (made
// before versions) to its type's template in force, enabled or not. The plugin runs
// it on activation, after the migrations; it is idempotent.
func PinUnversionedWorkflows(ctx context.Context, st Store, templates *Templates) (int, error) {
	return st.PinUnversioned(ctx, templates.AllDefined(), time.Now().UnixMilli())
}

// PinnedTemplate tells how the template a workflow runs on stands against its
// type's template now.
type PinnedTemplate struct {
	Version string `json:"version"`
	// RecordedAt is when that version was first recorded (0 if unknown).
	RecordedAt int64 `json:"recorded_at"`
	// Current: the type's template in force is this version.
	Current bool `json:"current"`
	// Changed names the template fields the type's current template changes, in
	// the template's JSON names; empty when current or when the type is gone.
	Changed []string `json:"changed"`
	// Defined: the type still exists (built in, or in the overrides).
	Defined bool `json:"defined"`
	// Enabled: new workflows of the type may start.
	Enabled bool `json:"enabled"`
}

// pinnedTemplate compares the template a workflow runs on with its type's template now.
func (s *Service) pinnedTemplate(ctx context.Context, w *Workflow, tmpl *Template) PinnedTemplate {
	ts := s.settings().Templates
	current, defined := ts.Defined(w.Type)
	_, enabled := ts.Get(w.Type)
	p := PinnedTemplate{Version: tmpl.Version, Defined: defined, Enabled: enabled, Changed: []string{}}
	if tmpl.Version != "" { // a stand-in has none
		if v, err := s.templateVersion(ctx, tmpl.Version); err == nil {
			p.RecordedAt = v.RecordedAt
		}
	}
	if defined {
		p.Current = current.Version == tmpl.Version
		if !p.Current {
			p.Changed = changedFields(tmpl, current)
		}
	}
	return p
}

// changedFields lists the JSON names of the fields in which two templates differ, in
// the template's field order.
func changedFields(a, b *Template) []string {
	var am, bm map[string]any
	order := templateFieldOrder()
	if decodeAsMap(a, &am) != nil || decodeAsMap(b, &bm) != nil {
		return order
	}
	var out []string
	for _, k := range order {
		if !equalJSON(am[k], bm[k]) {
			out = append(out, k)
		}
	}
	return out
}

// TemplateNote is the line `info` shows when a workflow runs on a template that is
// not its type's current one; "" when it is.
func (v *WorkflowView) TemplateNote() string {
	p := v.Pinned
	if p.Current {
		return ""
	}
	asOf := ""
	if p.RecordedAt > 0 {
		asOf = " as of " + FormatTime(p.RecordedAt, time.UTC)
	}
	var why string
	switch {
	case !p.Defined:
		why = "the type is no longer defined"
	case len(p.Changed) > 0:
		why = "the current template differs: " + strings.Join(p.Changed, ", ")
	default:
		why = "the current template differs"
	}
	if p.Defined && !p.Enabled {
		why += "; new ones may not start"
	}
	return "**Template:** " + v.Template.Name + " (" + v.Type + ")" + asOf + ", kept while it runs (" + why + ")."
}

// templateFieldOrder is the template's JSON field names in declaration order.
func templateFieldOrder() []string {
	typ := reflect.TypeOf(Template{})
	out := make([]string, 0, typ.NumField())
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

func decodeAsMap(t *Template, out *map[string]any) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return errors.Wrap(err, "encode template")
	}
	return errors.Wrap(json.Unmarshal(raw, out), "decode template")
}

// equalJSON compares two decoded JSON values by their encoding (maps encode with
// sorted keys, so equal values encode alike).
func equalJSON(a, b any) bool {
	ra, erra := json.Marshal(a)
	rb, errb := json.Marshal(b)
	return erra == nil && errb == nil && bytes.Equal(ra, rb)
}
