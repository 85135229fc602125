package e2e

// Disciplines with provenance: only a verified discipline (mapped by a system admin,
// or granted) opens a gate; a verified person grants only their own discipline; a
// mapped discipline stays with the person whatever they rename to.

import (
	"context"
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// userDiscipline is GET /me/discipline.
type userDiscipline struct {
	Discipline string `json:"discipline"`
	Source     string `json:"source"`
	Verified   bool   `json:"verified"`
	GrantedBy  string `json:"granted_by"`
}

func myDiscipline(t *testing.T, m *member) userDiscipline {
	t.Helper()
	var ud userDiscipline
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/me/discipline", nil, &ud))
	return ud
}

// signoffsOf reads a workflow's sign-offs with their sources.
func signoffsOf(t *testing.T, m *member, workflowID string) []signoffJSON {
	t.Helper()
	var w struct {
		Signoffs []signoffJSON `json:"signoffs"`
	}
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/workflows/"+workflowID, nil, &w))
	return w.Signoffs
}

// releaseAtStaging starts a release as lead, brings the others into its channel and
// moves it to staging: the next stage, production, is gated by qa and security.
func (e *env) releaseAtStaging(lead *member, title string, others ...*member) *workflowJSON {
	e.t.Helper()
	w := e.start(lead, "release "+title)
	for _, m := range others {
		_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, m.Id)
		require.NoError(e.t, err)
	}
	require.Equal(e.t, http.StatusOK, api(e.t, lead, http.MethodPost, "/api/v1/workflows/"+w.ID+"/stage", map[string]string{"stage": "staging"}, nil))
	return w
}

// A self-declared discipline cannot open a gate through either door, and the refusal
// names who could; granted, it can, and the sign-off records the source.
func TestDisciplinesDeclaredCannotOpenAGateGrantedCan(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	declared := e.withDiscipline("declqa", "qa")
	qaLead := e.verified("qalead", "qa")
	sec := e.verified("sec", "security")
	w := e.releaseAtStaging(dev, "Gatekeeping 1.0.0", declared, qaLead, sec)

	require.Equal(t, userDiscipline{Discipline: "qa", Source: "declared"}, myDiscipline(t, declared))
	requireContains(t, e.run(declared, e.square.Id, "/devops discipline").Text, "**qa** (you declared it)", "Signing off gates needs it verified")
	require.Empty(t, e.workflowOf(declared, w.ChannelID).Permissions.SignoffDisciplines, "no gate offered to a declared discipline")
	require.Equal(t, []string{"qa"}, e.workflowOf(qaLead, w.ChannelID).Permissions.SignoffDisciplines)

	refusal := "Signing off production needs a verified qa (mapped by a system admin or granted); yours is self-declared."
	requireContains(t, e.run(declared, w.ChannelID, "/devops signoff production").Text, refusal, "@"+qaLead.Username+" can sign off or grant it")
	var refused apiError
	require.Equal(t, http.StatusForbidden, api(t, declared, http.MethodPost, "/api/v1/workflows/"+w.ID+"/signoff",
		map[string]string{"stage": "production"}, &refused))
	requireContains(t, refused.Error, refusal, "@"+qaLead.Username)
	require.Empty(t, signoffsOf(t, dev, w.ID), "a refused sign-off records nothing")

	// A verified qa vouches for a colleague; the grant shows in /devops who.
	requireContains(t, e.run(qaLead, e.square.Id, "/devops discipline grant @"+declared.Username+" qa").Text,
		"Granted **qa** to @"+declared.Username)
	require.Equal(t, userDiscipline{Discipline: "qa", Source: "granted", Verified: true, GrantedBy: qaLead.Id}, myDiscipline(t, declared))
	requireContains(t, e.run(declared, e.square.Id, "/devops discipline").Text, "(granted by @"+qaLead.Username)
	requireContains(t, e.run(dev, w.ChannelID, "/devops who").Text, "| @"+declared.Username+" | qa (granted by @"+qaLead.Username+") |")

	// Granted: the REST door signs qa, the command door security.
	require.Equal(t, http.StatusOK, api(t, declared, http.MethodPost, "/api/v1/workflows/"+w.ID+"/signoff", map[string]string{"stage": "production"}, nil))
	require.Empty(t, e.run(sec, w.ChannelID, "/devops signoff production").Text)
	require.ElementsMatch(t, []signoffJSON{
		{Stage: "production", Discipline: "qa", UserID: declared.Id, Source: "granted"},
		{Stage: "production", Discipline: "security", UserID: sec.Id, Source: "granted"},
	}, signoffsOf(t, dev, w.ID))
	require.Empty(t, e.run(dev, w.ChannelID, "/devops stage next").Text)
	require.Equal(t, "production", e.workflowOf(dev, w.ChannelID).Stage)
}

