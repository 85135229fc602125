package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// hookResult is the webhook's answer.
type hookResult struct {
	Event            string `json:"event"`
	Matched          bool   `json:"matched"`
	WorkflowID       string `json:"workflow_id"`
	ChannelID        string `json:"channel_id"`
	PostedToFallback bool   `json:"posted_to_fallback"`
	Incident         *struct {
		WorkflowID  string `json:"workflow_id"`
		ChannelID   string `json:"channel_id"`
		ChannelName string `json:"channel_name"`
		Opened      bool   `json:"opened"`
		Error       string `json:"error"`
	} `json:"incident"`
	Error string `json:"error"`
}

// deployEvent is a CI/CD event body.
type deployEvent struct {
	WorkflowID  string `json:"workflow_id,omitempty"`
	Service     string `json:"service"`
	Version     string `json:"version"`
	Environment string `json:"environment,omitempty"`
	Status      string `json:"status"`
	URL         string `json:"url,omitempty"`
	Commit      string `json:"commit,omitempty"`
	Message     string `json:"message,omitempty"`
}

// webhook is the signing side of a CI system.
type webhook struct {
	t      *testing.T
	secret string
	// base is the server it sends to; srv when empty.
	base string
}

// useWebhook turns the webhook on with a new secret and the given other settings
// (keys in lower case), waits until the plugin runs with them, and turns it off when
// the test ends. A new secret per call is how a test knows the change has landed.
func useWebhook(t *testing.T, settings map[string]any) *webhook {
	t.Helper()
	h := &webhook{t: t, secret: "whsec-" + model.NewId()}
	applyWebhookSettings(t, h.secret, settings)
	t.Cleanup(func() {
		applyWebhookSettings(t, "", map[string]any{"incidentonfaileddeploy": true, "productionenvironments": "production,prod", "webhookfallbackchannel": ""})
	})
	return h
}

func applyWebhookSettings(t *testing.T, secret string, settings map[string]any) {
	t.Helper()
	cfg, _, err := srv.Admin.GetConfig(context.Background())
	require.NoError(t, err)
	if cfg.PluginSettings.Plugins[harness.PluginID] == nil {
		cfg.PluginSettings.Plugins[harness.PluginID] = map[string]any{}
	}
	plugin := cfg.PluginSettings.Plugins[harness.PluginID]
	plugin["webhooksecret"] = secret
	for k, v := range settings {
		plugin[k] = v
	}
	_, _, err = srv.Admin.UpdateConfig(context.Background(), cfg)
	require.NoError(t, err)
	// The plugin applies a configuration asynchronously. Probe with an unknown event:
	// signed with the new secret it is refused as unknown, and with the webhook off it
	// is "not found" like any missing route.
	probe := &webhook{t: t, secret: secret}
	want := "Unknown event"
	if secret == "" {
		probe.secret, want = "whatever-secret-0123456789", "not found"
	}
	require.Eventually(t, func() bool {
		_, res, _ := probe.send("probe", probe.headers(time.Now(), []byte("{}")), []byte("{}"))
		return strings.Contains(res.Error, want)
	}, 15*time.Second, 50*time.Millisecond, "the plugin did not apply the webhook settings")
}

func (h *webhook) headers(at time.Time, body []byte) map[string]string {
	return harness.WebhookHeaders(h.secret, at, body)
}

// send posts a raw request to the webhook, without a Mattermost session.
func (h *webhook) send(event string, headers map[string]string, body []byte) (int, hookResult, http.Header) {
	h.t.Helper()
	base := h.base
	if base == "" {
		base = srv.URL
	}
	return sendHookTo(h.t, base, http.MethodPost, event, headers, body, "")
}

func sendHook(t *testing.T, method, event string, headers map[string]string, body []byte, token string) (int, hookResult, http.Header) {
	t.Helper()
	return sendHookTo(t, srv.URL, method, event, headers, body, token)
}

