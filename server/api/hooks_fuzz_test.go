package api

import (
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// FuzzHookRequest feeds the webhook's request parser arbitrary events, headers and
// bodies, signed or not (the corpus is in testdata/fuzz/FuzzHookRequest). It must
// never panic, refuse with 400, 401 or 404 only, and accept only a request whose
// signature is genuine and fresh, with an event whose fields are clean.
func FuzzHookRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, event, stamp, signature string, body []byte, signIt bool) {
		header := http.Header{}
		if stamp != "" {
			header.Set(hookTimestampHeader, stamp)
		}
		if signIt {
			signature = hookSignaturePrefix + hex.EncodeToString(sign(testSecret, strings.TrimSpace(stamp), body))
		}
		if signature != "" {
			header.Set(hookSignatureHeader, signature)
		}
		d, err := parseHookRequest(testSecret, testNow, event, header, body)
		if err != nil {
			status, msg := refusalOf(t, err)
			require.Contains(t, []int{400, 401, 404}, status)
			require.NotEmpty(t, msg)
			require.True(t, utf8.ValidString(msg), "messages are text: %q", msg)
			return
		}
		mac, err := hex.DecodeString(d.Signature)
		require.NoError(t, err)
		require.True(t, hmac.Equal(mac, sign(testSecret, strings.TrimSpace(stamp), body)), "accepted only when genuinely signed")
		require.LessOrEqual(t, testNow.Sub(d.SignedAt).Abs(), 5*time.Minute)
		ev := d.Event
		require.Equal(t, event, ev.Event)
		require.Contains(t, []string{"started", "succeeded", "failed"}, ev.Status)
		require.NotEmpty(t, ev.Service)
		require.NotEmpty(t, ev.Version)
		for _, s := range []string{ev.Service, ev.Version, ev.Environment, ev.Commit, ev.Message, ev.URL} {
			require.True(t, utf8.ValidString(s))
			require.False(t, strings.ContainsAny(s, "\n\r\x00"), "one line: %q", s)
		}
	})
}
