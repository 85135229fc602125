package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
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

// The alert intake, gate checks and the service catalog (issue 16), on the real
// server, with a real Prometheus Alertmanager process sending to it.

// alertResult is the intake's answer.
type alertResult struct {
	Source   string `json:"source"`
	Status   string `json:"status"`
	Incident *struct {
		WorkflowID  string `json:"workflow_id"`
		ChannelID   string `json:"channel_id"`
		ChannelName string `json:"channel_name"`
		Opened      bool   `json:"opened"`
	} `json:"incident"`
	Storm     bool   `json:"storm"`
	NewAlerts int    `json:"new_alerts"`
	Duplicate bool   `json:"duplicate"`
	Error     string `json:"error"`
}

// useAlerts turns the intake on with a new token and the given settings, waits
// until the plugin runs with them, and turns it off when the test ends.
func useAlerts(t *testing.T, settings map[string]any) string {
	t.Helper()
	token := "alert-" + model.NewId()
	all := map[string]any{"alerttoken": token, "alertstormlimit": 10}
	for k, v := range settings {
		all[k] = v
	}
	require.NoError(t, srv.SetPluginSettings(all))
	t.Cleanup(func() { _ = srv.SetPluginSettings(map[string]any{"alerttoken": "", "alertstormlimit": 10}) })
	// Applied when the token answers an empty body as bad input rather than 401 or 404.
	require.Eventually(t, func() bool {
		status, _ := sendAlert(t, "alertmanager", "anyteam", token, []byte(`{}`))
		return status == http.StatusBadRequest
	}, 15*time.Second, 50*time.Millisecond, "the plugin did not apply the alert settings")
	return token
}

func sendAlert(t *testing.T, source, team, token string, body []byte) (int, alertResult) {
	t.Helper()
	return sendAlertTo(t, srv.URL, source, team, token, body)
}

func sendAlertTo(t *testing.T, base, source, team, token string, body []byte) (int, alertResult) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/plugins/"+harness.PluginID+"/api/v1/hooks/"+source+"?team="+team, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var res alertResult
	require.NoError(t, json.Unmarshal(raw, &res), "%d %s", resp.StatusCode, raw)
	return resp.StatusCode, res
}

// alertFixture is a captured notification (server/app/testdata), with its group key and
// fingerprints made unique to the call, so tests sharing the server do not meet.
func alertFixture(t *testing.T, name, group string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "server", "app", "testdata", name))
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body))
	body["groupKey"] = body["groupKey"].(string) + group
	for _, a := range body["alerts"].([]any) {
		alert := a.(map[string]any)
		alert["fingerprint"] = alert["fingerprint"].(string) + strings.ReplaceAll(group, "-", "")
	}
	out, err := json.Marshal(body)
	require.NoError(t, err)
	return out
}

