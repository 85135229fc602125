package api

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pkg/errors"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

const testSecret = "test-secret-0123456789abcdef"

// testNow is the server clock the parser tests run at.
var testNow = time.Unix(1767225600, 0)

const goodBody = `{"service":"checkout-api","version":"2.4.0","environment":"production","status":"failed"}`

func signedHeader(secret, stamp, body string) http.Header {
	h := http.Header{}
	h.Set(hookTimestampHeader, stamp)
	h.Set(hookSignatureHeader, hookSignaturePrefix+hex.EncodeToString(sign(secret, stamp, []byte(body))))
	return h
}

func TestParseHookRequest(t *testing.T) {
	now := strconv.FormatInt(testNow.Unix(), 10)
	good := signedHeader(testSecret, now, goodBody)
	with := func(edit func(h http.Header)) http.Header {
		h := good.Clone()
		edit(h)
		return h
	}
	upper := with(func(h http.Header) {
		h.Set(hookSignatureHeader, "SHA256="+strings.ToUpper(strings.TrimPrefix(good.Get(hookSignatureHeader), hookSignaturePrefix)))
	})
	cases := []struct {
		name   string
		header http.Header
		event  string
		body   string
		status int    // 0: accepted
		want   string // in the refusal
	}{
		{"good", good, "deploy", goodBody, 0, ""},
		{"upper-case hex", upper, "deploy", goodBody, 0, ""},
		{"4 minutes old", signedHeader(testSecret, strconv.FormatInt(testNow.Add(-4*time.Minute).Unix(), 10), goodBody), "deploy", goodBody, 0, ""},
		{"no headers", http.Header{}, "deploy", goodBody, 401, "Sign the request"},
		{"no signature", with(func(h http.Header) { h.Del(hookSignatureHeader) }), "deploy", goodBody, 401, "Sign the request"},
		{"no timestamp", with(func(h http.Header) { h.Del(hookTimestampHeader) }), "deploy", goodBody, 401, "Sign the request"},
		{"two signatures", with(func(h http.Header) { h.Add(hookSignatureHeader, good.Get(hookSignatureHeader)) }), "deploy", goodBody, 401, "one X-DevOps-Timestamp"},
		{"timestamp not a number", with(func(h http.Header) { h.Set(hookTimestampHeader, "yesterday") }), "deploy", goodBody, 401, "unix seconds"},
		{"signed timestamp with sign", signedHeader(testSecret, "+"+now, goodBody), "deploy", goodBody, 401, "unix seconds"},
		{"timestamp in milliseconds", signedHeader(testSecret, now+"000", goodBody), "deploy", goodBody, 401, "unix seconds"},
		{"no prefix", with(func(h http.Header) {
			h.Set(hookSignatureHeader, strings.TrimPrefix(good.Get(hookSignatureHeader), hookSignaturePrefix))
		}), "deploy", goodBody, 401, "must start with sha256="},
		{"not hex", with(func(h http.Header) { h.Set(hookSignatureHeader, "sha256=zz") }), "deploy", goodBody, 401, "64 hex digits"},
		{"short", with(func(h http.Header) { h.Set(hookSignatureHeader, "sha256=abcd") }), "deploy", goodBody, 401, "64 hex digits"},
		{"other secret", signedHeader("another-secret-0123456789", now, goodBody), "deploy", goodBody, 401, "does not match"},
		{"body changed", good, "deploy", strings.Replace(goodBody, "failed", "succeeded", 1), 401, "does not match"},
		{"timestamp changed", with(func(h http.Header) { h.Set(hookTimestampHeader, strconv.FormatInt(testNow.Unix()+1, 10)) }), "deploy", goodBody, 401, "does not match"},
		{"stale", signedHeader(testSecret, strconv.FormatInt(testNow.Add(-6*time.Minute).Unix(), 10), goodBody), "deploy", goodBody, 401, "6m0s off the server's clock"},
		{"future", signedHeader(testSecret, strconv.FormatInt(testNow.Add(6*time.Minute).Unix(), 10), goodBody), "deploy", goodBody, 401, "-6m0s off"},
		{"unknown event, signed", good, "rollback", goodBody, 404, "Unknown event"},
		{"bad JSON, signed", signedHeader(testSecret, now, `{"service":`), "deploy", `{"service":`, 400, "Invalid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := parseHookRequest(testSecret, testNow, c.event, c.header, []byte(c.body))
			if c.status == 0 {
				require.NoError(t, err)
				require.Equal(t, hex.EncodeToString(sign(testSecret, c.header.Get(hookTimestampHeader), []byte(c.body))), d.Signature,
					"the replay key is the MAC itself, however its hex was spelled")
				return
			}
			require.Error(t, err)
			status, msg := refusalOf(t, err)
			require.Equal(t, c.status, status)
			require.Contains(t, msg, c.want)
		})
	}
}

// refusalOf returns the status and message a refused request gets.
func refusalOf(t *testing.T, err error) (int, string) {
	t.Helper()
	var r *hookRefusal
	if errors.As(err, &r) {
		return r.status, r.message
	}
	e, ok := app.AsError(err)
	require.True(t, ok, "a refusal, not an internal error: %v", err)
	return map[app.Kind]int{app.KindInvalid: 400, app.KindNotFound: 404}[e.Kind], e.Message
}
