package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestParseWebhookEvent(t *testing.T) {
	ok := `{"service":"checkout-api","version":"2.4.0","environment":"production","status":"failed"}`
	cases := []struct {
		name, event, body string
		kind              Kind   // 0: accepted
		want              string // in the refusal's message
	}{
		{"deploy", "deploy", ok, 0, ""},
		{"build without environment", "build", `{"service":"api","version":"1.0","status":"succeeded"}`, 0, ""},
		{"all fields", "test", `{"workflow_id":"abcdefghijklmnopqrstuvwxyz","service":"api","version":"v1.0","environment":"ci","status":"started",
			"url":"https://ci.example.com/run/1","commit":"0123456789abcdef0123456789abcdef01234567","message":"nightly"}`, 0, ""},
		{"alias success", "deploy", `{"service":"a","version":"1","environment":"prod","status":"success"}`, 0, ""},
		{"unknown event", "rollback", ok, KindNotFound, `Unknown event "rollback"`},
		{"empty event", "", ok, KindNotFound, "Unknown event"},
		{"empty body", "deploy", ``, KindInvalid, "The body is empty"},
		{"not JSON", "deploy", `service=api`, KindInvalid, "Invalid JSON at byte"},
		{"truncated", "deploy", `{"service":"api"`, KindInvalid, "Invalid JSON"},
		{"array", "deploy", `[1,2]`, KindInvalid, "the body must be an object"},
		{"number field", "deploy", `{"service":"api","version":2.4,"environment":"prod","status":"failed"}`, KindInvalid, "version must be a string"},
		{"unknown field", "deploy", `{"service":"api","version":"1","environment":"prod","status":"failed","sevrity":"x"}`, KindInvalid, `unknown field "sevrity"`},
		{"trailing data", "deploy", ok + `{}`, KindInvalid, "one object and nothing after it"},
		{"trailing brace", "deploy", ok + `}`, KindInvalid, "one object and nothing after it"},
		{"null", "deploy", `null`, KindInvalid, "service is required"},
		{"blank service", "deploy", `{"service":" \t ","version":"1","environment":"prod","status":"failed"}`, KindInvalid, "service is required"},
		{"long service", "deploy", `{"service":"` + strings.Repeat("s", 65) + `","version":"1","environment":"prod","status":"failed"}`, KindInvalid, "service is 65 characters long"},
		{"no version", "deploy", `{"service":"api","environment":"prod","status":"failed"}`, KindInvalid, "version is required"},
		{"version with space", "deploy", `{"service":"api","version":"2.4 beta","environment":"prod","status":"failed"}`, KindInvalid, "version must be one word"},
		{"deploy without environment", "deploy", `{"service":"api","version":"1","status":"failed"}`, KindInvalid, "environment is required for a deploy"},
		{"long environment", "deploy", `{"service":"api","version":"1","environment":"` + strings.Repeat("e", 33) + `","status":"failed"}`, KindInvalid, "environment is 33 characters"},
		{"no status", "deploy", `{"service":"api","version":"1","environment":"prod"}`, KindInvalid, "status is required"},
		{"bad status", "deploy", `{"service":"api","version":"1","environment":"prod","status":"cancelled"}`, KindInvalid, `status "cancelled" is not`},
		{"bad workflow id", "deploy", `{"workflow_id":"x","service":"api","version":"1","environment":"prod","status":"failed"}`, KindInvalid, "workflow_id is not a workflow id"},
		{"commit with space", "deploy", `{"service":"api","version":"1","environment":"prod","status":"failed","commit":"abc def"}`, KindInvalid, "commit must be"},
		{"commit with backtick", "deploy", "{\"service\":\"api\",\"version\":\"1\",\"environment\":\"prod\",\"status\":\"failed\",\"commit\":\"a`b\"}", KindInvalid, "commit must be"},
		{"javascript url", "deploy", `{"service":"api","version":"1","environment":"prod","status":"failed","url":"javascript:alert(1)"}`, KindInvalid, "absolute http or https URL"},
		{"relative url", "deploy", `{"service":"api","version":"1","environment":"prod","status":"failed","url":"/runs/1"}`, KindInvalid, "absolute http or https URL"},
		{"url with password", "deploy", `{"service":"api","version":"1","environment":"prod","status":"failed","url":"https://u:p@ci.example.com/"}`, KindInvalid, "user name or password"},
		{"long message", "deploy", `{"service":"api","version":"1","environment":"prod","status":"failed","message":"` + strings.Repeat("m", 1001) + `"}`, KindInvalid, "message is 1001 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := ParseWebhookEvent(c.event, []byte(c.body))
			if c.kind == 0 {
				require.NoError(t, err)
				require.Equal(t, c.event, ev.Event)
				return
			}
			e, ok := AsError(err)
			require.True(t, ok, "want a refusal, got %v", err)
			require.Equal(t, c.kind, e.Kind)
			require.Contains(t, e.Message, c.want)
		})
	}
}

