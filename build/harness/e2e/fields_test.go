package e2e

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// fieldsJSON is what GET /workflows/{id} says of a workflow's custom fields.
type fieldsJSON struct {
	Stage       string            `json:"stage"`
	Fields      map[string]string `json:"fields"`
	FieldValues []struct {
		Key        string   `json:"key"`
		Name       string   `json:"name"`
		Type       string   `json:"type"`
		Options    []string `json:"options"`
		RequiredAt string   `json:"required_at"`
		Value      string   `json:"value"`
		Display    string   `json:"display"`
	} `json:"field_values"`
	Permissions struct {
		SetFields bool `json:"set_fields"`
	} `json:"permissions"`
}

func fieldsOf(t *testing.T, m *member, id string) *fieldsJSON {
	t.Helper()
	var v fieldsJSON
	require.Equal(t, http.StatusOK, api(t, m, http.MethodGet, "/api/v1/workflows/"+id, nil, &v))
	return &v
}

// incidentFields declares one field of every type; the service is required to leave triage.
const incidentFields = `{"incident": {"fields": [
	{"key": "service", "name": "Service", "type": "text", "required_at": "investigating"},
	{"key": "impact", "name": "Customers affected", "type": "number"},
	{"key": "cause", "name": "Cause", "type": "select", "options": ["deploy", "config"]},
	{"key": "owner", "name": "Owner", "type": "user"},
	{"key": "ticket", "name": "Ticket", "type": "url"}]}}`

