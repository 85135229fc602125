package app

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return raw
}

// The bodies the senders post: captured from Alertmanager 0.25 (Debian's
// prometheus-alertmanager), and Grafana's documented webhook contact point body.
func TestParseAlertNotificationFixtures(t *testing.T) {
	incident := builtinTemplate(t, "incident")
	mapping, err := ParseAlertSeverities("")
	require.NoError(t, err)

	n, err := ParseAlertNotification(AlertSourceAlertmanager, readFixture(t, "alertmanager-firing.json"))
	require.NoError(t, err)
	require.Equal(t, AlertFiring, n.Status)
	require.Len(t, n.Alerts, 2)
	require.Equal(t, "Checkout 5xx above 5%", n.IncidentTitle())
	require.Equal(t, "sev1", n.incidentSeverity(mapping, incident))
	require.Equal(t, `{}:{alertname="HighErrorRate", service="checkout"}`, n.GroupKey)
	require.Equal(t, "29fd2458198d59e6", n.Alerts[0].Fingerprint)
	table := n.table(true)
	require.Contains(t, table, "[source](http://prometheus.local/graph?g0.expr=rate%28http_5xx%5B5m%5D%29)")
	require.Contains(t, table, "instance=checkout-1:9090")
	require.Contains(t, table, "[Open in Alertmanager](http://vm:19112)")

	resolved, err := ParseAlertNotification(AlertSourceAlertmanager, readFixture(t, "alertmanager-resolved.json"))
	require.NoError(t, err)
	require.Equal(t, AlertResolved, resolved.Status)
	require.Equal(t, n.groupHash(), resolved.groupHash(), "the resolved notification is the same group")
	require.NotEqual(t, n.Alerts[0].seen(), resolved.Alerts[0].seen(), "a resolved alert is a new state")

	g, err := ParseAlertNotification(AlertSourceGrafana, readFixture(t, "grafana-firing.json"))
	require.NoError(t, err)
	require.Len(t, g.Alerts, 2)
	// No shared summary and no group labels: the first alert's name and the shared labels.
	require.Equal(t, "High memory usage (team=blue)", g.IncidentTitle())
	require.Equal(t, incident.DefaultSeverity, g.incidentSeverity(mapping, incident), "no severity label: the template's default")
	require.Contains(t, g.table(true), "[silence](https://play.grafana.org/alerting/silence/new?")
	require.NotContains(t, g.table(true), "[dashboard]", "an empty URL field is no link")
	require.NotEqual(t, g.groupHash(), n.groupHash())
}

func builtinTemplate(t testing.TB, typ string) *Template {
	t.Helper()
	ts, err := BuildTemplates("", nil, nil)
	require.NoError(t, err)
	tmpl, ok := ts.Get(typ)
	require.True(t, ok)
	return tmpl
}

func TestParseAlertNotificationRefusals(t *testing.T) {
	ok := `{"status":"firing","alerts":[{"labels":{"alertname":"A"}}]}`
	cases := []struct{ name, source, body, want string }{
		{"unknown source", "nagios", ok, "Unknown alert source"},
		{"empty", AlertSourceAlertmanager, ``, "The body is empty"},
		{"not JSON", AlertSourceAlertmanager, `status=firing`, "Invalid JSON"},
		{"array", AlertSourceAlertmanager, `[]`, "must be"},
		{"trailing", AlertSourceAlertmanager, ok + `{}`, "one object and nothing after it"},
		{"no status", AlertSourceAlertmanager, `{"alerts":[{"labels":{}}]}`, "status must be firing or resolved"},
		{"bad status", AlertSourceGrafana, `{"status":"pending","alerts":[{}]}`, "status must be firing or resolved"},
		{"no alerts", AlertSourceAlertmanager, `{"status":"firing","alerts":[]}`, "alerts is empty"},
		{"bad alert status", AlertSourceAlertmanager, `{"status":"firing","alerts":[{"status":"x"}]}`, "alerts[0].status"},
		{"label not a string", AlertSourceAlertmanager, `{"status":"firing","alerts":[{"labels":{"a":1}}]}`, "must be a string"},
		{"labels not an object", AlertSourceAlertmanager, `{"status":"firing","alerts":[{"labels":[]}]}`, "must be a JSON object"},
		{"bad time", AlertSourceAlertmanager, `{"status":"firing","alerts":[{"startsAt":"yesterday"}]}`, "RFC 3339"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseAlertNotification(c.source, []byte(c.body))
			require.Error(t, err)
			e, isRefusal := AsError(err)
			require.True(t, isRefusal, "%v", err)
			require.Contains(t, e.Message, c.want)
		})
	}
}