func TestParseWebhookEventCleans(t *testing.T) {
	ev, err := ParseWebhookEvent("deploy", []byte(`{"service":" checkout\u0000-api\n","version":"v2.4.0","environment":"Production",
		"status":" FAILURE ","message":" line one\n","url":"https://ci.example.com/a b/(x)?q=<y>#z"}`))
	require.NoError(t, err)
	require.Equal(t, "checkout-api", ev.Service)
	require.Equal(t, RunFailed, ev.Status)
	require.Equal(t, "line one", ev.Message, "a trailing newline is no line break")
	require.Equal(t, "https://ci.example.com/a%20b/%28x%29?q=%3Cy%3E#z", ev.URL)

	// A message is one line, as the README says: a break inside it is refused, not flattened.
	for _, msg := range []string{`line one\nline two`, `one\r\ntwo`, `one\u2028two`} {
		_, err := ParseWebhookEvent("deploy", []byte(`{"service":"api","version":"1","environment":"prod","status":"failed","message":"`+msg+`"}`))
		e, ok := AsError(err)
		require.True(t, ok, msg)
		require.Equal(t, KindInvalid, e.Kind)
		require.Contains(t, e.Message, "message must be one line")
	}
}

func TestWebhookHeadlineIsInert(t *testing.T) {
	ev, err := ParseWebhookEvent("deploy", []byte(`{"service":"@all **api** [x](http://evil)","version":"1.0_@here","environment":"<!channel>",
		"status":"failed","url":"https://ci.example.com/run)](http://evil","commit":"0123456789abcdef0123456789abcdef01234567","message":"@channel ~town-square #tag"}`))
	require.NoError(t, err)
	h := ev.headline()
	require.NotRegexp(t, regexp.MustCompile(`@[\p{L}\p{N}]`), h, "no mention survives")
	require.Equal(t, 1, strings.Count(h, "]("), "one link: the details")
	require.Contains(t, h, "[details](https://ci.example.com/run%29]%28http://evil)")
	require.Contains(t, h, "commit `0123456789ab`")
	require.Contains(t, h, "🚀 Deploy **@\u200ball \\*\\*api\\*\\* \\[x\\]\\(http\u200b:\u200b//evil\\)**")
	require.Equal(t, "Failed deploy: @all **api** [x](http://evil) 1.0_@here to <!channel>", ev.incidentTitle())
	require.LessOrEqual(t, utf8.RuneCountInString((&WebhookEvent{Service: strings.Repeat("s", maxServiceRunes),
		Version: strings.Repeat("v", maxVersionRunes), Environment: strings.Repeat("e", maxEnvironmentRunes)}).incidentTitle()), MaxTitleRunes)
}

func TestContainsWord(t *testing.T) {
	cases := []struct {
		s, word string
		allowV  bool
		want    bool
	}{
		{"Release 2.4.0", "2.4.0", true, true},
		{"Release v2.4.0", "2.4.0", true, true},
		{"Release V2.4.0.", "2.4.0", true, true},
		{"Release (2.4.0)", "2.4.0", true, true},
		{"Release 2.4.0-rc1", "2.4.0", true, false},
		{"Release 2.4.0-rc1", "2.4.0-rc1", true, true},
		{"Release 2.4.0.1", "2.4.0", true, false},
		{"Release 12.4.0", "2.4.0", true, false},
		{"Release 2.4", "2.4.0", true, false},
		{"Release 2.4.0", "2.4", true, false},
		{"Release dev2.4.0", "2.4.0", true, false},
		{"Release v2.4.0", "2.4.0", false, false},
		{"Roll out 3.1 and 3.1.2", "3.1.2", true, true},
		{"Failed deploy: checkout-api 2.4.0 to production", "checkout-api", false, true},
		{"Failed deploy: Checkout-API 2.4.0", "checkout-api", false, true},
		{"checkout-api-v2 is down", "checkout-api", false, false},
		{"eu-checkout-api is down", "checkout-api", false, false},
		{"api-gateway errors", "api", false, false},
		{"Errors in the API.", "api", false, true},
		{"Über-dienst fällt aus", "dienst", false, false},
		{"Payment service: errors", "payment service", false, true},
		{"", "api", false, false},
		{"api", "", false, false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, containsWord(c.s, c.word, c.allowV), "%q in %q", c.word, c.s)
	}
}