func sendHookTo(t *testing.T, base, method, event string, headers map[string]string, body []byte, token string) (int, hookResult, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/plugins/"+harness.PluginID+"/api/v1/hooks/"+event, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var res hookResult
	require.NoError(t, json.Unmarshal(raw, &res), "%d %s", resp.StatusCode, raw)
	return resp.StatusCode, res, resp.Header
}

// post signs and sends an event now.
func (h *webhook) post(event string, ev deployEvent) (int, hookResult) {
	h.t.Helper()
	body, err := json.Marshal(ev)
	require.NoError(h.t, err)
	status, res, _ := h.send(event, h.headers(time.Now(), body), body)
	return status, res
}

type timelineEvent struct {
	Type    string `json:"type"`
	ActorID string `json:"actor_id"`
	Summary string `json:"summary"`
	PostID  string `json:"post_id"`
}

func timelineOf(t *testing.T, m *member, id string) []timelineEvent {
	t.Helper()
	var page struct {
		Items []timelineEvent `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/workflows/"+id+"/timeline", nil, &page))
	return page.Items
}

func eventsOfType(events []timelineEvent, types ...string) []timelineEvent {
	var out []timelineEvent
	for _, ev := range events {
		for _, typ := range types {
			if ev.Type == typ {
				out = append(out, ev)
			}
		}
	}
	return out
}

// version returns a version number no other test's workflow has: matching by version
// looks at every team.
func version() string {
	n := uniq.Add(1)
	return fmt.Sprintf("%d.%d.0", 700+n, n)
}

func postCount(t *testing.T, m *member, channelID string) int {
	t.Helper()
	posts, _, err := m.client.GetPostsForChannel(context.Background(), channelID, 0, 200, "", false, false)
	require.NoError(t, err)
	return len(posts.Order)
}

func TestWebhookIsOffWithoutSecret(t *testing.T) {
	applyWebhookSettings(t, "", nil)
	h := &webhook{t: t, secret: "any-secret-at-all-0123456789"}
	status, res := h.post("deploy", deployEvent{Service: "api", Version: "1.0", Environment: "production", Status: "failed"})
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, "not found", res.Error)
	status, res, _ = sendHook(t, http.MethodGet, "deploy", nil, nil, "")
	require.Equal(t, http.StatusNotFound, status, "off means off for every method")
	require.Equal(t, "not found", res.Error)
}

func TestWebhookRefusesWhatIsNotSignedFreshAndNew(t *testing.T) {
	h := useWebhook(t, nil)
	e := newEnv(t)
	dev := e.withDiscipline("dev", "developer")
	v := version()
	rel := e.start(dev, "release Release "+v)
	// Mattermost writes "added to the channel" after the start answers; count after it.
	eventually(t, 10*time.Second, func() bool { return postCount(t, dev, rel.ChannelID) >= 2 }, "the starter's join post")
	postsBefore := postCount(t, dev, rel.ChannelID)

	body := []byte(`{"service":"checkout-api","version":"` + v + `","environment":"staging","status":"succeeded"}`)
	now := time.Now()
	good := h.headers(now, body)
	other := (&webhook{secret: "whsec-someone-else-0123456789"}).headers(now, body)
	oversized := []byte(`{"service":"checkout-api","version":"` + v + `","environment":"staging","status":"succeeded","message":"` +
		strings.Repeat("x", 70<<10) + `"}`)
	signed := func(b string) ([]byte, map[string]string) { return []byte(b), h.headers(now, []byte(b)) }
	badJSON, badJSONHeaders := signed(`{"service":"checkout-api",`)
	unknownField, unknownFieldHeaders := signed(`{"service":"a","version":"1","environment":"prod","status":"failed","sevrity":"sev1"}`)
	badStatus, badStatusHeaders := signed(`{"service":"a","version":"1","environment":"prod","status":"cancelled"}`)
	noWorkflow, noWorkflowHeaders := signed(`{"workflow_id":"` + model.NewId() + `","service":"a","version":"1","environment":"prod","status":"failed"}`)

	cases := []struct {
		name    string
		method  string
		event   string
		headers map[string]string
		body    []byte
		token   string
		status  int
		want    string
	}{
		{"no signature at all", "POST", "deploy", nil, body, "", 401, "Sign the request"},
		{"timestamp without signature", "POST", "deploy", map[string]string{"X-DevOps-Timestamp": good["X-DevOps-Timestamp"]}, body, "", 401, "Sign the request"},
		{"signature without timestamp", "POST", "deploy", map[string]string{"X-DevOps-Signature": good["X-DevOps-Signature"]}, body, "", 401, "Sign the request"},
		{"a session is no signature", "POST", "deploy", nil, body, dev.client.AuthToken, 401, "Sign the request"},
		{"another secret", "POST", "deploy", other, body, "", 401, "does not match"},
		{"body changed after signing", "POST", "deploy", good, bytes.Replace(body, []byte("staging"), []byte("production"), 1), "", 401, "does not match"},
		{"not hex", "POST", "deploy", map[string]string{"X-DevOps-Timestamp": good["X-DevOps-Timestamp"], "X-DevOps-Signature": "sha256=nothex"}, body, "", 401, "64 hex digits"},
		{"stale", "POST", "deploy", h.headers(now.Add(-6*time.Minute), body), body, "", 401, "off the server's clock"},
		{"from the future", "POST", "deploy", h.headers(now.Add(6*time.Minute), body), body, "", 401, "off the server's clock"},
		{"bad JSON", "POST", "deploy", badJSONHeaders, badJSON, "", 400, "Invalid JSON"},
		{"unknown field", "POST", "deploy", unknownFieldHeaders, unknownField, "", 400, `unknown field "sevrity"`},
		{"bad status", "POST", "deploy", badStatusHeaders, badStatus, "", 400, "is not started, succeeded or failed"},
		{"oversized body", "POST", "deploy", h.headers(now, oversized), oversized, "", 413, "over 65536 bytes"},
		{"unknown event", "POST", "rollback", good, body, "", 404, `Unknown event "rollback"`},
		{"unknown workflow", "POST", "deploy", noWorkflowHeaders, noWorkflow, "", 404, "No workflow"},
		{"GET", "GET", "deploy", good, nil, "", 405, "use POST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, res, header := sendHook(t, c.method, c.event, c.headers, c.body, c.token)
			require.Equal(t, c.status, status, res.Error)
			require.Contains(t, res.Error, c.want)
			if status == http.StatusUnauthorized {
				require.Contains(t, header.Get("WWW-Authenticate"), "X-DevOps-Signature")
			}
		})
	}
	require.Equal(t, postsBefore, postCount(t, dev, rel.ChannelID), "a refused request posts nothing")
	require.Empty(t, eventsOfType(timelineOf(t, dev, rel.ID), "deploy"), "and records nothing")

	// The good request lands once; resending it — as sent, or with its hex in upper
	// case — is a replay.
	status, res, _ := h.send("deploy", good, body)
	require.Equal(t, http.StatusOK, status, res.Error)
	require.Equal(t, rel.ID, res.WorkflowID)
	status, res, header := h.send("deploy", good, body)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, res.Error, "already used")
	require.NotEmpty(t, header.Get("WWW-Authenticate"))
	upper := map[string]string{"X-DevOps-Timestamp": good["X-DevOps-Timestamp"],
		"X-DevOps-Signature": "sha256=" + strings.ToUpper(strings.TrimPrefix(good["X-DevOps-Signature"], "sha256="))}
	status, res, _ = h.send("deploy", upper, body)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, res.Error, "already used")
	require.Len(t, eventsOfType(timelineOf(t, dev, rel.ID), "deploy"), 1)
	require.Equal(t, postsBefore+1, postCount(t, dev, rel.ChannelID))

	// The replay record is in the database, shared by every node.
	db, err := srv.DB()
	require.NoError(t, err)
	var expires int64
	require.NoError(t, db.QueryRow(`SELECT expires_at FROM devops_webhook_signatures WHERE signature = $1`,
		strings.TrimPrefix(good["X-DevOps-Signature"], "sha256=")).Scan(&expires))
	require.InDelta(t, now.Add(6*time.Minute).UnixMilli(), expires, 2000)
}