// Everything a sender sends is shown inert: no mentions, no markdown, no links but
// the URL fields, and table cells cannot be broken out of.
func TestAlertTableIsInert(t *testing.T) {
	body := `{"status":"firing","receiver":"@channel","externalURL":"javascript:alert(1)","groupKey":"g",
		"commonLabels":{"team":"@all [x](http://evil.example)"},
		"commonAnnotations":{"summary":"@here **boom** | col"},
		"alerts":[{"labels":{"alertname":"A|B","owner":"@sam","url":"www.evil.example"},"annotations":{"summary":"<script>"},
			"generatorURL":"http://ok.example/g?a=(b)","fingerprint":"not a fingerprint!"}]}`
	n, err := ParseAlertNotification(AlertSourceAlertmanager, []byte(body))
	require.NoError(t, err)
	table := n.table(true)
	require.NotRegexp(t, regexp.MustCompile(`@(all|here|channel|sam)`), table)
	require.NotContains(t, table, "](http://evil")
	require.NotContains(t, table, "javascript")
	require.NotContains(t, table, "<script>")
	require.Contains(t, table, "[source](http://ok.example/g?a=%28b%29)")
	require.Contains(t, table, `A\|B`)
	require.Len(t, n.Alerts[0].Fingerprint, 16, "an invalid fingerprint is replaced by one of the labels")
	require.Equal(t, "@here **boom** | col", n.IncidentTitle(), "the title is stored as sent; it is shown through Inline")
}

func TestAlertTableCapsRows(t *testing.T) {
	var alerts []string
	for i := 0; i < maxAlertRows+5; i++ {
		alerts = append(alerts, `{"labels":{"alertname":"A","i":"`+strings.Repeat("x", i+1)+`"}}`)
	}
	n, err := ParseAlertNotification(AlertSourceAlertmanager, []byte(`{"status":"firing","truncatedAlerts":3,"alerts":[`+strings.Join(alerts, ",")+`]}`))
	require.NoError(t, err)
	table := n.table(false)
	require.Contains(t, table, "…and 5 more alerts.")
	require.Contains(t, table, "3 more alerts were left out by the sender")
	require.Equal(t, maxAlertRows+2, strings.Count(table, "\n|"), "header, separator and %d rows", maxAlertRows)
}

func TestAlertSeverities(t *testing.T) {
	incident := builtinTemplate(t, "incident")
	m, err := ParseAlertSeverities("Critical=sev1; page = sev2")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"critical": "sev1", "page": "sev2"}, m)
	for _, bad := range []string{"critical", "=sev1", "a=sev1, a=sev2"} {
		_, err := ParseAlertSeverities(bad)
		require.Error(t, err, bad)
	}
	def, _ := ParseAlertSeverities("")
	mixed := &AlertNotification{CommonLabels: map[string]string{}, Alerts: []Alert{
		{Labels: map[string]string{"severity": "warning"}}, {Labels: map[string]string{"severity": "CRITICAL"}}, {Labels: map[string]string{}},
	}}
	require.Equal(t, "sev1", mixed.incidentSeverity(def, incident), "without a shared label, the most severe alert's")
}

func TestEnvironmentStage(t *testing.T) {
	release := builtinTemplate(t, "release")
	st, ok := environmentStage(release, "production")
	require.True(t, ok)
	require.Equal(t, "production", st.Name)
	st, ok = environmentStage(release, "staging")
	require.True(t, ok)
	require.Equal(t, "staging", st.Name)
	_, ok = environmentStage(release, "qa")
	require.False(t, ok, "a template that names environments is read by them only")
	change := builtinTemplate(t, "change")
	st, ok = environmentStage(change, "production")
	require.True(t, ok)
	require.Equal(t, "rollout", st.Name)
	old := &Template{Stages: []Stage{{Name: "build"}, {Name: "production", Gate: []Discipline{QA}}}}
	st, ok = environmentStage(old, "production")
	require.True(t, ok, "a template from before environments: by stage name")
	require.Equal(t, []Discipline{QA}, st.Gate)
}

func TestParseGateRequest(t *testing.T) {
	req, err := ParseGateRequest([]byte(`{"service":"checkout","version":"v2.4.0","environment":"Production"}`))
	require.NoError(t, err)
	require.Equal(t, "production", req.Environment)
	for body, want := range map[string]string{
		`{"service":"checkout","version":"1"}`:                                "environment is required",
		`{"service":"checkout","version":"1","environment":"p","status":"x"}`: "unknown field",
		`{"version":"1","environment":"p"}`:                                   "service is required",
		``:                                                                    "The body is empty",
	} {
		_, err := ParseGateRequest([]byte(body))
		require.Error(t, err, body)
		require.Contains(t, err.Error(), want, body)
	}
}

func TestStageEnvironmentIsValidated(t *testing.T) {
	_, err := BuildTemplates(`{"deploy":{"name":"Deploy","channel_pattern":"dep-{seq}","lead_role":"owner","stages":[{"name":"build"},{"name":"ship","environment":"Production"}]}}`, nil, nil)
	require.NoError(t, err, "an environment is lower-cased")
	_, err = BuildTemplates(`{"deploy":{"name":"Deploy","channel_pattern":"dep-{seq}","lead_role":"owner","stages":[{"name":"a","environment":"prod"},{"name":"b","environment":"prod"}]}}`, nil, nil)
	require.ErrorContains(t, err, "already the environment of stage a")
	_, err = BuildTemplates(`{"deploy":{"name":"Deploy","channel_pattern":"dep-{seq}","lead_role":"owner","stages":[{"name":"a"},{"name":"b","environment":"two words"}]}}`, nil, nil)
	require.ErrorContains(t, err, "environment")
}
