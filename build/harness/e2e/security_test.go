package e2e

// The security suite: who may change a workflow through either door (the permission
// matrix), what a private workflow shows to people outside it, what text users and CI
// systems give can make a bot post do, and where the API takes identity from.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/shared/markdown"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// ---------------------------------------------------------------------------------
// The permission matrix
// ---------------------------------------------------------------------------------

// actor is one kind of person the matrix tries every change as.
type actor struct {
	name string
	*member
	discipline string // "" when not set
	verified   bool   // the discipline is granted (else self-declared)
	inTeam     bool   // a member of the workflows' team
	inChannel  bool   // a member of every matrix workflow's channel
	admin      bool   // a team or system admin: Mattermost lets them run commands in any channel of the team
	manages    bool   // the lead, or an admin of the channel, team or system
}

// rule is who may make a change, as the README's command table says.
type rule int

const (
	leadOrAdmin    rule = iota // the lead, or a channel, team or system admin
	channelMembers             // members of the workflow's channel
	gateDiscipline             // channel members of a discipline the gate names
)

// outcome is what a door should answer.
type outcome struct {
	allowed bool
	status  int    // the REST door's status when refused
	message string // what a refusal must say (both doors)
}

// fixture is one matrix workflow and what the actions need to know about it.
type fixture struct {
	*matrix
	w         *workflowJSON
	leadRole  string
	otherRole string    // a role that is not the lead's
	next      string    // the stage after the first
	gate      string    // a gated stage ahead, "" when none
	gateBy    []string  // the disciplines the gate needs
	severity  string    // a severity other than the workflow's, "" when it has none
	openTask  int       // an open task
	doneTask  int       // a finished task
	ownedTask int       // a task assigned to the lead
	last      *snapshot // the state as last read, nil when the keeper changed it since
}

// matrix holds the people the matrix tries.
type matrix struct {
	e          *env
	lead       *actor
	holder     *actor // holds the fixture's otherRole
	plain      *actor // the target of role, task assign and handoff changes
	chanAdmin  *actor // also the keeper: reads the state and puts it back
	actors     []*actor
	usernameOf map[string]string
}

// try is one attempt: an action, by someone, through one door.
type try struct {
	*fixture
	who  *actor
	door string // "command" or "REST"
	text string // unique text for status updates and tasks
}

// snapshot is a workflow and its tasks as the keeper reads them through the API.
type snapshot struct {
	Stage      string            `json:"stage"`
	Status     string            `json:"status"`
	Severity   string            `json:"severity"`
	LeadID     string            `json:"lead_id"`
	Roles      map[string]string `json:"roles"`
	Signoffs   []signoffJSON     `json:"signoffs"`
	LastStatus *struct {
		Text   string `json:"text"`
		UserID string `json:"user_id"`
	} `json:"last_status"`
	NextReminderAt int64 `json:"next_reminder_at"`
	tasks          []taskJSON
	raw            string // the workflow's and the tasks' JSON: equal when nothing changed
}

type signoffJSON struct {
	Stage      string `json:"stage"`
	Discipline string `json:"discipline"`
	UserID     string `json:"user_id"`
	Source     string `json:"source"`
}

func (s *snapshot) task(t *testing.T, number int) taskJSON {
	t.Helper()
	for _, task := range s.tasks {
		if task.Number == number {
			return task
		}
	}
	t.Fatalf("no task #%d", number)
	return taskJSON{}
}

// action is one state-changing command and its REST route.
type action struct {
	name  string
	rule  rule
	types []string // the workflow types it applies to; nil for all
	cmd   func(c *try) string
	route func(c *try) (method, path string, body any)
	// setup prepares the state before each door (reopen needs a closed workflow).
	setup func(t *testing.T, f *fixture, now *snapshot)
	// changed checks what an allowed attempt did.
	changed func(t *testing.T, c *try, before, after *snapshot)
	// undo puts the baseline back after either door, allowed or not.
	undo func(t *testing.T, f *fixture, before, after *snapshot)
	// finish puts the baseline back after the last attempt, for actions whose setup
	// is costly to repeat.
	finish func(t *testing.T, f *fixture)
}

func (f *fixture) path(suffix string) string {
	return "/api/v1/workflows/" + f.w.ID + suffix
}