func TestWebhookMatching(t *testing.T) {
	e := newEnv(t)
	h := useWebhook(t, map[string]any{"webhookfallbackchannel": e.square.Id})
	dev := e.withDiscipline("dev", "developer")
	ops := e.withDiscipline("ops", "operations")
	relVersion, chgVersion, closedVersion := version(), version(), version()
	rel := e.start(dev, "release Release "+relVersion)
	chg := e.start(ops, "change Roll out v"+chgVersion+" of the edge config")
	closed := e.start(dev, "release Release "+closedVersion)
	require.Equal(t, http.StatusOK, api(t, dev, http.MethodPost, "/api/v1/workflows/"+closed.ID+"/close", map[string]string{}, nil))
	incident := e.start(dev, "incident Checkout down after "+relVersion)

	// By version in the title, with or without a v; the post is compact and inert.
	status, res := h.post("deploy", deployEvent{Service: "@all web *shop*", Version: "v" + relVersion, Environment: "staging",
		Status: "succeeded", URL: "https://ci.example.com/runs/42?step=(deploy)", Commit: "0123456789abcdef0123456789abcdef01234567",
		Message: "Deployed by @" + ops.Username + " see https://evil.example.com"})
	require.Equal(t, http.StatusOK, status, res.Error)
	require.True(t, res.Matched)
	require.Equal(t, rel.ID, res.WorkflowID)
	require.Equal(t, rel.ChannelID, res.ChannelID)
	require.Nil(t, res.Incident)
	post := lastPost(t, dev, rel.ChannelID)
	requireContains(t, post.Message, "🚀 Deploy **@\u200ball web \\*shop\\***", "**v"+relVersion+"**", "→ **staging**", "✅ **succeeded**",
		"[details](https://ci.example.com/runs/42?step=%28deploy%29)", "commit `0123456789ab`", "@\u200b"+ops.Username, "https\u200b:\u200b//evil\u200b.example")
	require.Equal(t, "deploy", post.GetProp("devops_event"))
	deploys := eventsOfType(timelineOf(t, dev, rel.ID), "deploy")
	require.Len(t, deploys, 1)
	require.Equal(t, post.Id, deploys[0].PostID)
	require.Equal(t, post.UserId, deploys[0].ActorID, "the bot records it")
	require.Equal(t, "Deploy @all web *shop* v"+relVersion+" → staging: succeeded (0123456789ab)", deploys[0].Summary)

	// A change matches too; build and test events record their own types.
	status, res = h.post("test", deployEvent{Service: "edge", Version: chgVersion, Status: "failed"})
	require.Equal(t, http.StatusOK, status, res.Error)
	require.Equal(t, chg.ID, res.WorkflowID)
	requireContains(t, lastPost(t, ops, chg.ChannelID).Message, "🧪 Test **edge**", "❌ **failed**")

	// workflow_id wins over the version, and reaches any workflow, closed ones included.
	status, res = h.post("build", deployEvent{WorkflowID: closed.ID, Service: "web", Version: relVersion, Status: "started"})
	require.Equal(t, http.StatusOK, status, res.Error)
	require.Equal(t, closed.ID, res.WorkflowID)
	require.Len(t, eventsOfType(timelineOf(t, dev, closed.ID), "build"), 1)
	require.Len(t, eventsOfType(timelineOf(t, dev, rel.ID), "build"), 0)
	require.Len(t, eventsOfType(timelineOf(t, ops, chg.ID), "test"), 1)

	// No match: a version that is only a prefix, a closed release's, or one only an
	// incident's title has. Unmatched events go to the fallback channel.
	for _, v := range []string{strings.TrimSuffix(relVersion, ".0"), closedVersion, relVersion + "-rc1"} {
		status, res = h.post("deploy", deployEvent{Service: "web", Version: v, Environment: "staging", Status: "started"})
		require.Equal(t, http.StatusAccepted, status, res.Error)
		require.False(t, res.Matched, v)
		require.True(t, res.PostedToFallback)
		requireContains(t, lastPost(t, dev, e.square.Id).Message, "**"+v+"**", "No workflow matched")
	}
	require.Empty(t, eventsOfType(timelineOf(t, dev, incident.ID), "deploy"), "incidents are not matched by version")

	// Several candidates: the newest, unless an older one names the service.
	e2 := newEnv(t)
	other := e2.withDiscipline("dev", "developer")
	billing := e2.start(other, "release Billing "+relVersion)
	_, res = h.post("deploy", deployEvent{Service: "web", Version: relVersion, Environment: "qa", Status: "started"})
	require.Equal(t, billing.ID, res.WorkflowID, "newest")
	_, res = h.post("deploy", deployEvent{Service: "release", Version: relVersion, Environment: "qa", Status: "started"})
	require.Equal(t, rel.ID, res.WorkflowID, "the title names the service")

	// Without a fallback channel an unmatched event is acknowledged and dropped.
	h = useWebhook(t, map[string]any{"webhookfallbackchannel": ""})
	before := postCount(t, dev, e.square.Id)
	status, res = h.post("deploy", deployEvent{Service: "web", Version: version(), Environment: "staging", Status: "started"})
	require.Equal(t, http.StatusAccepted, status)
	require.False(t, res.Matched)
	require.False(t, res.PostedToFallback)
	require.Equal(t, before, postCount(t, dev, e.square.Id))
}