// Only a system admin or a verified holder of a discipline grants or revokes it.
func TestDisciplinesGrantOnlyYourOwn(t *testing.T) {
	e := newEnv(t)
	qaLead := e.verified("qalead", "qa")
	sec := e.verified("sec", "security")
	declared := e.withDiscipline("declqa", "qa")
	target := e.user("target")
	grantPath := "/api/v1/users/" + target.Id + "/discipline/grant"

	tries := []struct {
		who        *member
		discipline string
		refusal    string
	}{
		{qaLead, "security", "Granting security needs a system admin or someone whose own security is verified (mapped or granted); yours is qa (granted)."},
		{declared, "qa", "Granting qa needs a system admin or someone whose own qa is verified (mapped or granted); yours is qa (declared)."},
	}
	for _, try := range tries {
		requireContains(t, e.run(try.who, e.square.Id, "/devops discipline grant @"+target.Username+" "+try.discipline).Text, try.refusal)
		var refused apiError
		require.Equal(t, http.StatusForbidden, api(t, try.who, http.MethodPut, grantPath, map[string]string{"discipline": try.discipline}, &refused))
		require.Equal(t, try.refusal, refused.Error)
	}
	require.Equal(t, "none", myDiscipline(t, target).Source, "no refused grant went through")

	var granted struct {
		UserID string `json:"user_id"`
		userDiscipline
	}
	require.Equal(t, http.StatusOK, api(t, qaLead, http.MethodPut, grantPath, map[string]string{"discipline": "qa"}, &granted))
	require.Equal(t, target.Id, granted.UserID)
	require.Equal(t, userDiscipline{Discipline: "qa", Source: "granted", Verified: true, GrantedBy: qaLead.Id}, granted.userDiscipline)

	// One grant per person: another one waits for a revocation.
	requireContains(t, e.run(sec, e.square.Id, "/devops discipline grant @"+target.Username+" security").Text,
		"@"+target.Username+" holds qa, granted by @"+qaLead.Username)
	// Revoking is for the granted discipline's verified holders and admins too.
	requireContains(t, e.run(sec, e.square.Id, "/devops discipline revoke @"+target.Username).Text, "Revoking qa needs a system admin")
	var refused apiError
	require.Equal(t, http.StatusForbidden, api(t, declared, http.MethodDelete, grantPath, nil, &refused))
	requireContains(t, refused.Error, "Revoking qa needs a system admin", "yours is qa (declared)")
	requireContains(t, e.run(qaLead, e.square.Id, "/devops discipline revoke @"+target.Username).Text,
		"Revoked @"+target.Username+"'s granted **qa**. Their discipline is now not set.")
	require.Equal(t, http.StatusNotFound, api(t, qaLead, http.MethodDelete, grantPath, nil, &refused))
	requireContains(t, refused.Error, "holds no granted discipline")

	// A system admin grants any discipline.
	require.Equal(t, http.StatusOK, api(t, admin(), http.MethodPut, grantPath, map[string]string{"discipline": "security"}, nil))
	require.Equal(t, "security", myDiscipline(t, target).Discipline)
	requireContains(t, e.run(target, e.square.Id, "/devops discipline qa").Text, "granted by @"+srv.AdminUser.Username)
}