// actions is every state-changing command and REST route.
func actions() []*action {
	post := func(suffix string, body func(c *try) any) func(c *try) (string, string, any) {
		return func(c *try) (string, string, any) { return http.MethodPost, c.path(suffix), body(c) }
	}
	patchTask := func(number func(f *fixture) int, body any) func(c *try) (string, string, any) {
		return func(c *try) (string, string, any) {
			return http.MethodPatch, c.path(fmt.Sprintf("/tasks/%d", number(c.fixture))), body
		}
	}
	openTask := func(f *fixture) int { return f.openTask }
	doneTask := func(f *fixture) int { return f.doneTask }
	ownedTask := func(f *fixture) int { return f.ownedTask }
	return []*action{
		{name: "stage", rule: leadOrAdmin,
			cmd:   func(*try) string { return "/devops stage next" },
			route: post("/stage", func(*try) any { return map[string]string{"stage": "next"} }),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.Equal(t, c.next, after.Stage)
			},
			undo: func(t *testing.T, f *fixture, before, after *snapshot) {
				if after.Stage != before.Stage {
					f.keep(t, http.MethodPost, f.path("/stage"), map[string]string{"stage": before.Stage})
				}
			}},
		{name: "signoff", rule: gateDiscipline, types: []string{"release", "security"},
			cmd:   func(c *try) string { return "/devops signoff " + c.gate + " looks good" },
			route: post("/signoff", func(c *try) any { return map[string]string{"stage": c.gate, "note": "looks good"} }),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.Contains(t, after.Signoffs, signoffJSON{Stage: c.gate, Discipline: c.who.discipline, UserID: c.who.Id, Source: "granted"})
			},
			undo: func(t *testing.T, f *fixture, before, after *snapshot) {
				if len(after.Signoffs) != len(before.Signoffs) {
					// No route takes a sign-off back; the baseline has none.
					db, err := srv.DB()
					require.NoError(t, err)
					_, err = db.Exec(`DELETE FROM devops_signoffs WHERE workflow_id = $1`, f.w.ID)
					require.NoError(t, err)
					f.last = nil
				}
			}},
		{name: "role", rule: leadOrAdmin,
			cmd: func(c *try) string { return fmt.Sprintf("/devops role %s @%s", c.otherRole, c.plain.Username) },
			route: post("/roles", func(c *try) any {
				return map[string]string{"role": c.otherRole, "username": c.plain.Username}
			}),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.Equal(t, c.plain.Id, after.Roles[c.otherRole])
			},
			undo: func(t *testing.T, f *fixture, before, after *snapshot) {
				if holder := before.Roles[f.otherRole]; after.Roles[f.otherRole] != holder {
					f.keep(t, http.MethodPost, f.path("/roles"), map[string]string{"role": f.otherRole, "username": f.usernameOf[holder]})
				}
			}},
		{name: "close", rule: leadOrAdmin,
			cmd:   func(*try) string { return "/devops close done here" },
			route: post("/close", func(*try) any { return map[string]string{"summary": "done here"} }),
			changed: func(t *testing.T, _ *try, _, after *snapshot) {
				require.Equal(t, "closed", after.Status)
			},
			undo: reopenIfClosed},
		{name: "reopen", rule: leadOrAdmin,
			cmd:   func(*try) string { return "/devops reopen" },
			route: post("/reopen", func(*try) any { return nil }),
			setup: func(t *testing.T, f *fixture, now *snapshot) {
				if now.Status == "active" {
					f.keep(t, http.MethodPost, f.path("/close"), nil)
				}
			},
			changed: func(t *testing.T, _ *try, _, after *snapshot) {
				require.Equal(t, "active", after.Status)
			},
			// A refused reopen leaves the workflow closed, ready for the next attempt.
			finish: func(t *testing.T, f *fixture) { reopenIfClosed(t, f, nil, f.snapshot(t)) }},
		{name: "status", rule: channelMembers,
			cmd:   func(c *try) string { return "/devops status " + c.text },
			route: post("/status", func(c *try) any { return map[string]string{"text": c.text} }),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.NotNil(t, after.LastStatus)
				require.Equal(t, c.text, after.LastStatus.Text)
				require.Equal(t, c.who.Id, after.LastStatus.UserID)
			}},
		{name: "task add", rule: channelMembers,
			cmd:   func(c *try) string { return "/devops task add " + c.text },
			route: post("/tasks", func(c *try) any { return map[string]string{"text": c.text} }),
			changed: func(t *testing.T, c *try, before, after *snapshot) {
				require.Len(t, after.tasks, len(before.tasks)+1)
				require.Equal(t, c.text, after.tasks[len(after.tasks)-1].Text)
			}},
		{name: "task done", rule: channelMembers,
			cmd:   func(c *try) string { return fmt.Sprintf("/devops task done %d", c.openTask) },
			route: patchTask(openTask, map[string]bool{"done": true}),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				task := after.task(t, c.openTask)
				require.True(t, task.Done)
				require.Equal(t, c.who.Id, task.DoneBy)
			},
			undo: func(t *testing.T, f *fixture, _, after *snapshot) {
				if after.task(t, f.openTask).Done {
					f.keep(t, http.MethodPatch, f.path(fmt.Sprintf("/tasks/%d", f.openTask)), map[string]bool{"done": false})
				}
			}},
		{name: "task undo", rule: channelMembers,
			cmd:   func(c *try) string { return fmt.Sprintf("/devops task undo %d", c.doneTask) },
			route: patchTask(doneTask, map[string]bool{"done": false}),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.False(t, after.task(t, c.doneTask).Done)
			},
			undo: func(t *testing.T, f *fixture, _, after *snapshot) {
				if !after.task(t, f.doneTask).Done {
					f.keep(t, http.MethodPatch, f.path(fmt.Sprintf("/tasks/%d", f.doneTask)), map[string]bool{"done": true})
				}
			}},
		{name: "task assign", rule: channelMembers,
			cmd: func(c *try) string { return fmt.Sprintf("/devops task assign %d @%s", c.ownedTask, c.plain.Username) },
			route: func(c *try) (string, string, any) {
				return patchTask(ownedTask, map[string]string{"assignee": c.plain.Username})(c)
			},
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.Equal(t, c.plain.Id, after.task(t, c.ownedTask).AssigneeID)
			},
			undo: func(t *testing.T, f *fixture, before, after *snapshot) {
				if owner := before.task(t, f.ownedTask).AssigneeID; after.task(t, f.ownedTask).AssigneeID != owner {
					f.keep(t, http.MethodPatch, f.path(fmt.Sprintf("/tasks/%d", f.ownedTask)), map[string]string{"assignee": f.usernameOf[owner]})
				}
			}},
		{name: "snooze", rule: leadOrAdmin,
			cmd:   func(*try) string { return "/devops snooze 5d" },
			route: post("/snooze", func(*try) any { return map[string]string{"duration": "5d"} }),
			changed: func(t *testing.T, _ *try, _, after *snapshot) {
				require.Greater(t, after.NextReminderAt, time.Now().Add(4*24*time.Hour).UnixMilli())
			},
			undo: func(t *testing.T, f *fixture, before, after *snapshot) {
				if after.NextReminderAt != before.NextReminderAt {
					f.keep(t, http.MethodPost, f.path("/snooze"), map[string]string{"duration": "1h"})
				}
			}},
		{name: "severity", rule: leadOrAdmin, types: []string{"incident", "security"},
			cmd:   func(c *try) string { return "/devops severity " + c.severity },
			route: post("/severity", func(c *try) any { return map[string]string{"severity": c.severity} }),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.Equal(t, c.severity, after.Severity)
			},
			undo: func(t *testing.T, f *fixture, before, after *snapshot) {
				if after.Severity != before.Severity {
					f.keep(t, http.MethodPost, f.path("/severity"), map[string]string{"severity": before.Severity})
				}
			}},
		{name: "handoff", rule: leadOrAdmin,
			cmd: func(c *try) string { return "/devops handoff @" + c.plain.Username + " over to you" },
			route: post("/handoff", func(c *try) any {
				return map[string]string{"username": c.plain.Username, "note": "over to you"}
			}),
			changed: func(t *testing.T, c *try, _, after *snapshot) {
				require.Equal(t, c.plain.Id, after.LeadID)
			},
			undo: func(t *testing.T, f *fixture, before, after *snapshot) {
				if after.LeadID != before.LeadID {
					f.keep(t, http.MethodPost, f.path("/handoff"), map[string]string{"username": f.usernameOf[before.LeadID]})
				}
			}},
	}
}

