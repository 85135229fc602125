package api

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// The alert intake: POST /api/v1/hooks/alertmanager?team=<name> and
// /api/v1/hooks/grafana?team=<name>. Alertmanager and Grafana cannot sign a body;
// they send a fixed bearer token (the Alert intake token setting).
//
// alertMaxBody bounds a notification. It is larger than a CI/CD event's limit because
// a sender puts every alert of a group in one body (Alertmanager's max_alerts, 0 by
// default, means all): at ~0.5–1 KB an alert, 512 KiB holds several hundred, and a
// refused body is retried by the sender for ever.
const alertMaxBody = 512 << 10

// alerts serves both senders; source is the path's last word.
func (h *handler) alerts(source string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := h.svc.Settings().AlertToken
		if !hookOpen(w, r, token != "") {
			return
		}
		if !bearerMatches(r.Header.Values("Authorization"), token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="devops-channels alert intake"`)
			writeError(w, http.StatusUnauthorized, "Send the Alert intake token: Authorization: Bearer <token> (http_config.authorization.credentials in Alertmanager's webhook_config; the contact point's Authorization header credentials in Grafana).")
			return
		}
		team := r.URL.Query().Get("team")
		if strings.TrimSpace(team) == "" {
			writeError(w, http.StatusBadRequest, "Name the team: ?team=<team name> (the name in its URL).")
			return
		}
		body, ok := readHookBody(w, r, alertMaxBody)
		if !ok {
			return
		}
		n, err := app.ParseAlertNotification(source, body)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		res, err := h.svc.ReceiveAlerts(r.Context(), team, n)
		if errors.Is(err, app.ErrAlertGroupBusy) {
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, err.Error())
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

// bearerMatches: exactly one Authorization header, "Bearer <token>" (the scheme in any
// case), compared in constant time.
func bearerMatches(values []string, token string) bool {
	if len(values) != 1 {
		return false
	}
	scheme, got, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1
}

// readHookBody reads a hook's body up to limit bytes: 413 beyond it, 400 when it
// cannot be read. It answers the request itself when it returns false.
func readHookBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		return body, true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", limit))
		return nil, false
	}
	writeError(w, http.StatusBadRequest, "could not read the body")
	return nil, false
}

// gate serves POST /api/v1/hooks/gate: a pipeline asks whether it may deploy. It is
// signed and replay-protected like the CI/CD events (hooks.go). The answer is 200
// when allowed and 423 Locked when not, so `curl --fail-with-body` stops a pipeline.
func (h *handler) gate(w http.ResponseWriter, r *http.Request) {
	secret := h.svc.Settings().WebhookSecret
	if !hookOpen(w, r, secret != "") {
		return
	}
	body, ok := readHookBody(w, r, hookMaxBody)
	if !ok {
		return
	}
	check, err := parseGateRequest(secret, time.Now(), r.Header, body)
	if err != nil {
		h.failHook(w, r, err)
		return
	}
	res, err := h.svc.CheckGate(r.Context(), *check)
	if err != nil {
		h.failHook(w, r, err)
		return
	}
	status := http.StatusOK
	if !res.Allowed {
		status = http.StatusLocked
	}
	writeJSON(w, status, res)
}

// parseGateRequest authenticates a gate check and reads it; pure, like parseHookRequest.
func parseGateRequest(secret string, now time.Time, header http.Header, body []byte) (*app.GateDelivery, error) {
	mac, signedAt, err := authenticate(secret, now, header, body)
	if err != nil {
		return nil, err
	}
	req, err := app.ParseGateRequest(body)
	if err != nil {
		return nil, err
	}
	return &app.GateDelivery{Request: req, Signature: fmt.Sprintf("%x", mac), SignedAt: signedAt}, nil
}
