// Package api is the REST door under /plugins/devops-channels/api/v1.
package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/command"
)

// userIDHeader is set by the Mattermost server on requests from logged-in users and
// stripped from anything a client sends; it is the only identity this API trusts.
const userIDHeader = "Mattermost-User-ID"

// internalError is the answer to a failure that is not the caller's: the details go
// to the log, not to the client.
const internalError = "internal error; it has been logged"

// maxBodyBytes bounds JSON request bodies.
const maxBodyBytes = 1 << 20

// Logger is where internal errors go.
type Logger = app.Logger

type handler struct {
	svc      *app.Service
	log      Logger
	settings SettingsChecker
}

// NewRouter returns the plugin's HTTP handler.
func NewRouter(svc *app.Service, log Logger, settings SettingsChecker) http.Handler {
	h := &handler{svc: svc, log: log, settings: settings}
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v1/ping", h.ping)
	m.HandleFunc("GET /api/v1/templates", h.templates)
	m.HandleFunc("GET /api/v1/workflows", h.listWorkflows)
	m.HandleFunc("POST /api/v1/workflows", h.startWorkflow)
	m.HandleFunc("GET /api/v1/workflows/{id}", h.getWorkflow)
	m.HandleFunc("POST /api/v1/workflows/{id}/stage", h.changeStage)
	m.HandleFunc("POST /api/v1/workflows/{id}/signoff", h.signoff)
	m.HandleFunc("POST /api/v1/workflows/{id}/roles", h.assignRole)
	m.HandleFunc("POST /api/v1/workflows/{id}/close", h.closeWorkflow)
	m.HandleFunc("POST /api/v1/workflows/{id}/reopen", h.reopenWorkflow)
	m.HandleFunc("GET /api/v1/workflows/{id}/timeline", h.timeline)
	m.HandleFunc("POST /api/v1/workflows/{id}/status", h.postStatus)
	m.HandleFunc("GET /api/v1/workflows/{id}/tasks", h.listTasks)
	m.HandleFunc("POST /api/v1/workflows/{id}/tasks", h.addTask)
	m.HandleFunc("PATCH /api/v1/workflows/{id}/tasks/{number}", h.patchTask)
	m.HandleFunc("GET /api/v1/workflows/{id}/members", h.members)
	m.HandleFunc("POST /api/v1/workflows/{id}/handoff", h.handoff)
	m.HandleFunc("POST /api/v1/workflows/{id}/snooze", h.snooze)
	m.HandleFunc("POST /api/v1/workflows/{id}/severity", h.severity)
	m.HandleFunc("GET /api/v1/stats", h.stats)
	m.HandleFunc("GET /api/v1/me/discipline", h.getDiscipline)
	m.HandleFunc("GET /api/v1/me/summary", h.mySummary)
	m.HandleFunc("PUT /api/v1/me/discipline", h.setDiscipline)
	m.HandleFunc("PUT /api/v1/users/{user_id}/discipline/grant", h.grantDiscipline)
	m.HandleFunc("DELETE /api/v1/users/{user_id}/discipline/grant", h.revokeDiscipline)
	m.HandleFunc("GET /"+command.StagesListPath, h.autocompleteStages(false))
	m.HandleFunc("GET /"+command.GatedStagesListPath, h.autocompleteStages(true))
	m.HandleFunc("GET /"+command.RolesListPath, h.autocompleteRoles)
	m.HandleFunc("POST /api/v1/settings/check", h.checkSettings)
	m.HandleFunc("PATCH /api/v1/workflows/{id}/fields", h.patchFields)
	m.HandleFunc("GET /api/v1/stats/close-times", h.closeTimes)
	m.HandleFunc("GET /"+command.FieldsListPath, h.autocompleteFields)
	m.HandleFunc("GET /"+command.FieldValuesListPath, h.autocompleteFieldValues)
	m.HandleFunc("POST /api/v1/dialog/start", h.startDialog)
	m.HandleFunc("POST "+app.DialogPath("{dialog}"), h.dialog)
	m.HandleFunc("POST "+app.ActionPath("{action}"), h.action)
	h.routeCadence(m)
	m.HandleFunc("GET /api/v1/services", h.listServices)
	m.HandleFunc("POST /api/v1/services", h.addService)
	m.HandleFunc("GET /api/v1/services/{id}", h.getService)
	m.HandleFunc("PATCH /api/v1/services/{id}", h.patchService)
	m.HandleFunc("DELETE /api/v1/services/{id}", h.removeService)
	// The personal inbox (issue 17).
	m.HandleFunc("GET /api/v1/me/todo", h.myTodo)
	m.HandleFunc("GET /api/v1/me/digest", h.getDigest)
	m.HandleFunc("PUT /api/v1/me/digest", h.setDigest)
	h.oncallRoutes(m)

	root := http.NewServeMux()
	root.Handle("/api/v1/", requireUser(jsonMuxErrors(m)))
	root.HandleFunc(hooksPath, h.webhook) // no session: signed with the webhook secret (hooks.go)
	// Alert intake (bearer token) and gate checks (signed), alerts.go.
	root.HandleFunc(hooksPath+app.AlertSourceAlertmanager, h.alerts(app.AlertSourceAlertmanager))
	root.HandleFunc(hooksPath+app.AlertSourceGrafana, h.alerts(app.AlertSourceGrafana))
	root.HandleFunc(hooksPath+"gate", h.gate)
	root.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
	return recoverPanics(log, root)
}