// The mapping binds a name to its person when saved: renaming moves nothing, also
// after the plugin restarts; an unknown name is refused at save.
func TestDisciplinesMappingFollowsThePersonNotTheName(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dev := e.withDiscipline("dev", "developer")
	alice := e.user("alice")
	mallory := e.user("mallory")
	defer setPluginSetting(t, "disciplinemapping", "")

	err := srv.SetPluginSetting("disciplinemapping", "nosuchperson: qa\n"+alice.Username+": qa")
	require.Error(t, err)
	requireContains(t, err.Error(), "DisciplineMapping", "no user named nosuchperson")

	setPluginSetting(t, "disciplinemapping", alice.Username+": qa")
	require.Equal(t, userDiscipline{Discipline: "qa", Source: "mapped", Verified: true}, myDiscipline(t, alice))

	oldName, newName := alice.Username, alice.Username+"x"
	_, _, err = alice.client.PatchUser(ctx, alice.Id, &model.UserPatch{Username: &newName})
	require.NoError(t, err)
	_, _, err = mallory.client.PatchUser(ctx, mallory.Id, &model.UserPatch{Username: &oldName})
	require.NoError(t, err)

	w := e.releaseAtStaging(dev, "Renames 2.0.0", alice, mallory)
	check := func(when string) {
		require.Equal(t, "mapped", myDiscipline(t, alice).Source, when)
		require.Equal(t, userDiscipline{Source: "none"}, myDiscipline(t, mallory), when)
		requireContains(t, e.run(mallory, w.ChannelID, "/devops signoff production").Text, "Signing off production needs the discipline qa or security; yours is not set")
	}
	check("after the renames")
	// Saving the setting again (same text) binds nothing anew.
	setPluginSettings(t, map[string]any{"disciplinemapping": oldName + ": qa", "timelineemoji": "round_pushpin"})
	defer setPluginSetting(t, "timelineemoji", "pushpin")
	check("after saving the setting again")
	require.NoError(t, srv.RestartPlugin(harness.PluginID))
	check("after a plugin restart")

	// Declaring qa gives mallory a discipline, not a gate.
	requireContains(t, e.run(mallory, e.square.Id, "/devops discipline qa").Text, "Your discipline is now **qa**")
	requireContains(t, e.run(mallory, w.ChannelID, "/devops signoff production").Text, "needs a verified qa", "@"+newName)
	require.Empty(t, e.run(alice, w.ChannelID, "/devops signoff production").Text)
	require.Equal(t, []signoffJSON{{Stage: "production", Discipline: "qa", UserID: alice.Id, Source: "mapped"}}, signoffsOf(t, dev, w.ID))
}

// With "Self-declared disciplines may sign off gates" on, a declared discipline signs,
// and the sign-off says so.
func TestDisciplinesSelfDeclaredMaySignOffSetting(t *testing.T) {
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	declared := e.withDiscipline("declsec", "security")
	w := e.releaseAtStaging(dev, "Relaxed 3.0.0", declared)
	requireContains(t, e.run(declared, w.ChannelID, "/devops signoff production").Text, "needs a verified security")

	setPluginSettings(t, map[string]any{"selfdeclaredmaysignoff": true})
	defer setPluginSettings(t, map[string]any{"selfdeclaredmaysignoff": false})
	require.Equal(t, []string{"security"}, e.workflowOf(declared, w.ChannelID).Permissions.SignoffDisciplines)
	require.Empty(t, e.run(declared, w.ChannelID, "/devops signoff production").Text)
	requireContains(t, lastPost(t, dev, w.ChannelID).Message, "for **security** (self-declared).")
	require.Equal(t, []signoffJSON{{Stage: "production", Discipline: "security", UserID: declared.Id, Source: "declared"}}, signoffsOf(t, dev, w.ID))
}