func reopenIfClosed(t *testing.T, f *fixture, _, after *snapshot) {
	if after.Status == "closed" {
		f.keep(t, http.MethodPost, f.path("/reopen"), nil)
	}
}

// expect is the README's "Who may" column for one action and one person.
func (f *fixture) expect(a *action, who *actor) outcome {
	switch {
	case !who.inTeam || f.w.Private && !who.inChannel:
		// Not found, not forbidden: a private workflow's existence does not leak.
		return outcome{status: http.StatusNotFound, message: "No such workflow."}
	case a.rule == leadOrAdmin && !who.manages:
		return outcome{status: http.StatusForbidden,
			message: fmt.Sprintf("Only the %s (@%s) or a channel, team or system admin can", f.leadRole, f.lead.Username)}
	case a.rule != leadOrAdmin && !who.inChannel:
		return outcome{status: http.StatusForbidden, message: "Only members of ~" + f.w.ChannelName}
	case a.rule == gateDiscipline && !slices.Contains(f.gateBy, who.discipline):
		return outcome{status: http.StatusForbidden, message: fmt.Sprintf("Signing off %s needs the discipline %s; yours is %s",
			f.gate, strings.Join(f.gateBy, " or "), orNotSet(who.discipline))}
	case a.rule == gateDiscipline && !who.verified:
		return outcome{status: http.StatusForbidden, message: fmt.Sprintf(
			"Signing off %s needs a verified %s (mapped by a system admin or granted); yours is self-declared.", f.gate, who.discipline)}
	}
	return outcome{allowed: true}
}

func orNotSet(discipline string) string {
	if discipline == "" {
		return "not set"
	}
	return discipline
}

// commandDoorOpen: Mattermost runs a slash command in a channel only for people who
// may post there — its members, and team and system admins.
func commandDoorOpen(who *actor) bool {
	return who.inTeam && (who.inChannel || who.admin)
}

// keep makes a change as the keeper (the channel admin) to set the stage for a case.
func (f *fixture) keep(t *testing.T, method, path string, body any) {
	t.Helper()
	status, raw, err := harness.PluginRequest(f.chanAdmin.client, method, path, body)
	require.NoError(t, err)
	require.Less(t, status, 300, "keeper %s %s: %s", method, path, raw)
	f.last = nil
}

// snapshot reads the workflow and its tasks as the keeper.
func (f *fixture) snapshot(t *testing.T) *snapshot {
	t.Helper()
	status, wf, err := harness.PluginRequest(f.chanAdmin.client, http.MethodGet, f.path(""), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(wf))
	status, tasks, err := harness.PluginRequest(f.chanAdmin.client, http.MethodGet, f.path("/tasks"), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(tasks))
	var s snapshot
	require.NoError(t, json.Unmarshal(wf, &s))
	var page struct {
		Items []taskJSON `json:"items"`
	}
	require.NoError(t, json.Unmarshal(tasks, &page))
	s.tasks, s.raw = page.Items, string(wf)+"\n"+string(tasks)
	f.last = &s
	return &s
}

// current is the state: as last read when nothing has changed it since.
func (f *fixture) current(t *testing.T) *snapshot {
	if f.last != nil {
		return f.last
	}
	return f.snapshot(t)
}

// attempt makes one change through one door and checks the answer and the state. It
// returns the refusal the door gave ("" when allowed) and whether Mattermost let the
// request reach the plugin at all.
func (f *fixture) attempt(t *testing.T, a *action, who *actor, door string, want outcome) (answer string, reached bool) {
	t.Helper()
	c := &try{fixture: f, who: who, door: door, text: fmt.Sprintf("%s by %s via %s", a.name, who.name, door)}
	before := f.current(t)
	if a.setup != nil {
		a.setup(t, f, before)
		before = f.current(t)
	}
	switch door {
	case "command":
		resp, r, err := who.client.ExecuteCommandWithTeam(context.Background(), f.w.ChannelID, f.e.team.Id, a.cmd(c))
		if !commandDoorOpen(who) {
			require.Error(t, err, "Mattermost refuses a command in a channel one cannot post in")
			require.Equal(t, http.StatusForbidden, r.StatusCode)
			require.Equal(t, before.raw, f.snapshot(t).raw, "nothing changed")
			return "", false
		}
		require.NoError(t, err)
		answer = resp.Text
		if want.allowed {
			require.Empty(t, answer, "allowed: the bot's post is the answer")
		} else {
			require.Contains(t, answer, want.message)
		}
	case "REST":
		method, path, body := a.route(c)
		status, raw, err := harness.PluginRequest(who.client, method, path, body)
		require.NoError(t, err)
		if want.allowed {
			require.Contains(t, []int{http.StatusOK, http.StatusCreated}, status, string(raw))
		} else {
			var e apiError
			require.NoError(t, json.Unmarshal(raw, &e), string(raw))
			require.Equal(t, want.status, status, e.Error)
			require.Contains(t, e.Error, want.message)
			answer = e.Error
		}
	}
	after := f.snapshot(t)
	if want.allowed {
		a.changed(t, c, before, after)
	} else {
		require.Equal(t, before.raw, after.raw, "a refused change changes nothing")
	}
	if a.undo != nil {
		a.undo(t, f, before, after)
	}
	return answer, true
}