// recoverPanics answers a request whose handler panicked with the API's 500, as for
// any internal error, and logs the panic with its stack; the plugin keeps running.
func recoverPanics(log Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer app.Recover(log, r.Method+" "+r.URL.Path, func() {
			writeError(w, http.StatusInternalServerError, internalError)
		})
		next.ServeHTTP(w, r)
	})
}

// jsonMuxErrors answers what the mux answers by itself — no route (404), a route
// without this method (405) — in the API's JSON, like every other error; the mux's
// own answers are plain text.
func jsonMuxErrors(m *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := m.Handler(r)
		if pattern != "" {
			m.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch {
		case rec.status == http.StatusMethodNotAllowed:
			allow := rec.header.Get("Allow")
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here; use "+allow)
		case rec.status >= 300 && rec.status < 400: // a redirect to the clean path
			w.Header().Set("Location", rec.header.Get("Location"))
			w.WriteHeader(rec.status)
		default:
			writeError(w, http.StatusNotFound, "not found")
		}
	})
}

// statusRecorder keeps the status and headers of an answer and drops its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}

func (s *statusRecorder) WriteHeader(status int) { s.status = status }

// requireUser refuses requests without a Mattermost session.
func requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(userIDHeader) == "" {
			writeError(w, http.StatusUnauthorized, "not authenticated: log in to Mattermost")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func userID(r *http.Request) string {
	return r.Header.Get(userIDHeader)
}

func (h *handler) ping(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "user_id": userID(r)})
}

// decodeOptional is decode for actions whose body may be empty.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) bool {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid body: "+err.Error())
		return false
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return true
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return decode(w, r, v)
}

// decode reads a JSON body strictly: unknown fields and trailing data are errors,
// so a typo is reported instead of silently ignored.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "invalid JSON body: trailing data")
		return false
	}
	return true
}

// fail answers a service error: refusals with their message and status, anything
// else as a logged 500 without internals.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := app.AsError(err); ok {
		status := map[app.Kind]int{
			app.KindInvalid: http.StatusBadRequest, app.KindForbidden: http.StatusForbidden,
			app.KindNotFound: http.StatusNotFound, app.KindConflict: http.StatusConflict,
			// The change is saved and Mattermost, upstream, refused the post announcing
			// it; the message says so, lest the client make the change again.
			app.KindNotPosted: http.StatusBadGateway,
		}[e.Kind]
		writeError(w, status, e.Message)
		return
	}
	h.log.LogError("DevOps Channels API failed", "path", r.URL.Path, "user_id", userID(r), "err", err.Error())
	writeError(w, http.StatusInternalServerError, internalError)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func jsonDecode(r io.Reader, v any) error {
	return json.NewDecoder(r).Decode(v)
}