func TestWebhookFailedProductionDeployOpensIncident(t *testing.T) {
	e := newEnv(t)
	h := useWebhook(t, nil)
	dev := e.withDiscipline("dev", "developer")
	ops := e.withDiscipline("ops", "operations")
	v := version()
	rel := e.start(dev, "release Release "+v)

	status, res := h.post("deploy", deployEvent{Service: "checkout-api", Version: v, Environment: "production", Status: "failed",
		URL: "https://ci.example.com/runs/7"})
	require.Equal(t, http.StatusOK, status, res.Error)
	require.NotNil(t, res.Incident)
	require.Empty(t, res.Incident.Error)
	require.True(t, res.Incident.Opened)
	inc := e.workflowOf(dev, res.Incident.ChannelID)
	require.Equal(t, "incident", inc.Type)
	require.Equal(t, "sev2", inc.Severity)
	require.Equal(t, "Failed deploy: checkout-api "+v+" to production", inc.Title)
	require.Equal(t, dev.Id, inc.LeadID, "the release's lead commands it")
	require.Equal(t, dev.Id, inc.Roles["commander"])
	requireMemberSoon(t, inc.ChannelID, ops) // operations is invited, as for any incident

	// Linked both ways, and on both timelines.
	requireContains(t, lastPost(t, dev, rel.ChannelID).Message, "❌ **failed**", "Opened incident ~"+inc.ChannelName)
	// The people the incident invites are added after it answers: their system posts
	// may come after the bot's.
	incPosts := botPostsSince(t, dev, inc.ChannelID, 0)
	requireContains(t, incPosts[len(incPosts)-1], "Opened automatically", "~"+rel.ChannelName, "@"+dev.Username+" commands it",
		"/devops role commander @someone", "[details](https://ci.example.com/runs/7)")
	relDeploys := eventsOfType(timelineOf(t, dev, rel.ID), "deploy")
	require.Len(t, relDeploys, 1)
	require.Contains(t, relDeploys[0].Summary, "opened incident ~"+inc.ChannelName)
	require.Equal(t, []string{"created", "deploy"}, typesOf(eventsOfType(timelineOf(t, dev, inc.ID), "created", "deploy")))

	// The duplicate guard: another failure of the service, another version, finds it.
	status, res = h.post("deploy", deployEvent{WorkflowID: rel.ID, Service: "checkout-api", Version: v + "-hotfix1", Environment: "prod", Status: "failed"})
	require.Equal(t, http.StatusOK, status, res.Error)
	require.False(t, res.Incident.Opened)
	require.Equal(t, inc.ID, res.Incident.WorkflowID)
	requireContains(t, lastPost(t, dev, rel.ChannelID).Message, "Incident ~"+inc.ChannelName+" is already active for **checkout-api**")
	requireContains(t, lastPost(t, dev, inc.ChannelID).Message, v+"-hotfix1", "Another failure, reported in ~"+rel.ChannelName)
	require.Len(t, eventsOfType(timelineOf(t, dev, inc.ID), "deploy"), 2)

	// Not production, or not failed: no incident.
	for _, ev := range []deployEvent{
		{Service: "checkout-api", Version: v, Environment: "staging", Status: "failed"},
		{Service: "checkout-api", Version: v, Environment: "production", Status: "started"},
	} {
		_, res = h.post("deploy", ev)
		require.True(t, res.Matched)
		require.Nil(t, res.Incident, "%+v", ev)
	}
	_, res = h.post("test", deployEvent{Service: "search", Version: v, Environment: "production", Status: "failed"})
	require.Nil(t, res.Incident, "only deploys open incidents")

	// Failures of one service arriving together open one incident between them.
	var wg sync.WaitGroup
	results := make(chan hookResult, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, res := h.post("deploy", deployEvent{Service: "payments", Version: v, Environment: "PROD", Status: "failed", Commit: fmt.Sprint("c", i)})
			require.Equal(t, http.StatusOK, status, res.Error)
			results <- res
		}()
	}
	wg.Wait()
	close(results)
	opened, ids := 0, map[string]bool{}
	for r := range results {
		require.NotNil(t, r.Incident)
		require.Empty(t, r.Incident.Error)
		ids[r.Incident.WorkflowID] = true
		if r.Incident.Opened {
			opened++
		}
	}
	require.Equal(t, 1, opened)
	require.Len(t, ids, 1)

	// Closed incidents do not count: the next failure opens a new one.
	require.Equal(t, http.StatusOK, api(t, dev, http.MethodPost, "/api/v1/workflows/"+inc.ID+"/close", map[string]string{}, nil))
	_, res = h.post("deploy", deployEvent{Service: "checkout-api", Version: v, Environment: "production", Status: "failed"})
	require.True(t, res.Incident.Opened)
	require.NotEqual(t, inc.ID, res.Incident.WorkflowID)

	// A deploy reported into an incident does not open another.
	_, res = h.post("deploy", deployEvent{WorkflowID: res.Incident.WorkflowID, Service: "ledger", Version: v, Environment: "production", Status: "failed"})
	require.True(t, res.Matched)
	require.Nil(t, res.Incident)

	// Unmatched: no team and no lead to open one with, and the caller is told.
	status, res = h.post("deploy", deployEvent{Service: "ledger", Version: version(), Environment: "production", Status: "failed"})
	require.Equal(t, http.StatusAccepted, status)
	require.Contains(t, res.Incident.Error, "no workflow matched")

	// The setting turns it off.
	h = useWebhook(t, map[string]any{"incidentonfaileddeploy": false})
	_, res = h.post("deploy", deployEvent{Service: "ledger", Version: v, Environment: "production", Status: "failed"})
	require.True(t, res.Matched)
	require.Nil(t, res.Incident)
	var list struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, dev, http.MethodGet, "/api/v1/workflows?team_id="+e.team.Id+"&type=incident&status=active", nil, &list))
	var titles []string
	for _, w := range list.Items {
		titles = append(titles, w.Title)
	}
	require.ElementsMatch(t, []string{"Failed deploy: payments " + v + " to PROD", "Failed deploy: checkout-api " + v + " to production"}, titles)
}