// newMatrix makes the team's people. Disciplines are declared after the workflows
// start (see declare), so that auto-invite adds nobody: who is in each channel is
// exactly what the actors say.
func newMatrix(t *testing.T) *matrix {
	e, other := newEnv(t), newEnv(t)
	m := &matrix{e: e, usernameOf: map[string]string{}}
	add := func(a *actor) *actor {
		m.actors = append(m.actors, a)
		m.usernameOf[a.Id] = a.Username
		return a
	}
	sysAdmin := add(&actor{name: "system admin", member: e.user("sysadmin"), inTeam: true, admin: true, manages: true})
	teamAdmin := add(&actor{name: "team admin", member: e.user("teamadmin"), discipline: "security", inTeam: true, admin: true, manages: true})
	m.chanAdmin = add(&actor{name: "channel admin", member: e.user("chanadmin"), discipline: "operations", inTeam: true, inChannel: true, manages: true})
	m.lead = add(&actor{name: "lead", member: e.withDiscipline("lead", "developer"), discipline: "developer", inTeam: true, inChannel: true, manages: true})
	m.holder = add(&actor{name: "role holder", member: e.user("holder"), discipline: "qa", verified: true, inTeam: true, inChannel: true})
	add(&actor{name: "security engineer", member: e.user("seceng"), discipline: "security", verified: true, inTeam: true, inChannel: true})
	// Per gate discipline, someone who only declared it: they may not open the gate.
	add(&actor{name: "self-declared qa", member: e.user("declqa"), discipline: "qa", inTeam: true, inChannel: true})
	add(&actor{name: "self-declared security", member: e.user("declsec"), discipline: "security", inTeam: true, inChannel: true})
	m.plain = add(&actor{name: "channel member", member: e.user("plain"), discipline: "designer", inTeam: true, inChannel: true})
	add(&actor{name: "team member outside the channel", member: e.user("outsider"), discipline: "qa", inTeam: true})
	add(&actor{name: "member of another team", member: other.user("foreigner"), discipline: "qa"})

	ctx := context.Background()
	_, err := srv.Admin.UpdateUserRoles(ctx, sysAdmin.Id, model.SystemUserRoleId+" "+model.SystemAdminRoleId)
	require.NoError(t, err)
	_, err = srv.Admin.UpdateTeamMemberSchemeRoles(ctx, e.team.Id, teamAdmin.Id, &model.SchemeRoles{SchemeUser: true, SchemeAdmin: true})
	require.NoError(t, err)
	return m
}

// declare sets every actor's discipline: a system admin grants the verified ones.
func (m *matrix) declare(t *testing.T) {
	for _, a := range m.actors {
		if a.verified {
			grant(t, admin(), a.member, a.discipline)
		} else if a.discipline != "" && a != m.lead {
			require.Equal(t, http.StatusOK, api(t, a.member, http.MethodPut, "/api/v1/me/discipline", map[string]string{"discipline": a.discipline}, nil))
		}
	}
}

// fixture starts a workflow as the lead.
func (m *matrix) fixture(f *fixture, args string) *fixture {
	f.matrix = m
	f.w = m.e.start(m.lead.member, args)
	return f
}

// furnish gives a fixture its baseline: the channel's members and admin, the other
// role's holder, and an open, a finished and an owned task.
func (f *fixture) furnish(t *testing.T) {
	ctx := context.Background()
	for _, a := range f.actors {
		if a.inChannel && a != f.lead {
			_, _, err := f.lead.client.AddChannelMember(ctx, f.w.ChannelID, a.Id)
			require.NoError(t, err)
		}
	}
	_, err := srv.Admin.UpdateChannelRoles(ctx, f.w.ChannelID, f.chanAdmin.Id, model.ChannelUserRoleId+" "+model.ChannelAdminRoleId)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, api(t, f.lead.member, http.MethodPost, f.path("/roles"),
		map[string]string{"role": f.otherRole, "username": f.holder.Username}, nil))
	var task taskJSON
	for _, n := range []*int{&f.openTask, &f.doneTask, &f.ownedTask} {
		require.Equal(t, http.StatusCreated, api(t, f.lead.member, http.MethodPost, f.path("/tasks"),
			map[string]string{"text": "matrix task", "assignee": f.lead.Username}, &task))
		*n = task.Number
	}
	require.Equal(t, http.StatusOK, api(t, f.lead.member, http.MethodPatch, f.path(fmt.Sprintf("/tasks/%d", f.doneTask)), map[string]bool{"done": true}, nil))
}

// Every state-changing command and its REST route, tried by every kind of person on a
// public incident, a public release with a gate and a private security workflow:
// allowed exactly when the README says, refused with what is required and nothing
// changed otherwise, and both doors agree.
func TestSecurityPermissionMatrix(t *testing.T) {
	m := newMatrix(t)
	fixtures := []*fixture{
		m.fixture(&fixture{leadRole: "commander", otherRole: "scribe", next: "investigating", severity: "sev1"},
			"incident Matrix incident"),
		m.fixture(&fixture{leadRole: "release-manager", otherRole: "qa-lead", next: "code-freeze",
			gate: "production", gateBy: []string{"qa", "security"}}, "release Matrix release 9.9.1"),
		m.fixture(&fixture{leadRole: "security-lead", otherRole: "investigator", next: "assessment",
			gate: "disclosure", gateBy: []string{"security"}, severity: "critical"}, "security Matrix security issue"),
	}
	require.False(t, fixtures[0].w.Private)
	require.True(t, fixtures[2].w.Private)
	m.declare(t)
	for _, f := range fixtures {
		f.furnish(t)
	}

	var mu sync.Mutex
	cases, reached := 0, 0
	for _, f := range fixtures {
		t.Run(f.w.Type, func(t *testing.T) {
			t.Parallel() // three workflows, three channels: independent
			for _, a := range actions() {
				if a.types != nil && !slices.Contains(a.types, f.w.Type) {
					continue
				}
				for _, who := range f.actors {
					want := f.expect(a, who)
					byCommand, open := f.attempt(t, a, who, "command", want)
					byREST, _ := f.attempt(t, a, who, "REST", want)
					if open {
						require.Equal(t, byCommand, byREST, "%s by %s: both doors say the same", a.name, who.name)
					}
					mu.Lock()
					cases++
					if open {
						reached++
					}
					mu.Unlock()
				}
				if a.finish != nil {
					a.finish(t, f)
				}
			}
			f.requirePermissionsAgree(t)
		})
	}
	t.Cleanup(func() {
		t.Logf("permission matrix: %d cases (action × workflow × person), each through both doors; %d commands reached the plugin", cases, reached)
	})
}

