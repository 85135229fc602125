package app

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseAlertNotification: any body is refused with a message or accepted as a
// notification whose posts are inert and well-formed.
func FuzzParseAlertNotification(f *testing.F) {
	for _, name := range []string{"alertmanager-firing.json", "alertmanager-resolved.json", "grafana-firing.json"} {
		f.Add(AlertSourceAlertmanager, readFixture(f, name))
		f.Add(AlertSourceGrafana, readFixture(f, name))
	}
	f.Add(AlertSourceAlertmanager, []byte(`{"status":"firing","alerts":[{"labels":{"alertname":"@all","x":"www.a.b"}}]}`))
	mention := regexp.MustCompile(`@[\p{L}\p{N}._-]`)
	incident := &Template{Severities: []string{"sev1", "sev2"}, DefaultSeverity: "sev2"}
	mapping, _ := ParseAlertSeverities("")
	f.Fuzz(func(t *testing.T, source string, body []byte) {
		n, err := ParseAlertNotification(source, body)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("not a refusal: %v", err)
			}
			return
		}
		if len(n.Alerts) == 0 || n.Status != AlertFiring && n.Status != AlertResolved {
			t.Fatalf("accepted without alerts or status: %+v", n)
		}
		for _, a := range n.Alerts {
			if !fingerprintRE.MatchString(a.Fingerprint) {
				t.Fatalf("fingerprint %q", a.Fingerprint)
			}
		}
		title := n.IncidentTitle()
		if title == "" || utf8.RuneCountInString(title) > MaxTitleRunes || !utf8.ValidString(title) {
			t.Fatalf("title %q", title)
		}
		if sev := n.incidentSeverity(mapping, incident); sev != "sev1" && sev != "sev2" {
			t.Fatalf("severity %q", sev)
		}
		for _, first := range []bool{true, false} {
			table := n.table(first)
			if m := mention.FindString(table); m != "" {
				t.Fatalf("a live mention %q in %q", m, table)
			}
			for _, line := range strings.Split(table, "\n") {
				if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 6 {
					t.Fatalf("a row with a broken cell: %q", line)
				}
			}
		}
		if len(n.groupHash()) != 64 {
			t.Fatal("group hash")
		}
	})
}

// FuzzParseGateRequest: refused with a message, or clean fields.
func FuzzParseGateRequest(f *testing.F) {
	f.Add([]byte(`{"service":"checkout","version":"2.4.0","environment":"production"}`))
	f.Add([]byte(`{"workflow_id":"abcdefghijklmnopqrstuvwxyz","service":"a","version":"1","environment":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseGateRequest(body)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("not a refusal: %v", err)
			}
			return
		}
		if req.Service == "" || req.Version == "" || req.Environment == "" || req.Environment != strings.ToLower(req.Environment) {
			t.Fatalf("accepted %+v", req)
		}
	})
}