func typesOf(events []timelineEvent) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev.Type
	}
	return out
}

// TestWebhookREADMEExamples runs the README's curl + openssl one-liner and the
// scripts of its GitHub Actions and GitLab CI examples, as written, against the real
// server: what the documentation says to copy signs correctly.
func TestWebhookREADMEExamples(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "openssl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed; make test-e2e installs it (Debian package %s)", tool, tool)
		}
	}
	oneLiner, github, gitlab := readmeExamples(t)

	e := newEnv(t)
	h := useWebhook(t, nil)
	dev := e.withDiscipline("dev", "developer")
	v := version()
	rel := e.start(dev, "release Release "+v)
	run := func(script string, env ...string) string {
		t.Helper()
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Env = append(os.Environ(), append(env, "MM_URL="+srv.URL, "DEVOPS_WEBHOOK_SECRET="+h.secret)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}

	requireContains(t, run(oneLiner, "VERSION="+v), `"matched":true`, rel.ID)
	requireContains(t, lastPost(t, dev, rel.ChannelID).Message, "🚀 Deploy **checkout-api** **"+v+"** → **production**: ✅ **succeeded**")

	requireContains(t, run(github, "STATUS=success", "VERSION=v"+v, "RUN_URL=https://github.com/acme/shop/actions/runs/1",
		"GITHUB_SHA=0123456789abcdef0123456789abcdef01234567"), `"matched":true`)
	requireContains(t, lastPost(t, dev, rel.ChannelID).Message, "**v"+v+"**", "✅ **succeeded**",
		"[details](https://github.com/acme/shop/actions/runs/1)", "commit `0123456789ab`")

	requireContains(t, run(gitlab, "CI_COMMIT_TAG="+v, "CI_ENVIRONMENT_NAME=staging", "CI_JOB_STATUS=failed",
		"CI_JOB_URL=https://gitlab.example.com/acme/shop/-/jobs/9", "CI_COMMIT_SHA=89abcdef0123456789abcdef0123456789abcdef", "CI_COMMIT_SHORT_SHA=89abcdef"),
		`"matched":true`)
	requireContains(t, lastPost(t, dev, rel.ChannelID).Message, "→ **staging**: ❌ **failed**", "[details](https://gitlab.example.com/acme/shop/-/jobs/9)")
	require.Len(t, eventsOfType(timelineOf(t, dev, rel.ID), "deploy"), 3)
}