// requirePermissionsAgree: the permissions GET /workflows/{id} reports to each person
// (what a UI shows) are what the matrix found.
func (f *fixture) requirePermissionsAgree(t *testing.T) {
	byName := map[string]*action{}
	for _, a := range actions() {
		byName[a.name] = a
	}
	for _, who := range f.actors {
		var perms struct {
			Permissions struct {
				ChangeStage        bool     `json:"change_stage"`
				AssignRoles        bool     `json:"assign_roles"`
				Close              bool     `json:"close"`
				Reopen             bool     `json:"reopen"`
				UpdateStatus       bool     `json:"update_status"`
				ManageTasks        bool     `json:"manage_tasks"`
				SignoffDisciplines []string `json:"signoff_disciplines"`
			} `json:"permissions"`
		}
		status := api(t, who.member, http.MethodGet, f.path(""), nil, &perms)
		if f.expect(byName["status"], who).status == http.StatusNotFound {
			require.Equal(t, http.StatusNotFound, status, who.name)
			continue
		}
		require.Equal(t, http.StatusOK, status, who.name)
		p := perms.Permissions
		got := map[string]bool{"stage": p.ChangeStage, "role": p.AssignRoles, "close": p.Close,
			"status": p.UpdateStatus, "task add": p.ManageTasks, "signoff": len(p.SignoffDisciplines) > 0}
		for name, may := range got {
			want := f.expect(byName[name], who).allowed
			if name == "signoff" && f.gate == "" {
				want = false
			}
			require.Equal(t, want, may, "%s: permission %q", who.name, name)
		}
		require.False(t, p.Reopen, "an active workflow cannot be reopened")
	}
}

// ---------------------------------------------------------------------------------
// Private workflows
// ---------------------------------------------------------------------------------

// wsLog records the websocket events a user receives.
type wsLog struct {
	mu     sync.Mutex
	events []*model.WebSocketEvent
}

// listen opens a websocket for m and records what arrives, from the server's hello on.
func listen(t *testing.T, m *member) *wsLog {
	t.Helper()
	ws, err := model.NewWebSocketClient4(strings.Replace(srv.URL, "http", "ws", 1), m.client.AuthToken)
	require.NoError(t, err)
	ws.Listen()
	t.Cleanup(ws.Close)
	l := &wsLog{}
	go func() {
		for ev := range ws.EventChannel {
			l.mu.Lock()
			l.events = append(l.events, ev)
			l.mu.Unlock()
		}
	}()
	require.Eventually(t, func() bool { return len(l.matching(isType(model.WebsocketEventHello))) > 0 },
		10*time.Second, 20*time.Millisecond, "websocket hello")
	return l
}

func isType(typ model.WebsocketEventType) func(*model.WebSocketEvent) bool {
	return func(ev *model.WebSocketEvent) bool { return ev.EventType() == typ }
}

const workflowChanged = model.WebsocketEventType("custom_" + harness.PluginID + "_workflow_changed")

// about: a workflow_changed event for a workflow.
func about(workflowID string) func(*model.WebSocketEvent) bool {
	return func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == workflowChanged && ev.GetData()["workflow_id"] == workflowID
	}
}

func (l *wsLog) matching(pred func(*model.WebSocketEvent) bool) []*model.WebSocketEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*model.WebSocketEvent
	for _, ev := range l.events {
		if pred(ev) {
			out = append(out, ev)
		}
	}
	return out
}

// fromPlugin: what the plugin sends a user — its custom events and ephemeral posts.
func fromPlugin(ev *model.WebSocketEvent) bool {
	return strings.HasPrefix(string(ev.EventType()), "custom_"+harness.PluginID) ||
		ev.EventType() == model.WebsocketEventEphemeralMessage
}

// get calls a read route and returns the status and body.
func get(t *testing.T, m *member, path string) (int, string) {
	t.Helper()
	status, raw, err := harness.PluginRequest(m.client, http.MethodGet, path, nil)
	require.NoError(t, err)
	return status, string(raw)
}

