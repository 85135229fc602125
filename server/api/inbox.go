package api

import (
	"net/http"
)

// myTodo: GET /me/todo?team_id= — what waits for the caller in the team (app.Inbox).
func (h *handler) myTodo(w http.ResponseWriter, r *http.Request) {
	teamID := r.URL.Query().Get("team_id")
	in, err := h.svc.Inbox(r.Context(), userID(r), teamID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// digestJSON is the daily digest preference, GET and PUT /me/digest.
type digestJSON struct {
	Enabled *bool `json:"enabled"`
}

// getDigest: GET /me/digest → {"enabled": true|false}.
func (h *handler) getDigest(w http.ResponseWriter, r *http.Request) {
	on, err := h.svc.DigestOn(r.Context(), userID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, digestJSON{Enabled: &on})
}

// setDigest: PUT /me/digest {"enabled": false} turns the caller's daily digest off.
func (h *handler) setDigest(w http.ResponseWriter, r *http.Request) {
	var body digestJSON
	if !decode(w, r, &body) {
		return
	}
	if body.Enabled == nil {
		writeError(w, http.StatusBadRequest, `enabled is required: {"enabled": true|false}`)
		return
	}
	if err := h.svc.SetDigest(r.Context(), userID(r), *body.Enabled); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}
