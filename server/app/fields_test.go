package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBuiltinTemplatesDeclareValidFields(t *testing.T) {
	ts, err := BuildTemplates("", nil, nil)
	require.NoError(t, err)
	incident, _ := ts.Defined("incident")
	f, ok := incident.Field("cause")
	require.True(t, ok)
	require.Equal(t, FieldSelect, f.Type)
	security, _ := ts.Defined("security")
	_, ok = security.Field("cve")
	require.True(t, ok)
}

func TestBadFieldDefinitionsAreRefusedNamingTheField(t *testing.T) {
	for _, tc := range []struct{ fields, want string }{
		{`[{"key":"Service","name":"S","type":"text"}]`, `template "incident": fields[0].key: "Service"`},
		{`[{"key":"svc","name":"S","type":"text"},{"key":"svc","name":"T","type":"text"}]`, `fields[svc].key: "svc" is declared twice`},
		{`[{"key":"svc","name":" ","type":"text"}]`, `fields[svc].name: must not be empty`},
		{`[{"key":"svc","name":"S","type":"date"}]`, `fields[svc].type: "date": use one of text, number, select, user, url`},
		{`[{"key":"svc","name":"S","type":"select"}]`, `fields[svc].options: a select field needs at least one option`},
		{`[{"key":"svc","name":"S","type":"select","options":["a","A"]}]`, `fields[svc].options: option "A" is given twice`},
		{`[{"key":"svc","name":"S","type":"text","options":["a"]}]`, `fields[svc].options: only a select field has options`},
		{`[{"key":"svc","name":"S","type":"text","required_at":"nowhere"}]`, `fields[svc].required_at: "nowhere" is not a stage`},
		{`[{"key":"svc","name":"S","type":"text","required_at":"triage"}]`, `fields[svc].required_at: "triage" is the first stage`},
		{`[{"key":"svc","name":"S","type":"text","colour":"red"}]`, `unknown field "colour"`},
	} {
		_, err := BuildTemplates(`{"incident":{"fields":`+tc.fields+`}}`, nil, nil)
		require.Error(t, err, tc.fields)
		require.Contains(t, err.Error(), tc.want)
	}
	ts, err := BuildTemplates(`{"incident":{"fields":[{"key":"svc","name":"Service","type":"text","required_at":"mitigated"}]}}`, nil, nil)
	require.NoError(t, err)
	incident, _ := ts.Defined("incident")
	require.Len(t, incident.Fields, 1, "a type's fields are replaced as a whole")
}

func TestFieldValuesAreReadByType(t *testing.T) {
	s := &Service{}
	sel := Field{Key: "cause", Name: "Cause", Type: FieldSelect, Options: []string{"deploy", "Config"}}
	for _, tc := range []struct {
		field    Field
		in, want string
		refused  string
	}{
		{Field{Key: "n", Name: "Count", Type: FieldNumber}, " 1,200.50 ", "1200.5", ""},
		{Field{Key: "n", Name: "Count", Type: FieldNumber}, "-3e2", "-300", ""},
		{Field{Key: "n", Name: "Count", Type: FieldNumber}, "twelve", "", `Count (n) is a number; "twelve" is not one.`},
		{Field{Key: "n", Name: "Count", Type: FieldNumber}, "Inf", "", "is not one"},
		{sel, "config", "Config", ""},
		{sel, "capacity", "", `Cause (cause) is one of deploy, Config; not "capacity".`},
		{Field{Key: "t", Name: "Ticket", Type: FieldURL}, "https://jira.example.com/browse/OPS-1", "https://jira.example.com/browse/OPS-1", ""},
		{Field{Key: "t", Name: "Ticket", Type: FieldURL}, "javascript:alert(1)", "", "starting with http:// or https://"},
		{Field{Key: "t", Name: "Ticket", Type: FieldURL}, "OPS-1", "", "starting with http:// or https://"},
		{Field{Key: "s", Name: "Service", Type: FieldText}, "  checkout\tapi ", "checkout api", ""},
		{Field{Key: "s", Name: "Service", Type: FieldText}, "   ", "", "Give Service (s) a value"},
	} {
		got, err := s.parseFieldValue(tc.field, "team", tc.in)
		if tc.refused != "" {
			require.Error(t, err, tc.in)
			require.Contains(t, err.Error(), tc.refused)
			e, ok := AsError(err)
			require.True(t, ok)
			require.Equal(t, KindInvalid, e.Kind)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got)
	}
}

func TestWeekStartIsMondayUTC(t *testing.T) {
	for _, in := range []string{"2026-12-02T15:04:05Z", "2026-11-30T00:00:00Z", "2026-12-06T23:59:59Z"} {
		require.Equal(t, "2026-11-30T00:00:00Z", weekStart(mustTime(t, in)).Format("2006-01-02T15:04:05Z07:00"), in)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v
}
