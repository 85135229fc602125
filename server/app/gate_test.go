package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func builtin(t *testing.T, typ string) *Template {
	t.Helper()
	for _, tmpl := range builtinTemplates() {
		if tmpl.Type == typ {
			require.NoError(t, tmpl.validate(BuiltinDisciplines()))
			return tmpl
		}
	}
	t.Fatalf("no built-in %s", typ)
	return nil
}

// Going back before a gate voids its sign-offs, and only those.
func TestVoidSignoffsAfter(t *testing.T) {
	release := builtin(t, "release")
	require.True(t, release.Stages[release.StageIndex("production")].InviteGate, "the release's production gate invites its signers")
	qa := Signoff{Stage: "production", Discipline: QA, UserID: "q"}
	sec := Signoff{Stage: "production", Discipline: Security, UserID: "s"}
	w := &Workflow{Signoffs: []Signoff{qa, sec}}
	require.Empty(t, voidSignoffsAfter(w, release, release.StageIndex("production")), "re-entering production from done keeps them")
	require.Equal(t, []Signoff{qa, sec}, voidSignoffsAfter(w, release, release.StageIndex("staging")))
	require.Empty(t, w.Signoffs)
	require.Equal(t, []Signoff{qa, sec}, w.VoidedSignoffs)
}

func TestInviteGateNeedsAGate(t *testing.T) {
	tmpl := builtin(t, "release")
	tmpl.Stages[tmpl.StageIndex("staging")].InviteGate = true
	require.ErrorContains(t, tmpl.validate(BuiltinDisciplines()), `template "release": stages[staging].invite_gate: the stage has no gate`)
}
