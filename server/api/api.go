// Package api is the REST door under /plugins/devops-channels/api/v1.
package api

import (
	"encoding/json"
	"net/http"

	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/devopschannels/devops-channels/server/app"
)

// userIDHeader is set by the Mattermost server on requests from logged-in users and
// stripped from anything a client sends; it is the only identity this API trusts.
const userIDHeader = "Mattermost-User-ID"

// maxBodyBytes bounds JSON request bodies.
const maxBodyBytes = 1 << 20

type handler struct {
	svc *app.Service
	log pluginapi.LogService
}

// NewRouter returns the plugin's HTTP handler.
func NewRouter(svc *app.Service, log pluginapi.LogService) http.Handler {
	h := &handler{svc: svc, log: log}
	authed := http.NewServeMux()
	authed.HandleFunc("GET /api/v1/ping", h.ping)

	root := http.NewServeMux()
	root.Handle("/api/v1/", requireUser(authed))
	root.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
	return root
}

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

func (h *handler) ping(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "user_id": r.Header.Get(userIDHeader)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
