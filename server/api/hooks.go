package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// The CI/CD webhook: POST /api/v1/hooks/{deploy|build|test}. CI systems have no
// Mattermost session, so every request proves itself instead: an HMAC-SHA256 with the
// System Console's secret over the timestamp and the raw body, a timestamp close to
// the server's clock, and a signature never seen before.
const (
	hookTimestampHeader = "X-DevOps-Timestamp"
	hookSignatureHeader = "X-DevOps-Signature"
	hookSignaturePrefix = "sha256="
	// hookMaxBody bounds a request body; an event is a few hundred bytes.
	hookMaxBody = 64 << 10
	hooksPath   = "/api/v1/hooks/"
)

// hookRefusal is a request refused before it reaches the service.
type hookRefusal struct {
	status  int
	message string
}

func (r *hookRefusal) Error() string { return r.message }

func unauthorized(format string, args ...any) *hookRefusal {
	return &hookRefusal{status: http.StatusUnauthorized, message: fmt.Sprintf(format, args...)}
}

// webhook serves the CI/CD webhook. It does not go through requireUser: a logged-in
// user's request must be signed like any other.
func (h *handler) webhook(w http.ResponseWriter, r *http.Request) {
	secret := h.svc.Settings().WebhookSecret
	if !hookOpen(w, r, secret != "") {
		return
	}
	body, ok := readHookBody(w, r, hookMaxBody)
	if !ok {
		return
	}
	delivery, err := parseHookRequest(secret, time.Now(), strings.TrimPrefix(r.URL.Path, hooksPath), r.Header, body)
	if err != nil {
		h.failHook(w, r, err)
		return
	}
	res, err := h.svc.ReceiveWebhook(r.Context(), *delivery)
	if err != nil {
		h.failHook(w, r, err)
		return
	}
	status := http.StatusOK
	if !res.Matched {
		status = http.StatusAccepted
	}
	writeJSON(w, status, res)
}

// hookOpen answers a hook request that goes no further: the hook is off (404,
// indistinguishable from a route that does not exist) or the method is not POST.
func hookOpen(w http.ResponseWriter, r *http.Request, on bool) bool {
	if !on {
		writeError(w, http.StatusNotFound, "not found")
		return false
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "use POST")
		return false
	}
	return true
}

func (h *handler) failHook(w http.ResponseWriter, r *http.Request, err error) {
	var refusal *hookRefusal
	switch {
	case errors.As(err, &refusal):
	case errors.Is(err, app.ErrWebhookReplay):
		refusal = unauthorized("%s", app.ErrWebhookReplay.Error())
	default:
		h.fail(w, r, err)
		return
	}
	if refusal.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `HMAC-SHA256 headers="`+hookTimestampHeader+` `+hookSignatureHeader+`"`)
	}
	writeError(w, refusal.status, refusal.message)
}

// parseHookRequest authenticates a request and reads its event. It checks the
// signature before anything else, so an unsigned caller learns nothing but that.
// It is a pure function of its inputs, which is what the fuzz test relies on.
func parseHookRequest(secret string, now time.Time, event string, header http.Header, body []byte) (*app.WebhookDelivery, error) {
	mac, signedAt, err := authenticate(secret, now, header, body)
	if err != nil {
		return nil, err
	}
	ev, err := app.ParseWebhookEvent(event, body)
	if err != nil {
		return nil, err
	}
	return &app.WebhookDelivery{Event: ev, Signature: hex.EncodeToString(mac), SignedAt: signedAt}, nil
}

// authenticate checks the signature and the timestamp and returns the verified MAC
// (the replay key: the decoded bytes, so a signature resent in upper-case hex is the
// same signature).
func authenticate(secret string, now time.Time, header http.Header, body []byte) ([]byte, time.Time, error) {
	stamps, sigs := header.Values(hookTimestampHeader), header.Values(hookSignatureHeader)
	if len(stamps) != 1 || len(sigs) != 1 {
		return nil, time.Time{}, unauthorized("Sign the request: send one %s header (unix seconds) and one %s header (%s<hex HMAC-SHA256 of timestamp + \".\" + body>).",
			hookTimestampHeader, hookSignatureHeader, hookSignaturePrefix)
	}
	stamp := strings.TrimSpace(stamps[0])
	seconds, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil || stamp == "" || stamp[0] < '0' || stamp[0] > '9' || len(stamp) > 12 {
		return nil, time.Time{}, unauthorized("%s must be the time in unix seconds, e.g. %d.", hookTimestampHeader, now.Unix())
	}
	sig := strings.TrimSpace(sigs[0])
	if len(sig) < len(hookSignaturePrefix) || !strings.EqualFold(sig[:len(hookSignaturePrefix)], hookSignaturePrefix) {
		return nil, time.Time{}, unauthorized("%s must start with %s.", hookSignatureHeader, hookSignaturePrefix)
	}
	got, err := hex.DecodeString(sig[len(hookSignaturePrefix):])
	if err != nil || len(got) != sha256.Size {
		return nil, time.Time{}, unauthorized("%s must be %s followed by 64 hex digits.", hookSignatureHeader, hookSignaturePrefix)
	}
	if !hmac.Equal(got, sign(secret, stamp, body)) {
		return nil, time.Time{}, unauthorized("The signature does not match: sign HMAC-SHA256(secret, timestamp + \".\" + body) over the exact bytes sent, with the current secret.")
	}
	signedAt := time.Unix(seconds, 0)
	if skew := now.Sub(signedAt); skew > app.WebhookMaxSkew || skew < -app.WebhookMaxSkew {
		return nil, time.Time{}, unauthorized("The timestamp is %s off the server's clock (limit %s): sign each request when you send it.",
			skew.Round(time.Second), app.WebhookMaxSkew)
	}
	return got, signedAt, nil
}

// sign is the signature of a request: HMAC-SHA256(secret, timestamp + "." + body).
func sign(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
