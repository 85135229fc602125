package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// gateResult is a gate check's answer.
type gateResult struct {
	Allowed    bool     `json:"allowed"`
	Matched    bool     `json:"matched"`
	WorkflowID string   `json:"workflow_id"`
	Stage      string   `json:"stage"`
	Missing    []string `json:"missing"`
	Signoffs   []struct {
		Discipline string `json:"discipline"`
		Username   string `json:"username"`
	} `json:"signoffs"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

// gateClock hands out signing times a second apart: two identical checks signed in
// the same second carry the same signature, and the second is refused as a replay
// (as a pipeline's would be; the README's loop sleeps between checks).
var gateClock struct {
	sync.Mutex
	last time.Time
}

func (h *webhook) gate(body map[string]string) (int, gateResult) {
	h.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(h.t, err)
	return h.sendGate(h.headers(nextGateTime(), raw), raw)
}

func nextGateTime() time.Time {
	gateClock.Lock()
	defer gateClock.Unlock()
	at := time.Now().Truncate(time.Second)
	if !at.After(gateClock.last) {
		at = gateClock.last.Add(time.Second)
	}
	gateClock.last = at
	return at
}

func (h *webhook) sendGate(headers map[string]string, raw []byte) (int, gateResult) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/plugins/"+harness.PluginID+"/api/v1/hooks/gate", bytes.NewReader(raw))
	require.NoError(h.t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	var res gateResult
	require.NoError(h.t, json.NewDecoder(resp.Body).Decode(&res))
	return resp.StatusCode, res
}

// releaseWithSigners starts a release of a new version and puts a verified qa and
// security signer in its channel.
func releaseWithSigners(e *env) (*workflowJSON, string, *member, *member) {
	dev := e.withDiscipline("dev", "developer")
	qa, sec := e.verified("qa", "qa"), e.verified("sec", "security")
	ver := version()
	w := e.start(dev, "release Release "+ver)
	for _, m := range []*member{qa, sec} {
		_, _, err := srv.Admin.AddChannelMember(context.Background(), w.ChannelID, m.Id)
		require.NoError(e.t, err)
	}
	return w, ver, qa, sec
}

func TestGateCheck(t *testing.T) {
	e := newEnv(t)
	h := useWebhook(t, nil)
	w, ver, qa, sec := releaseWithSigners(e)
	check := map[string]string{"service": "checkout-api", "version": ver, "environment": "production"}

	status, res := h.gate(check)
	require.Equal(t, http.StatusLocked, status)
	require.False(t, res.Allowed)
	require.True(t, res.Matched)
	require.Equal(t, w.ID, res.WorkflowID)
	require.Equal(t, "production", res.Stage)
	require.Equal(t, []string{"qa", "security"}, res.Missing)
	status, _ = h.gate(check)
	require.Equal(t, http.StatusLocked, status, "polled again: the same answer, not recorded again")

	status, res = h.gate(map[string]string{"service": "checkout-api", "version": ver, "environment": "staging"})
	require.Equal(t, http.StatusOK, status, "staging has no gate")
	require.True(t, res.Allowed)

	e.run(qa, w.ChannelID, "/devops signoff production")
	status, res = h.gate(check)
	require.Equal(t, http.StatusLocked, status)
	require.Equal(t, []string{"security"}, res.Missing)
	e.run(sec, w.ChannelID, "/devops signoff production")
	status, res = h.gate(check)
	require.Equal(t, http.StatusOK, status)
	require.True(t, res.Allowed)
	require.Len(t, res.Signoffs, 2)
	require.Empty(t, res.Missing)

	// Unsigned, wrongly signed, replayed: 401, and nothing recorded.
	raw, _ := json.Marshal(check)
	status, res = h.sendGate(nil, raw)
	require.Equal(t, http.StatusUnauthorized, status)
	headers := h.headers(nextGateTime(), raw)
	status, _ = h.sendGate(headers, raw)
	require.Equal(t, http.StatusOK, status)
	status, res = h.sendGate(headers, raw)
	require.Equal(t, http.StatusUnauthorized, status, "a replay")
	require.Contains(t, res.Error, "already used")

	// Nothing matches: 423, and it says so.
	status, res = h.gate(map[string]string{"service": "nothing", "version": "0.0.1-" + model.NewId(), "environment": "production"})
	require.Equal(t, http.StatusLocked, status)
	require.False(t, res.Matched)
	require.Contains(t, res.Reason, "No active workflow matches")
	status, _ = h.gate(map[string]string{"service": "checkout-api", "version": ver})
	require.Equal(t, http.StatusBadRequest, status, "environment is required")

	// The timeline has a check per change of answer, not per poll.
	checks := eventsOfType(timelineOf(t, qa, w.ID), "gate_check")
	var summaries []string
	for _, c := range checks {
		summaries = append(summaries, c.Summary)
	}
	require.Equal(t, []string{
		"Gate check checkout-api " + ver + " → production: refused (missing qa and security)",
		"Gate check checkout-api " + ver + " → staging: allowed",
		"Gate check checkout-api " + ver + " → production: refused (missing security)",
		"Gate check checkout-api " + ver + " → production: allowed",
	}, summaries, "one per change of answer, not per poll")
}

// The README's GitHub Actions and GitLab CI examples wait for the gate with the same
// shell loop: cut out of the README and run here, against the real server.
func TestReadmeGateWaitExamples(t *testing.T) {
	for _, tool := range []string{"curl", "openssl", "jq", "sh"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "the README's examples need %s (make test-e2e installs it)", tool)
	}
	readme, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "README.md"))
	require.NoError(t, err)
	loops := gateWaitLoops(t, string(readme))
	require.Len(t, loops, 2, "the GitHub Actions and GitLab CI examples")
	require.Equal(t, loops[0], loops[1], "both examples run the same loop")

	e := newEnv(t)
	h := useWebhook(t, nil)
	w, ver, qa, sec := releaseWithSigners(e)
	dir := t.TempDir()
	run := func(timeout string) *exec.Cmd {
		cmd := exec.Command("sh", "-c", loops[0]+"\necho DEPLOYED")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "MM_URL="+srv.URL, "DEVOPS_WEBHOOK_SECRET="+h.secret, "SERVICE=checkout-api",
			"VERSION=v"+ver, "ENVIRONMENT=production", "GATE_TIMEOUT="+timeout, "GATE_INTERVAL=1")
		return cmd
	}
	// A closed gate: the loop gives up after its timeout, and nothing deploys.
	out, err := run("2").CombinedOutput()
	require.Error(t, err, "%s", out)
	requireContains(t, string(out), "waiting: The production gate waits for a sign-off from qa and security.", "the gate is still closed after 2s")
	require.NotContains(t, string(out), "DEPLOYED")

	// Started before the sign-offs, it deploys once they are in. (A second apart from
	// the last check: the same check signed in the same second is a replay.)
	time.Sleep(1100 * time.Millisecond)
	cmd := run("60")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(1500 * time.Millisecond)
	e.run(qa, w.ChannelID, "/devops signoff production")
	e.run(sec, w.ChannelID, "/devops signoff production")
	select {
	case err := <-done:
		require.NoError(t, err, "%s", buf.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the loop did not see the gate open:\n%s", buf.String())
	}
	requireContains(t, buf.String(), "waiting: The production gate", `"allowed":true`, "DEPLOYED")
}

// gateWaitLoops cuts each example's loop out of the README, without its indentation.
func gateWaitLoops(t *testing.T, readme string) []string {
	t.Helper()
	var loops []string
	for _, part := range strings.Split(readme, "# gate-wait: begin\n")[1:] {
		body, _, ok := strings.Cut(part, "# gate-wait: end")
		require.True(t, ok)
		lines := strings.Split(strings.TrimRight(body, " \n"), "\n")
		indent := len(lines[0]) - len(strings.TrimLeft(lines[0], " "))
		for i, l := range lines {
			if len(l) >= indent {
				lines[i] = l[indent:]
			}
		}
		loops = append(loops, strings.Join(lines, "\n"))
	}
	return loops
}

// Deploys, gate checks and alerts that name a catalogued service find its workflow;
// its incidents invite its owners.
func TestServiceCatalogRoutes(t *testing.T) {
	e := newEnv(t)
	h := useWebhook(t, nil)
	token := useAlerts(t, nil)
	dev := e.withDiscipline("dev", "developer")
	owner := e.user("owner")
	guest := e.user("other")
	svc := "pay" + strings.ToLower(model.NewId()[:8])

	var added struct {
		ID     string   `json:"id"`
		Owners []string `json:"owners"`
		Error  string   `json:"error"`
	}
	status := api(t, dev, http.MethodPost, "/api/v1/services", map[string]any{"team_id": e.team.Id, "name": svc,
		"owners": []string{"@" + owner.Username}, "tier": "1", "repository": "https://git.example.com/" + svc}, &added)
	require.Equal(t, http.StatusCreated, status, added.Error)
	require.Equal(t, []string{owner.Username}, added.Owners)
	var refused apiError
	require.Equal(t, http.StatusConflict, api(t, dev, http.MethodPost, "/api/v1/services", map[string]any{"team_id": e.team.Id, "name": strings.ToUpper(svc)}, &refused))
	require.Equal(t, http.StatusBadRequest, api(t, dev, http.MethodPost, "/api/v1/services", map[string]any{"team_id": e.team.Id, "name": "two words"}, &refused))
	require.Equal(t, http.StatusForbidden, api(t, guest, http.MethodDelete, "/api/v1/services/"+added.ID, nil, &refused), "neither owner nor creator nor admin")
	requireContains(t, e.run(dev, e.square.Id, "/devops service show "+svc).Text, "**"+svc+"**", "tier 1", "@"+owner.Username, "[repository](https://git.example.com/"+svc+")")
	requireContains(t, e.run(dev, e.square.Id, "/devops service list").Text, svc)
	var patched struct {
		Tier string `json:"tier"`
	}
	require.Equal(t, http.StatusOK, api(t, owner, http.MethodPatch, "/api/v1/services/"+added.ID, map[string]any{"tier": "2"}, &patched))
	require.Equal(t, "2", patched.Tier)

	// A release whose title names the service, without a version a pipeline sends.
	rel := e.start(dev, "release "+svc+" train")
	status, res := h.post("deploy", deployEvent{Service: svc, Version: version(), Environment: "staging", Status: "succeeded"})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, rel.ID, res.WorkflowID, "routed by the service")
	gstatus, gate := h.gate(map[string]string{"service": svc, "version": version(), "environment": "production"})
	require.Equal(t, http.StatusLocked, gstatus)
	require.Equal(t, rel.ID, gate.WorkflowID)

	// An alert of the service opens an incident that invites its owner; another group
	// of the same service joins that incident.
	body := alertFixture(t, "alertmanager-firing.json", model.NewId())
	body = bytes.ReplaceAll(body, []byte(`"service":"checkout"`), []byte(`"service":"`+svc+`"`))
	astatus, ares := sendAlert(t, "alertmanager", e.team.Name, token, body)
	require.Equal(t, http.StatusOK, astatus, ares.Error)
	require.True(t, ares.Incident.Opened)
	require.Eventually(t, func() bool {
		members, _, err := srv.Admin.GetChannelMembers(context.Background(), ares.Incident.ChannelID, 0, 100, "")
		require.NoError(t, err)
		for _, m := range members {
			if m.UserId == owner.Id {
				return true
			}
		}
		return false
	}, 10*time.Second, 100*time.Millisecond, "the service's owner was not invited")
	var inc workflowJSON
	require.Equal(t, http.StatusOK, api(t, dev, http.MethodGet, "/api/v1/workflows/"+ares.Incident.WorkflowID, nil, &inc))
	require.Equal(t, svc+": Checkout 5xx above 5%", inc.Title)
	other := alertFixture(t, "alertmanager-firing.json", model.NewId())
	other = bytes.ReplaceAll(other, []byte(`"service":"checkout"`), []byte(`"service":"`+svc+`"`))
	other = bytes.ReplaceAll(other, []byte(`HighErrorRate`), []byte(`HighLatency`))
	astatus, ares2 := sendAlert(t, "alertmanager", e.team.Name, token, other)
	require.Equal(t, http.StatusOK, astatus)
	require.False(t, ares2.Incident.Opened)
	require.Equal(t, ares.Incident.WorkflowID, ares2.Incident.WorkflowID, "the service's active incident")

	requireContains(t, e.run(dev, e.square.Id, "/devops service remove "+svc).Text, "Removed")
	requireContains(t, e.run(dev, e.square.Id, "/devops service show "+svc).Text, "No service")
}

// An incident a failed production deploy opens for a catalogued service invites its
// owners too.
func TestFailedDeployInvitesServiceOwners(t *testing.T) {
	e := newEnv(t)
	h := useWebhook(t, nil)
	dev := e.withDiscipline("dev", "developer")
	owner := e.user("owner")
	svc := "inv" + strings.ToLower(model.NewId()[:8])
	var refused apiError
	require.Equal(t, http.StatusCreated, api(t, dev, http.MethodPost, "/api/v1/services",
		map[string]any{"team_id": e.team.Id, "name": svc, "owners": []string{owner.Username}}, &refused), refused.Error)
	e.start(dev, "release "+svc+" train")
	status, res := h.post("deploy", deployEvent{Service: svc, Version: version(), Environment: "production", Status: "failed"})
	require.Equal(t, http.StatusOK, status)
	require.NotNil(t, res.Incident)
	require.True(t, res.Incident.Opened, res.Incident.Error)
	require.Eventually(t, func() bool {
		member, _, err := srv.Admin.GetChannelMember(context.Background(), res.Incident.ChannelID, owner.Id, "")
		return err == nil && member != nil
	}, 10*time.Second, 100*time.Millisecond, "the service's owner was not invited to the incident")
}
