package app

import (
	"testing"
)

// FuzzBuildTemplates feeds arbitrary override JSON to the template builder: it must
// refuse or accept without panicking, and whatever it accepts must be usable.
func FuzzBuildTemplates(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `{"release":{"start_disciplines":[]}}`,
		`{"pm":{"name":"PM","channel_pattern":"pm-{seq}","lead_role":"lead","stages":[{"name":"a"},{"name":"b","gate":["qa"]}]}}`,
		`{"incident":{"cadence":{"sev1":"5m","default":"1d"}}}`, `{"x":{"stages":[{"name":"next"}]}}`, `[1,2]`, `{"a":null}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, overrides string) {
		ts, err := BuildTemplates(overrides, nil, BuiltinDisciplines())
		if err != nil {
			return
		}
		for _, tmpl := range ts.All() {
			if len(tmpl.Stages) == 0 || !tmpl.HasRole(tmpl.LeadRole) {
				t.Fatalf("accepted an unusable template %q", tmpl.Type)
			}
			if len(tmpl.Stages[0].Gate) > 0 {
				t.Fatalf("accepted a gate on the first stage of %q", tmpl.Type)
			}
			if tmpl.DefaultSeverity != "" && !tmpl.HasSeverity(tmpl.DefaultSeverity) {
				t.Fatalf("default severity of %q is not a severity", tmpl.Type)
			}
		}
	})
}