func incidentsOf(t *testing.T, m *member, teamID string) []*workflowJSON {
	t.Helper()
	var page struct {
		Items []*workflowJSON `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/workflows?team_id="+teamID+"&type=incident&per_page=200", nil, &page))
	return page.Items
}

func TestAlertIntakeRefusals(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, srv.SetPluginSettings(map[string]any{"alerttoken": ""}))
	require.Eventually(t, func() bool {
		status, _ := sendAlert(t, "alertmanager", e.team.Name, "whatever-token-0123456789", []byte(`{}`))
		return status == http.StatusNotFound
	}, 15*time.Second, 50*time.Millisecond, "no token: the endpoints do not exist")
	token := useAlerts(t, nil)
	body := alertFixture(t, "alertmanager-firing.json", model.NewId())

	status, res := sendAlert(t, "alertmanager", e.team.Name, "", body)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, res.Error, "Authorization: Bearer")
	status, _ = sendAlert(t, "grafana", e.team.Name, token+"x", body)
	require.Equal(t, http.StatusUnauthorized, status, "a wrong token")
	status, res = sendAlert(t, "alertmanager", e.team.Name, token, []byte(`{"status":"firing","alerts":[`))
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, res.Error, "Invalid JSON")
	status, res = sendAlert(t, "alertmanager", e.team.Name, token, []byte(`{"status":"firing","alerts":[]}`))
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, res.Error, "alerts is empty")
	status, res = sendAlert(t, "alertmanager", "no-such-team-"+model.NewId(), token, body)
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, res.Error, "No team")
	status, _ = sendAlert(t, "alertmanager", e.team.Name, token, bytes.Repeat([]byte(" "), 600<<10))
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
	status, res = sendAlert(t, "alertmanager", e.team.Name, token, alertFixture(t, "alertmanager-resolved.json", model.NewId()))
	require.Equal(t, http.StatusOK, status)
	require.Nil(t, res.Incident, "a group that resolved without an incident opens none")
	require.Empty(t, incidentsOf(t, e.user("viewer"), e.team.Id), "nothing refused opened anything")
}

// The done-when of issue 16 with the real sender: Alertmanager posts to the plugin.
func TestAlertmanagerOpensDedupsAndResolves(t *testing.T) {
	bin, err := exec.LookPath("prometheus-alertmanager")
	require.NoError(t, err, "the e2e tests need Debian's prometheus-alertmanager (make test-e2e installs it)")
	e := newEnv(t)
	viewer := e.user("viewer")
	token := useAlerts(t, nil)
	am := startAlertmanager(t, bin, e.team.Name, token)
	service := "checkout" + model.NewId()[:6]
	alert := func(instance string, resolved bool) map[string]any {
		a := map[string]any{"labels": map[string]string{"alertname": "HighErrorRate", "service": service, "severity": "critical", "instance": instance},
			"annotations": map[string]string{"summary": "Checkout 5xx above 5% @channel"}, "generatorURL": "http://prometheus.local/graph?g0.expr=up"}
		if resolved {
			a["endsAt"] = time.Now().UTC().Format(time.RFC3339)
		}
		return a
	}
	am.post(t, alert("a:9090", false), alert("b:9090", false))

	var inc *workflowJSON
	require.Eventually(t, func() bool {
		items := incidentsOf(t, viewer, e.team.Id)
		if len(items) == 1 {
			inc = items[0]
		}
		return inc != nil
	}, 20*time.Second, 100*time.Millisecond, "Alertmanager's notification opened no incident")
	require.Equal(t, "Checkout 5xx above 5% @channel", inc.Title, "titled from commonAnnotations.summary")
	require.Equal(t, "sev1", inc.Severity, "critical → sev1")
	require.Empty(t, inc.LeadID, "nobody leads until someone takes it")
	first := firstPost(t, admin(), inc.ChannelID)
	requireContains(t, first.Message, "Opened by an alert from **Alertmanager**", "[source](http://prometheus.local/graph?g0.expr=up)", "instance=a:9090", "instance=b:9090")
	require.NotContains(t, first.Message, "@channel", "the summary is shown inert")
	t.Logf("the incident's first post:\n%s", first.Message)
	actionOf(t, first, "takelead")

	// The same group again, with a new alert: no new incident, an `alert` event.
	am.post(t, alert("a:9090", false), alert("b:9090", false), alert("c:9090", false))
	require.Eventually(t, func() bool {
		return len(eventsOfType(timelineOf(t, viewer, inc.ID), "alert")) == 1
	}, 20*time.Second, 100*time.Millisecond, "the new alert was not added")
	ev := eventsOfType(timelineOf(t, viewer, inc.ID), "alert")[0]
	require.Contains(t, ev.Summary, "1 new alert firing")
	added, _, err := viewer.client.GetPost(context.Background(), ev.PostID, "")
	require.NoError(t, err)
	requireContains(t, added.Message, "instance=c:9090")
	require.NotContains(t, added.Message, "instance=a:9090", "only what is new is listed")

	// Resolved: an alert_resolved event and a post offering to close.
	am.post(t, alert("a:9090", true), alert("b:9090", true), alert("c:9090", true))
	require.Eventually(t, func() bool {
		return len(eventsOfType(timelineOf(t, viewer, inc.ID), "alert_resolved")) == 1
	}, 30*time.Second, 200*time.Millisecond, "the resolved notification did not land")
	resolved := eventsOfType(timelineOf(t, viewer, inc.ID), "alert_resolved")[0]
	post, _, err := viewer.client.GetPost(context.Background(), resolved.PostID, "")
	require.NoError(t, err)
	requireContains(t, post.Message, "Resolved")
	t.Logf("the new alert's post:\n%s\nthe resolved post:\n%s", added.Message, post.Message)
	actionOf(t, post, "close")
	require.Len(t, incidentsOf(t, viewer, e.team.Id), 1, "one incident for the group throughout")

	// Take the lead with one tap; then the button is gone.
	_, _, err = viewer.client.AddChannelMember(context.Background(), inc.ChannelID, viewer.Id)
	require.NoError(t, err)
	after := press(t, viewer, first, "takelead", "")
	require.NotContains(t, offered(after), "takelead")
	var w workflowJSON
	require.Equal(t, http.StatusOK, api(t, viewer, http.MethodGet, "/api/v1/workflows/"+inc.ID, nil, &w))
	require.Equal(t, viewer.Id, w.LeadID)
	require.Equal(t, viewer.Id, w.Roles["commander"])
}

// alertmanager is a real Alertmanager process, on free ports, without clustering.
type alertmanager struct{ url string }

func startAlertmanager(t *testing.T, bin, team, token string) *alertmanager {
	t.Helper()
	dir := t.TempDir()
	port := freeTCPPort(t)
	cfg := fmt.Sprintf(`route:
  receiver: devops
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: devops
    webhook_configs:
      - url: %s/plugins/%s/api/v1/hooks/alertmanager?team=%s
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: %s
`, srv.URL, harness.PluginID, team, token)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "am.yml"), []byte(cfg), 0o600))
	logf, err := os.Create(filepath.Join(dir, "am.log"))
	require.NoError(t, err)
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port), "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "am.log"))
			t.Logf("alertmanager log:\n%s", log)
		}
	})
	am := &alertmanager{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	require.Eventually(t, func() bool {
		resp, err := http.Get(am.url + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 20*time.Second, 100*time.Millisecond, "alertmanager did not start")
	return am
}

// post sends alerts to Alertmanager as Prometheus does.
func (am *alertmanager) post(t *testing.T, alerts ...map[string]any) {
	t.Helper()
	body, err := json.Marshal(alerts)
	require.NoError(t, err)
	resp, err := http.Post(am.url+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Many deliveries at once, for several groups, over the storm cap: each group opens
// one incident until the cap, the rest join one storm incident; none lost, none doubled.
func TestAlertIntakeConcurrentGroupsAndStormCap(t *testing.T) {
	e := newEnv(t)
	viewer := e.user("viewer")
	token := useAlerts(t, map[string]any{"alertstormlimit": 4})
	run := model.NewId()
	const groups, deliveries = 7, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for g := range groups {
		body := alertFixture(t, "alertmanager-firing.json", fmt.Sprintf("-%s-%d", run, g))
		for range deliveries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _ := sendAlert(t, "alertmanager", e.team.Name, token, body)
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	require.Equal(t, map[int]int{http.StatusOK: groups * deliveries}, statuses)
	items := incidentsOf(t, viewer, e.team.Id)
	require.Len(t, items, 4+1, "four incidents (the cap) and the storm")
	var storm *workflowJSON
	for _, w := range items {
		if strings.HasPrefix(w.Title, "Alert storm") {
			storm = w
		}
	}
	require.NotNil(t, storm)
	require.Len(t, eventsOfType(timelineOf(t, viewer, storm.ID), "alert"), groups-4, "each group over the cap posted in the storm once")
	for _, w := range items {
		if w != storm {
			require.Empty(t, eventsOfType(timelineOf(t, viewer, w.ID), "alert"), "the group's repeats added nothing")
		}
	}

	// Grafana's body opens an incident too, titled from its labels.
	require.NoError(t, srv.SetPluginSettings(map[string]any{"alertstormlimit": 0}))
	require.Eventually(t, func() bool {
		status, res := sendAlert(t, "grafana", e.team.Name, token, alertFixture(t, "grafana-firing.json", run))
		return status == http.StatusOK && res.Incident != nil && res.Incident.Opened && !res.Storm
	}, 10*time.Second, 200*time.Millisecond)
	found := false
	for _, w := range incidentsOf(t, viewer, e.team.Id) {
		found = found || w.Title == "High memory usage (team=blue)" && w.Severity == "sev2"
	}
	require.True(t, found, "Grafana's notification opened its incident with the default severity")
}

// Two servers on one database: deliveries of the same groups split across them open
// one incident per group, and the storm cap counts the opens of both.
func TestAlertsOnTwoNodes(t *testing.T) {
	node := startSecondNode(t)
	e := newEnv(t)
	viewer := e.user("viewer")
	token := useAlerts(t, map[string]any{"alertstormlimit": 3})
	setBothNodes(t, node, map[string]any{"alerttoken": token, "alertstormlimit": 3})
	require.Eventually(t, func() bool {
		status, _ := sendAlertTo(t, node.URL, "alertmanager", e.team.Name, token, []byte(`{}`))
		return status == http.StatusBadRequest
	}, 15*time.Second, 50*time.Millisecond, "the second node did not apply the token")

	run := model.NewId()
	const groups, deliveries = 5, 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses, opened := map[int]int{}, map[string]bool{}
	for g := range groups {
		body := alertFixture(t, "alertmanager-firing.json", fmt.Sprintf("-%s-%d", run, g))
		for d := range deliveries {
			base := srv.URL
			if d%2 == 1 {
				base = node.URL
			}
			wg.Go(func() {
				status, res := sendAlertTo(t, base, "alertmanager", e.team.Name, token, body)
				mu.Lock()
				defer mu.Unlock()
				statuses[status]++
				if res.Incident != nil && res.Incident.Opened {
					opened[res.Incident.WorkflowID] = true
				}
			})
		}
	}
	wg.Wait()
	require.Equal(t, map[int]int{http.StatusOK: groups * deliveries}, statuses)
	require.Len(t, opened, 3+1, "three incidents (the cap) and the storm, each answered as opened once")
	require.Len(t, incidentsOf(t, viewer, e.team.Id), 3+1)
}

// An incident the intake opens is led by whoever is on call for the rotation the
// incident template pages at its severity (the operations rotation at sev1), who is
// paged too; with no such rotation nobody leads (TestAlertmanagerOpensDedupsAndResolves).
func TestAlertIncidentLedByOnCall(t *testing.T) {
	e := newEnv(t)
	token := useAlerts(t, nil)
	admin := e.teamAdmin("alertadmin")
	oncall, second := e.user("oncall"), e.user("second")
	e.rotation(admin, map[string]any{"name": "ops-primary", "discipline": "operations", "members": []string{oncall.Username, second.Username}})

	status, res := sendAlert(t, "alertmanager", e.team.Name, token, alertFixture(t, "alertmanager-firing.json", model.NewId()))
	require.Equal(t, http.StatusOK, status)
	require.NotNil(t, res.Incident)
	require.True(t, res.Incident.Opened)
	w := e.workflowOf(oncall, res.Incident.ChannelID)
	require.Equal(t, "sev1", w.Severity)
	require.Equal(t, oncall.Id, w.LeadID, "the first member of the operations rotation is on call and leads")
	first := firstPost(t, admin, res.Incident.ChannelID)
	require.NotContains(t, first.Message, "Nobody leads it yet")
	directFromBot(t, oncall, "SEV1 incident: ")
}
