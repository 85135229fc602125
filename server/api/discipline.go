package api

import (
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// personDiscipline is a person's discipline as a grant or revocation answers it.
type personDiscipline struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	app.UserDiscipline
}

func (h *handler) getDiscipline(w http.ResponseWriter, r *http.Request) {
	ud, err := h.svc.DisciplineOf(r.Context(), userID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ud)
}

func (h *handler) setDiscipline(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Discipline string `json:"discipline"`
	}
	if !decode(w, r, &body) {
		return
	}
	d, err := h.svc.SetDiscipline(r.Context(), userID(r), body.Discipline)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, app.NewUserDiscipline(d, app.SourceDeclared, "", 0))
}

// grantDiscipline: PUT /users/{user_id}/discipline/grant {"discipline": "qa"}.
func (h *handler) grantDiscipline(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Discipline string `json:"discipline"`
	}
	if !decode(w, r, &body) {
		return
	}
	username, ok := h.usernameOf(w, r)
	if !ok {
		return
	}
	u, ud, err := h.svc.GrantDiscipline(r.Context(), userID(r), username, body.Discipline)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, personDiscipline{UserID: u.Id, Username: u.Username, UserDiscipline: ud})
}

// revokeDiscipline: DELETE /users/{user_id}/discipline/grant; answers the person's
// discipline after the revocation.
func (h *handler) revokeDiscipline(w http.ResponseWriter, r *http.Request) {
	username, ok := h.usernameOf(w, r)
	if !ok {
		return
	}
	u, _, ud, err := h.svc.RevokeDiscipline(r.Context(), userID(r), username)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, personDiscipline{UserID: u.Id, Username: u.Username, UserDiscipline: ud})
}

// usernameOf is the username of the {user_id} in the path, or a 404 answered.
func (h *handler) usernameOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("user_id")
	// UsernameOf says "someone" for an unknown id: never a username to look up.
	name := h.svc.UsernameOf(id)
	if !model.IsValidId(id) || !strings.HasPrefix(name, "@") {
		writeError(w, http.StatusNotFound, "No user with that user_id.")
		return "", false
	}
	return name, true
}