// A private workflow does not exist for anyone outside its channel — not for a team
// member, a team admin or a system admin — through any read, search, count,
// autocomplete, command, websocket event or briefing; its members see it all.
func TestSecurityPrivateWorkflowStaysPrivate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead := e.withDiscipline("seclead", "security")
	insider := e.user("insider")
	outsider := e.user("outsider")
	teamAdmin := e.user("teamadmin")
	sysAdmin := e.user("sysadmin")
	_, err := srv.Admin.UpdateTeamMemberSchemeRoles(ctx, e.team.Id, teamAdmin.Id, &model.SchemeRoles{SchemeUser: true, SchemeAdmin: true})
	require.NoError(t, err)
	_, err = srv.Admin.UpdateUserRoles(ctx, sysAdmin.Id, model.SystemUserRoleId+" "+model.SystemAdminRoleId)
	require.NoError(t, err)
	outsiders := map[string]*member{"team member": outsider, "team admin": teamAdmin, "system admin": sysAdmin}

	// Websockets open before the workflow exists: its creation must not show either.
	logs := map[*member]*wsLog{insider: listen(t, insider)}
	for _, m := range outsiders {
		logs[m] = listen(t, m)
	}
	priv := e.start(lead, "security Zanzibar token leak")
	require.True(t, priv.Private)
	pub := e.start(lead, "incident Public control incident")
	_, _, err = lead.client.AddChannelMember(ctx, priv.ChannelID, insider.Id)
	require.NoError(t, err)
	for _, path := range []string{"/status", "/tasks"} {
		require.Less(t, api(t, lead, http.MethodPost, "/api/v1/workflows/"+priv.ID+path, map[string]string{"text": "Zanzibar keys rotated"}, nil), 300)
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPost, "/api/v1/workflows/"+priv.ID+"/stage", map[string]string{"stage": "next"}, nil))
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPost, "/api/v1/workflows/"+priv.ID+"/roles",
		map[string]string{"role": "investigator", "username": insider.Username}, nil))
	// The control: a change to the public workflow reaches every team member's websocket.
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPost, "/api/v1/workflows/"+pub.ID+"/status", map[string]string{"text": "control"}, nil))
	for _, l := range logs {
		require.Eventually(t, func() bool { return len(l.matching(about(pub.ID))) > 0 }, 10*time.Second, 20*time.Millisecond)
	}
	require.Eventually(t, func() bool { return len(logs[insider].matching(about(priv.ID))) >= 4 }, 10*time.Second, 20*time.Millisecond,
		"the member hears of every change")
	directFromBot(t, insider, "Welcome to Security") // the member was briefed on joining

	// The member sees it everywhere (the control for every read below).
	base := "/api/v1/workflows?team_id=" + e.team.Id
	reads := []string{
		base, base + "&q=zanzibar", base + "&type=security", base + "&channel_id=" + priv.ChannelID,
		base + "&status=active&mine=true", "/api/v1/stats?team_id=" + e.team.Id, "/api/v1/me/summary?team_id=" + e.team.Id,
		"/api/v1/autocomplete/stages?channel_id=" + priv.ChannelID, "/api/v1/autocomplete/roles?channel_id=" + priv.ChannelID,
		"/api/v1/autocomplete/stages/gated?channel_id=" + priv.ChannelID,
	}
	for _, path := range reads {
		status, body := get(t, insider, path)
		require.Equal(t, http.StatusOK, status, path)
		require.True(t, strings.Contains(body, priv.ID) || strings.Contains(body, "security") || strings.Contains(body, "assessment"),
			"%s shows the member the workflow: %s", path, body)
	}
	byID := []string{"", "/timeline", "/tasks", "/members"}
	for _, suffix := range byID {
		status, _ := get(t, insider, "/api/v1/workflows/"+priv.ID+suffix)
		require.Equal(t, http.StatusOK, status, suffix)
	}

	for who, m := range outsiders {
		// No event, briefing or ephemeral post about it reached them (before they
		// run commands in its channel below, whose answers name the channel).
		for _, ev := range logs[m].matching(fromPlugin) {
			raw, err := ev.ToJSON()
			require.NoError(t, err)
			for _, secret := range []string{priv.ID, priv.ChannelID, "Zanzibar"} {
				require.NotContains(t, string(raw), secret, who)
			}
		}
		for _, path := range reads {
			status, body := get(t, m, path)
			require.Equal(t, http.StatusOK, status, "%s: %s", who, path)
			for _, secret := range []string{priv.ID, priv.ChannelName, "Zanzibar", `"security"`, "assessment", "investigator"} {
				require.NotContains(t, body, secret, "%s: %s", who, path)
			}
		}
		// Not found, exactly as for an id that never existed.
		for _, suffix := range byID {
			status, body := get(t, m, "/api/v1/workflows/"+priv.ID+suffix)
			nstatus, nbody := get(t, m, "/api/v1/workflows/"+model.NewId()+suffix)
			require.Equal(t, http.StatusNotFound, status, "%s: %s", who, suffix)
			require.Equal(t, []any{nstatus, nbody}, []any{status, body}, "%s: %s", who, suffix)
		}
		// The team-wide list still works for them: the public workflow is there.
		_, body := get(t, m, base)
		require.Contains(t, body, pub.ID, who)

		// Commands: the team's list and stats leave it out; in its channel the admins,
		// whom Mattermost lets in, are told there is no such workflow.
		for _, cmd := range []string{"/devops list", "/devops list security", "/devops list --closed", "/devops stats"} {
			answer := shown(t, e.run(m, e.square.Id, cmd))
			// The channel as a list row ("~name ") or a props key ("\"name\"").
			for _, secret := range []string{"Zanzibar", "~" + priv.ChannelName + " ", `"` + priv.ChannelName + `"`} {
				require.NotContains(t, answer, secret, "%s: %s", who, cmd)
			}
		}
		require.NotContains(t, e.run(m, e.square.Id, "/devops stats").Text, "| security |", who)
		for _, cmd := range []string{"/devops info", "/devops tasks", "/devops timeline", "/devops who"} {
			resp, r, err := m.client.ExecuteCommandWithTeam(ctx, priv.ChannelID, e.team.Id, cmd)
			if m == outsider {
				require.Error(t, err, "Mattermost keeps a non-member out of a private channel")
				require.Equal(t, http.StatusForbidden, r.StatusCode)
				continue
			}
			require.NoError(t, err)
			require.Equal(t, "No such workflow.", resp.Text, "%s: %s", who, cmd)
		}
	}

	// The duplicate guard does not reveal it either: a similar title starts a new one.
	requireContains(t, e.run(outsider, e.square.Id, "/devops start security Zanzibar token leak").Text, "Started ~")
}

// ---------------------------------------------------------------------------------
// Injection
// ---------------------------------------------------------------------------------

const evil = "http://evil.example"

// injection is text that would notify everyone, link somewhere else, load an image,
// run a script or shout in bold if a bot post rendered it as markdown.
func injection(victim string) string {
	return "@all @channel @here @" + victim + " [x](" + evil + "/a) ![img](" + evil + "/x.png) <script>alert(1)</script> **bold**"
}

var liveMention = regexp.MustCompile(`@(all|channel|here)\b`)

// requireInert checks a message the bot posted with injected text in it: no mention
// Mattermost would act on, no markdown link or image at all, and outside the quoted
// notes (titles, task texts, CI fields) no link to the injected URL and no formatting.
// A quoted note keeps its markdown, so a bare URL in it still links to itself.
func requireInert(t *testing.T, msg, victim string) {
	t.Helper()
	require.NotRegexp(t, liveMention, msg)
	require.NotRegexp(t, `@`+regexp.QuoteMeta(victim)+`\b`, msg)
	markdown.Inspect(msg, func(node any) bool {
		switch n := node.(type) {
		case *markdown.InlineLink:
			t.Errorf("a markdown link to %s in:\n%s", n.Destination(), msg)
		case *markdown.InlineImage:
			t.Errorf("a markdown image from %s in:\n%s", n.Destination(), msg)
		case *markdown.ReferenceLink, *markdown.ReferenceImage:
			t.Errorf("a reference link in:\n%s", msg)
		}
		return true
	})
	var plain []string
	for _, line := range strings.Split(msg, "\n") {
		if !strings.HasPrefix(line, ">") {
			plain = append(plain, line)
		}
	}
	text := strings.Join(plain, "\n")
	markdown.Inspect(text, func(node any) bool {
		if a, ok := node.(*markdown.Autolink); ok {
			require.NotContains(t, a.Destination(), "evil", "a link outside a quoted note in:\n%s", msg)
		}
		return true
	})
	for _, raw := range []string{"**bold**", "<script>", "![", "](http"} {
		require.NotContains(t, text, raw, "shown as typed, not rendered")
	}
}

func mentionCount(t *testing.T, m *member, channelID string) int64 {
	t.Helper()
	cm, _, err := srv.Admin.GetChannelMember(context.Background(), channelID, m.Id, "")
	require.NoError(t, err)
	return cm.MentionCount
}