func FuzzParseWebhookEvent(f *testing.F) {
	f.Add("deploy", []byte(`{"service":"api","version":"1.0","environment":"production","status":"failed","url":"https://ci/x","commit":"abc"}`))
	f.Add("build", []byte(`{"service":"@all","version":"v1","status":"success","message":"[x](y)"}`))
	f.Add("test", []byte(`null`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		ev, err := ParseWebhookEvent(event, body)
		if err != nil {
			_, ok := AsError(err)
			require.True(t, ok, "a bad event is a refusal, not an internal error: %v", err)
			return
		}
		requireCleanEvent(t, ev)
	})
}

// requireCleanEvent checks what every accepted event guarantees, and that its post
// mentions no one and links only to its URL.
func requireCleanEvent(t *testing.T, ev *WebhookEvent) {
	t.Helper()
	require.Contains(t, []string{EventDeploy, EventBuild, EventTest}, ev.Event)
	require.Contains(t, []string{RunStarted, RunSucceeded, RunFailed}, ev.Status)
	require.NotEmpty(t, ev.Service)
	require.NotEmpty(t, ev.Version)
	require.NotContains(t, ev.Version, " ")
	for _, s := range []string{ev.Service, ev.Version, ev.Environment, ev.Commit, ev.Message, ev.URL} {
		require.True(t, utf8.ValidString(s))
		require.Equal(t, cleanText(s), s, "fields are clean one-line text")
	}
	require.LessOrEqual(t, utf8.RuneCountInString(ev.incidentTitle()), MaxTitleRunes)
	h := ev.headline()
	require.NotRegexp(t, `@[\p{L}\p{N}._-]`, h)
	require.LessOrEqual(t, strings.Count(h, "]("), 1, "at most the one details link")
	if ev.URL != "" {
		require.NotContains(t, ev.URL, ")")
		require.NotContains(t, ev.URL, " ")
	}
}

// lockOnlyPlatform is a Platform whose cluster lock is free; nothing else is called.
type lockOnlyPlatform struct{ Platform }

func (lockOnlyPlatform) Lock(context.Context, string) (func(), error) { return func() {}, nil }

// noIncidentsStore is a Store with no active incidents; nothing else is called.
type noIncidentsStore struct{ Store }

func (noIncidentsStore) ActiveWorkflowsByTitle(context.Context, TitleMatch) ([]*Workflow, error) {
	return nil, nil
}

// A burst of failed deploys of distinct services opens its incidents a few at a time,
// so people's commands keep connections and Mattermost's attention meanwhile.
func TestIncidentsOpenAFewAtATime(t *testing.T) {
	s := NewService(noIncidentsStore{}, lockOnlyPlatform{}, nil, NewBackground(&panicLog{}))
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for i := range 3 * incidentStartsAtOnce {
		wg.Go(func() {
			res, err := s.openIncidentOnce(context.Background(), "team", fmt.Sprint("service-", i), func() (*Workflow, error) {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
				running.Add(-1)
				return &Workflow{ID: fmt.Sprint("w", i)}, nil
			})
			require.NoError(t, err)
			require.True(t, res.Opened)
		})
	}
	wg.Wait()
	require.Equal(t, int32(incidentStartsAtOnce), most.Load())

	// A caller that gives up while waiting for a turn is told so.
	for range incidentStartsAtOnce {
		s.incidentStarts <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.openIncidentOnce(ctx, "team", "late", func() (*Workflow, error) { t.Fatal("started without a turn"); return nil, nil })
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