// readmeExamples returns the shell of the README's webhook examples: the one-liner,
// and the scripts under `run: |` (GitHub Actions) and `- |` (GitLab CI).
func readmeExamples(t *testing.T) (oneLiner, github, gitlab string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "README.md"))
	require.NoError(t, err)
	i := strings.Index(string(readme), "## CI/CD webhook")
	require.GreaterOrEqual(t, i, 0, "README has a CI/CD webhook section")
	section := string(readme[i:])
	block := func(heading, lang string) string {
		j := strings.Index(section, heading)
		require.GreaterOrEqual(t, j, 0, heading)
		m := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```").FindStringSubmatch(section[j:])
		require.NotNil(t, m, "a %s block under %s", lang, heading)
		return m[1]
	}
	return block("### curl + openssl", "sh"), literalScript(t, block("### GitHub Actions", "yaml"), "run: |"),
		literalScript(t, block("### GitLab CI", "yaml"), "- |")
}

// literalScript returns the YAML literal block that follows marker, dedented.
func literalScript(t *testing.T, yaml, marker string) string {
	t.Helper()
	lines := strings.Split(yaml, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != marker {
			continue
		}
		var out []string
		indent := -1
		for _, body := range lines[i+1:] {
			n := len(body) - len(strings.TrimLeft(body, " "))
			if strings.TrimSpace(body) == "" || indent >= 0 && n < indent {
				break
			}
			if indent < 0 {
				indent = n
			}
			out = append(out, body[indent:])
		}
		return strings.Join(out, "\n")
	}
	require.Fail(t, "no "+marker+" in the example")
	return ""
}