// Mentions and markdown in every text a user or a CI system gives — a title, a status
// update, a task, a sign-off note, a handoff note, a close summary, the webhook's
// fields — are shown as typed in every bot post and briefing: nobody is notified,
// nothing links or loads from where the text points.
func TestSecurityInjectedTextIsInert(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead := e.withDiscipline("lead", "developer")
	qa := e.verified("qa", "qa")
	victim := e.user("victim")
	next := e.user("next")
	late := e.user("late")
	payload := injection(victim.Username)

	var rel workflowJSON
	require.Equal(t, http.StatusCreated, api(t, lead, http.MethodPost, "/api/v1/workflows",
		map[string]any{"team_id": e.team.Id, "type": "release", "title": "Release 7.7.7 " + payload}, &rel))
	require.Equal(t, "Release 7.7.7 "+payload, rel.Title, "stored as typed")
	for _, m := range []*member{victim, next} {
		_, _, err := lead.client.AddChannelMember(ctx, rel.ChannelID, m.Id)
		require.NoError(t, err)
	}
	baseline := mentionCount(t, victim, rel.ChannelID)

	path := func(suffix string) string { return "/api/v1/workflows/" + rel.ID + suffix }
	var task taskJSON
	require.Equal(t, http.StatusCreated, api(t, lead, http.MethodPost, path("/tasks"), map[string]string{"text": payload}, &task))
	steps := []struct {
		who    *member
		method string
		path   string
		body   any
	}{
		{lead, http.MethodPost, "/status", map[string]string{"text": payload + "\nsecond line " + payload}},
		{lead, http.MethodPatch, fmt.Sprintf("/tasks/%d", task.Number), map[string]bool{"done": true}},
		{qa, http.MethodPost, "/signoff", map[string]string{"stage": "production", "note": payload}},
		{lead, http.MethodPost, "/handoff", map[string]string{"username": next.Username, "note": payload}},
	}
	for _, s := range steps {
		require.Equal(t, http.StatusOK, api(t, s.who, s.method, path(s.path), s.body, nil), s.path)
	}
	hook := useWebhook(t, nil)
	status, res := hook.post("deploy", deployEvent{WorkflowID: rel.ID, Service: "@channel [x](" + evil + "/a) **svc**",
		Version: "![i](" + evil + "/x.png)", Environment: "@here **prod**", Status: "succeeded", Message: payload})
	require.Equal(t, http.StatusOK, status, res.Error)
	require.Equal(t, http.StatusOK, api(t, next, http.MethodPost, path("/close"), map[string]string{"summary": payload}, nil))

	// Every bot post: the announcement, task, status, sign-off, handoff, deploy,
	// close and retrospective.
	bot, _, err := srv.Admin.GetUserByUsername(ctx, "devops", "")
	require.NoError(t, err)
	posts, _, err := lead.client.GetPostsForChannel(ctx, rel.ChannelID, 0, 200, "", false, false)
	require.NoError(t, err)
	checked := 0
	for _, p := range posts.Posts {
		if p.UserId == bot.Id {
			requireInert(t, p.Message, victim.Username)
			checked++
		}
	}
	require.GreaterOrEqual(t, checked, 8)
	status2 := postWith(t, posts, bot.Id, "Status update")
	requireContains(t, status2, "@\u200ball @\u200bchannel @\u200bhere @\u200b"+victim.Username) // shown as typed

	// A new member's briefing quotes the last status and lists the open tasks.
	_, _, err = lead.client.AddChannelMember(ctx, rel.ChannelID, late.Id)
	require.NoError(t, err)
	requireInert(t, directFromBot(t, late, "Welcome to Release").Message, victim.Username)

	// Nothing counted as a mention of the victim; their own control mention does.
	_, _, err = lead.client.CreatePost(ctx, &model.Post{ChannelId: rel.ChannelID, Message: "@" + victim.Username + " a real mention"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return mentionCount(t, victim, rel.ChannelID) > baseline }, 10*time.Second, 50*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, baseline+1, mentionCount(t, victim, rel.ChannelID), "only the real mention counts")
}

func postWith(t *testing.T, posts *model.PostList, userID, text string) string {
	t.Helper()
	for _, p := range posts.Posts {
		if p.UserId == userID && strings.Contains(p.Message, text) {
			return p.Message
		}
	}
	t.Fatalf("no post containing %q", text)
	return ""
}

// ---------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------

// routes is every route of the REST API under /api/v1 (the webhook has its own
// signature and its own tests).
func routes(workflowID string) [][2]string {
	w := "/api/v1/workflows/" + workflowID
	return [][2]string{
		{"GET", "/api/v1/ping"}, {"GET", "/api/v1/templates"}, {"GET", "/api/v1/workflows"}, {"POST", "/api/v1/workflows"},
		{"GET", w}, {"POST", w + "/stage"}, {"POST", w + "/signoff"}, {"POST", w + "/roles"}, {"POST", w + "/close"},
		{"POST", w + "/reopen"}, {"GET", w + "/timeline"}, {"POST", w + "/status"}, {"GET", w + "/tasks"}, {"POST", w + "/tasks"},
		{"PATCH", w + "/tasks/1"}, {"GET", w + "/members"}, {"POST", w + "/handoff"}, {"POST", w + "/snooze"},
		{"POST", w + "/severity"}, {"GET", "/api/v1/stats"}, {"GET", "/api/v1/me/discipline"}, {"PUT", "/api/v1/me/discipline"},
		{"GET", "/api/v1/me/summary"}, {"GET", "/api/v1/autocomplete/stages"}, {"GET", "/api/v1/autocomplete/stages/gated"}, {"GET", "/api/v1/autocomplete/roles"},
		{"POST", "/api/v1/dialog/start"}, {"PUT", "/api/v1/users/" + workflowID + "/discipline/grant"},
		{"DELETE", "/api/v1/users/" + workflowID + "/discipline/grant"},
		{"PATCH", w + "/fields"}, {"GET", "/api/v1/stats/close-times"}, {"GET", "/api/v1/autocomplete/fields"},
		{"GET", "/api/v1/autocomplete/fields/values"},
	}
}

// rawRequest sends a request with the given headers only.
func rawRequest(t *testing.T, method, path string, headers map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/plugins/"+harness.PluginID+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(raw)
}