// Custom fields end to end: each type set and cleared by command and by REST, every
// refusal naming the field and changing nothing, a required field blocking its stage
// by command and by button, the list filter, stats grouping and autocomplete.
func TestCustomFields(t *testing.T) {
	setTemplates(t, incidentFields, "")
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	helper := e.user("helper")
	outsider := e.user("outsider")
	w := e.start(lead, "incident Checkout errors with fields --severity sev1")
	other := e.start(lead, "incident Search is slow with fields --severity sev3")

	// Listing the fields, and what each takes.
	requireContains(t, e.run(lead, w.ChannelID, "/devops set").Text, "**Fields:**",
		"Service (`service`, text; required to enter investigating): —", "Cause (`cause`, one of deploy, config): —")

	// A required field blocks its stage, by command and by button, naming how to set it.
	before := fieldsOf(t, lead, w.ID)
	requireContains(t, e.run(lead, w.ChannelID, "/devops stage next").Text,
		"Entering investigating needs the field Service (service). Set it first: `/devops set service <value>`")
	require.Equal(t, before, fieldsOf(t, lead, w.ID), "a refused move changes nothing")
	require.Equal(t, "triage", before.Stage)
	start := offering(t, lead, other.ChannelID, app.ActionStageNext, "")
	e.pressRefused(lead, ephemerals(t, lead), other, start, app.ActionStageNext, "", "Entering investigating needs the field Service (service)")
	var refused apiError
	require.Equal(t, http.StatusConflict, api(t, lead, http.MethodPost, "/api/v1/workflows/"+w.ID+"/stage", map[string]string{"stage": "mitigated"}, &refused))
	requireContains(t, refused.Error, "needs the field Service (service)") // skipping over its stage too

	// Every type set by command, read as its type reads it.
	for _, cmd := range []string{"service checkout-api", "impact 1,200", "cause Config", "owner @" + helper.Username, "ticket https://jira.example.com/browse/OPS-12"} {
		require.Empty(t, e.run(lead, w.ChannelID, "/devops set "+cmd).Text, cmd)
	}
	requireContains(t, lastPost(t, lead, w.ChannelID).Message, "Ticket set to https")
	got := fieldsOf(t, lead, w.ID)
	require.Equal(t, map[string]string{"service": "checkout-api", "impact": "1200", "cause": "config", "owner": helper.Id,
		"ticket": "https://jira.example.com/browse/OPS-12"}, got.Fields)
	require.Equal(t, "@"+helper.Username, got.FieldValues[3].Display)
	require.True(t, got.Permissions.SetFields)
	requireContains(t, e.run(lead, w.ChannelID, "/devops info").Text, "**Fields:**", "Service (`service`, text; required to enter investigating): checkout-api",
		"Customers affected (`impact`, number): 1200", "Owner (`owner`, user): @"+helper.Username, "https://jira.example.com/browse/OPS-12")

	// Refusals name the field and change nothing.
	before = fieldsOf(t, lead, w.ID)
	for cmd, want := range map[string]string{
		"impact lots":          `Customers affected (impact) is a number; "lots" is not one.`,
		"cause capacity":       `Cause (cause) is one of deploy, config; not "capacity".`,
		"owner @nobody-at-all": "Owner (owner) is a person of this team; there is no @nobody-at-all here.",
		"ticket jira/OPS-12":   `Ticket (ticket) is a web link starting with http:// or https://; "jira/OPS-12" is not one.`,
		"ticket ftp://x.org/a": "starting with http:// or https://",
		"colour red":           `This incident has no field "colour". Fields: service, impact, cause, owner, ticket.`,
		"service":              "Usage: `/devops set <field> <value>`",
		"service x --clear":    "`--clear` empties the field",
	} {
		requireContains(t, e.run(lead, w.ChannelID, "/devops set "+cmd).Text, want)
	}
	require.Equal(t, before.Fields, fieldsOf(t, lead, w.ID).Fields)

	// The REST door: numbers as JSON numbers, null clears, all or nothing.
	var v fieldsJSON
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/fields", map[string]any{"impact": 42, "ticket": nil, "owner": nil}, &v))
	require.Equal(t, "42", v.Fields["impact"])
	require.NotContains(t, v.Fields, "ticket")
	require.NotContains(t, v.Fields, "owner")
	for _, body := range []map[string]any{
		{"impact": "many", "service": "changed"}, {"cause": "capacity"}, {"owner": "nobody-at-all"},
		{"ticket": "not a link"}, {"nope": "x"}, {"impact": true}, {},
	} {
		require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/fields", body, &refused), "%v", body)
		require.NotEmpty(t, refused.Error)
	}
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/fields", map[string]any{"impact": "many", "service": "changed"}, &refused))
	requireContains(t, refused.Error, "Customers affected (impact) is a number")
	require.Equal(t, "checkout-api", fieldsOf(t, lead, w.ID).Fields["service"], "a refused patch changes no field")
	require.Equal(t, http.StatusForbidden, api(t, outsider, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/fields", map[string]any{"service": "x"}, &refused))
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPatch, "/api/v1/workflows/"+w.ID+"/fields", map[string]any{"owner": helper.Id}, &v), "the panel's picker sends an id")
	require.Equal(t, helper.Id, v.Fields["owner"])

	// Clearing by command, each clear on the timeline.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops set owner --clear").Text)
	require.NotContains(t, fieldsOf(t, lead, w.ID).Fields, "owner")
	var timeline struct {
		Items []struct {
			Type    string `json:"type"`
			Summary string `json:"summary"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows/"+w.ID+"/timeline", nil, &timeline))
	var changes []string
	for _, ev := range timeline.Items {
		if ev.Type == app.EventFieldChanged {
			changes = append(changes, ev.Summary)
		}
	}
	require.Len(t, changes, 10, "%v", changes)
	requireContains(t, changes[0], "Service set to checkout-api by @"+lead.Username)
	requireContains(t, changes[9], "Owner cleared by @"+lead.Username)

	// Set, the stage opens: by command here, by button on the other workflow.
	require.Empty(t, e.run(lead, w.ChannelID, "/devops stage next").Text)
	require.Equal(t, "investigating", fieldsOf(t, lead, w.ID).Stage)
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodPatch, "/api/v1/workflows/"+other.ID+"/fields", map[string]any{"service": "search", "cause": "deploy"}, &v))
	press(t, lead, start, app.ActionStageNext, "")
	eventually(t, 10*time.Second, func() bool { return fieldsOf(t, lead, other.ID).Stage == "investigating" }, "the button moves the workflow once the field is set")

	// The list filters by a field, by command and by REST.
	listed := shown(t, e.run(lead, e.square.Id, "/devops list field.service=checkout-api"))
	requireContains(t, listed, w.ChannelName, "with the fields asked for")
	require.NotContains(t, listed, other.ChannelName)
	requireContains(t, shown(t, e.run(lead, e.square.Id, "/devops list incident field.cause=DEPLOY")), other.ChannelName)
	requireContains(t, e.run(lead, e.square.Id, "/devops list field.colour=red").Text, `No workflow type has a field "colour"`)
	var page struct {
		Items []workflowJSON `json:"items"`
	}
	q := url.Values{"team_id": {e.team.Id}, "field.cause": {"config"}}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/workflows?"+q.Encode(), nil, &page))
	require.Len(t, page.Items, 1)
	require.Equal(t, w.ID, page.Items[0].ID)
	q.Set("field.cause", "capacity")
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodGet, "/api/v1/workflows?"+q.Encode(), nil, &refused))

	// Stats group by severity and by a select field, not by a text one.
	type groupedStats struct {
		Items []struct {
			Type    string  `json:"type"`
			Group   *string `json:"group"`
			Started int     `json:"started"`
		} `json:"items"`
	}
	groups := func(by string) map[string]int {
		var st groupedStats
		require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/stats?team_id="+e.team.Id+"&group_by="+by, nil, &st))
		out := map[string]int{}
		for _, it := range st.Items {
			require.NotNil(t, it.Group)
			out[it.Type+"/"+*it.Group] = it.Started
		}
		return out
	}
	require.Equal(t, map[string]int{"incident/sev1": 1, "incident/sev3": 1}, groups("severity"))
	require.Equal(t, map[string]int{"incident/config": 1, "incident/deploy": 1}, groups("cause"))
	require.Equal(t, map[string]int{"incident/config": 1, "incident/deploy": 1}, groups("field.cause"))
	require.Equal(t, http.StatusBadRequest, api(t, lead, http.MethodGet, "/api/v1/stats?team_id="+e.team.Id+"&group_by=service", nil, &refused))
	requireContains(t, refused.Error, "Service (service) is a text field")
	requireContains(t, e.run(lead, e.square.Id, "/devops stats incident --by cause").Text, "| Type | cause | Started |", "| incident | config | 1 |")

	// Autocomplete offers the keys, then a select's options.
	require.Subset(t, e.suggestions(lead, w.ChannelID, "/devops set "), []string{"service", "impact", "cause", "owner", "ticket"})
	require.Subset(t, e.suggestions(lead, w.ChannelID, "/devops set cause "), []string{"deploy", "config", "--clear"})
}

// The team view's chart: the median time to close per week for the last 12 weeks,
// per type, computed by the server from workflows closed over several weeks
// (backdated in the database, as the weeks cannot be waited for).
func TestCloseTimesChart(t *testing.T) {
	e := newEnv(t)
	lead := e.withDiscipline("lead", "operations")
	outsider := e.user("outsider")
	db, err := srv.DB()
	require.NoError(t, err)

	now := time.Now().UTC()
	monday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	first := monday.AddDate(0, 0, -7*11)
	closeAt := func(args string, weeksAgo int, took time.Duration) {
		w := e.start(lead, args)
		require.Empty(t, e.run(lead, w.ChannelID, "/devops close").Text)
		closed := monday.AddDate(0, 0, -7*weeksAgo).Add(36 * time.Hour)
		_, err := db.ExecContext(context.Background(), `UPDATE devops_workflows SET created_at = $2, closed_at = $3 WHERE id = $1`,
			w.ID, closed.Add(-took).UnixMilli(), closed.UnixMilli())
		require.NoError(t, err)
	}
	closeAt("incident Chart one", 0, time.Hour)
	closeAt("incident Chart two", 0, 3*time.Hour)
	closeAt("incident Chart three", 0, 8*time.Hour)
	closeAt("incident Chart four", 5, 30*time.Minute)
	closeAt("support Chart five", 11, 48*time.Hour)
	closeAt("support Chart too old", 12, time.Hour)
	e.start(lead, "incident Chart still open")

	var chart struct {
		Weeks  []int64 `json:"weeks"`
		Series []struct {
			Type     string   `json:"type"`
			Name     string   `json:"name"`
			Closed   []int    `json:"closed"`
			MedianMs []*int64 `json:"median_ms"`
		} `json:"series"`
	}
	require.Equal(t, http.StatusOK, api(t, lead, http.MethodGet, "/api/v1/stats/close-times?team_id="+e.team.Id, nil, &chart))
	require.Len(t, chart.Weeks, 12)
	require.Equal(t, first.UnixMilli(), chart.Weeks[0])
	require.Equal(t, monday.UnixMilli(), chart.Weeks[11], "the current week is the last")
	require.Len(t, chart.Series, 2)
	incident, support := chart.Series[0], chart.Series[1]
	require.Equal(t, "incident", incident.Type)
	require.Equal(t, "Incident", incident.Name)
	require.Equal(t, 3, incident.Closed[11])
	require.Equal(t, (3 * time.Hour).Milliseconds(), *incident.MedianMs[11], "the median of 1h, 3h and 8h")
	require.Equal(t, 1, incident.Closed[6])
	require.Equal(t, (30 * time.Minute).Milliseconds(), *incident.MedianMs[6])
	require.Nil(t, incident.MedianMs[0], "a week when none closed has no median")
	require.Equal(t, "support", support.Type)
	require.Equal(t, (48 * time.Hour).Milliseconds(), *support.MedianMs[0])
	total := 0
	for _, s := range chart.Series {
		for _, n := range s.Closed {
			total += n
		}
	}
	require.Equal(t, 5, total, "the one closed 12 weeks ago and the open one are not counted")

	var refused apiError
	other := newEnv(t)
	stranger := other.user("stranger")
	require.Equal(t, http.StatusForbidden, api(t, stranger, http.MethodGet, "/api/v1/stats/close-times?team_id="+e.team.Id, nil, &refused))
	require.Equal(t, http.StatusBadRequest, api(t, outsider, http.MethodGet, "/api/v1/stats/close-times?team_id=nope", nil, &refused))
}