// Identity comes from the Mattermost session alone: without one every route is 401
// whatever header the client forges; with one a forged header is overwritten; and
// identity fields in a body are refused as unknown, never used.
func TestSecurityIdentityComesFromTheSession(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "developer")
	plain := e.user("plain")
	victim := e.user("victim")
	w := e.start(lead, "incident Identity check")
	_, _, err := lead.client.AddChannelMember(context.Background(), w.ChannelID, plain.Id)
	require.NoError(t, err)

	forged := map[string]map[string]string{
		"no session":                  nil,
		"forged user header":          {"Mattermost-User-ID": lead.Id},
		"bad token and forged header": {"Authorization": "Bearer " + model.NewId(), "Mattermost-User-ID": lead.Id},
	}
	for _, r := range routes(w.ID) {
		for name, headers := range forged {
			status, body := rawRequest(t, r[0], r[1], headers, `{"user_id":"`+lead.Id+`","text":"x","stage":"next"}`)
			require.Equal(t, http.StatusUnauthorized, status, "%s %s, %s: %s", r[0], r[1], name, body)
		}
	}
	before := snapshotAs(t, lead, w.ID)

	// With a session, the server overwrites a forged header: the request is the
	// session's user's, who is not the lead.
	asPlainForgingLead := map[string]string{"Authorization": "Bearer " + plain.client.AuthToken, "Mattermost-User-ID": lead.Id}
	status, body := rawRequest(t, "GET", "/api/v1/ping", asPlainForgingLead, "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, plain.Id)
	require.NotContains(t, body, lead.Id)
	status, body = rawRequest(t, "POST", "/api/v1/workflows/"+w.ID+"/stage", asPlainForgingLead, `{"stage":"next"}`)
	require.Equal(t, http.StatusForbidden, status, body)
	require.Equal(t, before, snapshotAs(t, lead, w.ID))
	status, body = rawRequest(t, "POST", "/api/v1/workflows/"+w.ID+"/status", asPlainForgingLead, `{"text":"from plain"}`)
	require.Equal(t, http.StatusOK, status, body)
	var got struct {
		LastStatus struct {
			UserID string `json:"user_id"`
		} `json:"last_status"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID, nil, &got))
	require.Equal(t, plain.Id, got.LastStatus.UserID, "the status is the session user's")
	before = snapshotAs(t, lead, w.ID)

	// Identity fields in a body are unknown fields: refused, nothing changes.
	wf := "/api/v1/workflows/" + w.ID
	bodies := []struct {
		method, path string
		body         map[string]any
	}{
		{"POST", "/api/v1/workflows", map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Forged lead", "lead_id": victim.Id}},
		{"POST", "/api/v1/workflows", map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Forged starter", "created_by": victim.Id}},
		{"POST", "/api/v1/workflows", map[string]any{"team_id": e.team.Id, "type": "incident", "title": "Forged user", "user_id": victim.Id}},
		{"POST", wf + "/stage", map[string]any{"stage": "next", "user_id": lead.Id}},
		{"POST", wf + "/signoff", map[string]any{"stage": "resolved", "discipline": "qa"}},
		{"POST", wf + "/status", map[string]any{"text": "forged", "user_id": lead.Id}},
		{"POST", wf + "/tasks", map[string]any{"text": "forged", "created_by": lead.Id}},
		{"PATCH", wf + "/tasks/1", map[string]any{"done": true, "done_by": lead.Id}},
		{"POST", wf + "/roles", map[string]any{"role": "scribe", "username": plain.Username, "actor_id": lead.Id}},
		{"POST", wf + "/handoff", map[string]any{"username": plain.Username, "lead_id": lead.Id}},
		{"POST", wf + "/close", map[string]any{"summary": "forged", "user_id": lead.Id}},
		{"POST", wf + "/snooze", map[string]any{"duration": "1h", "user_id": lead.Id}},
		{"POST", wf + "/severity", map[string]any{"severity": "sev1", "user_id": lead.Id}},
		{"PUT", "/api/v1/me/discipline", map[string]any{"discipline": "qa", "user_id": victim.Id}},
		{"PUT", "/api/v1/users/" + plain.Id + "/discipline/grant", map[string]any{"discipline": "qa", "granted_by": lead.Id}},
	}
	for _, b := range bodies {
		var refused apiError
		require.Equal(t, http.StatusBadRequest, api(t, plain, b.method, b.path, b.body, &refused), "%s %s", b.method, b.path)
		require.Contains(t, refused.Error, "unknown field", "%s %s", b.method, b.path)
	}
	require.Equal(t, before, snapshotAs(t, lead, w.ID))
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&q=forged", nil, &page))
	require.Empty(t, page.Items, "no forged start went through")
	requireContains(t, e.run(victim, e.square.Id, "/devops discipline").Text, "not set")

	// Fields that name someone else name the target, never who asks: a plain member
	// giving a role by user_id is still not the lead.
	var refusal apiError
	require.Equal(t, http.StatusForbidden, api(t, plain, http.MethodPost, wf+"/roles", map[string]string{"role": "scribe", "user_id": plain.Id}, &refusal))
	requireContains(t, refusal.Error, "Only the commander")
	// An unknown user_id is refused, not read as the user whose name is "someone"
	// (what a user id that resolves to no one is shown as).
	someone, _, err := srv.CreateUser("someone", e.team.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPost, wf+"/roles", map[string]string{"role": "scribe", "user_id": model.NewId()}, &refusal))
	requireContains(t, refusal.Error, "No user with that user_id")
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPost, wf+"/roles", map[string]string{"role": "scribe", "user_id": plain.Id}, nil))
	var roles workflowJSON
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, wf, nil, &roles))
	require.Equal(t, plain.Id, roles.Roles["scribe"], "user_id names the target")
	for role, id := range roles.Roles {
		require.NotEqual(t, someone.Id, id, role)
	}
	// Query parameters carry no identity either.
	status, body = get(t, plain, "/api/v1/me/summary?team_id="+e.team.Id+"&user_id="+lead.Id)
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"active":{"incident":1}}`, body, "the caller's own count (plain is in one incident)")

	// The start form's submission carries a user_id too; the session's user starts it.
	status, body = rawRequest(t, "POST", "/api/v1/dialog/start", map[string]string{"Authorization": "Bearer " + plain.client.AuthToken},
		`{"user_id":"`+victim.Id+`","team_id":"`+e.team.Id+`","submission":{"type":"incident","title":"Started from the form"}}`)
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&q=from+the+form", nil, &page))
	require.Len(t, page.Items, 1)
	require.Equal(t, plain.Id, page.Items[0].LeadID)
}

// snapshotAs reads a workflow and its tasks as m, for comparing before and after.
func snapshotAs(t *testing.T, m *member, id string) string {
	t.Helper()
	_, wf := get(t, m, "/api/v1/workflows/"+id)
	_, tasks := get(t, m, "/api/v1/workflows/"+id+"/tasks")
	return wf + tasks
}
