package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// On call's routes: rotations, who is on call, pages.
func (h *handler) oncallRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /api/v1/rotations", created(h, h.svc.CreateRotation))
	m.HandleFunc("GET /api/v1/rotations", h.listRotations)
	m.HandleFunc("GET /api/v1/rotations/{id}", h.getRotation)
	m.HandleFunc("PATCH /api/v1/rotations/{id}", h.patchRotation)
	m.HandleFunc("DELETE /api/v1/rotations/{id}", h.deleteRotation)
	m.HandleFunc("GET /api/v1/oncall", h.oncall)
	m.HandleFunc("POST /api/v1/pages", created(h, h.svc.Page))
	m.HandleFunc("GET /api/v1/pages/{id}", h.getPage)
	m.HandleFunc("POST /api/v1/pages/{id}/ack", h.ackPage)
}

// created handles a POST that creates something from a JSON body: 201 with it.
func created[Req, Out any](h *handler, create func(ctx context.Context, actorID string, req Req) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if !decode(w, r, &req) {
			return
		}
		out, err := create(r.Context(), userID(r), req)
		h.answer(w, r, http.StatusCreated, out, err)
	}
}

// answer writes v with status, or the error.
func (h *handler) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func (h *handler) listRotations(w http.ResponseWriter, r *http.Request) {
	items, err := h.svc.ListRotations(r.Context(), userID(r), r.URL.Query().Get("team_id"))
	if items == nil {
		items = []*app.RotationView{}
	}
	h.answer(w, r, http.StatusOK, page[*app.RotationView]{Items: items}, err)
}

func (h *handler) getRotation(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.GetRotation(r.Context(), userID(r), "", r.PathValue("id"))
	h.answer(w, r, http.StatusOK, v, err)
}

func (h *handler) patchRotation(w http.ResponseWriter, r *http.Request) {
	var p app.RotationPatch
	if !decode(w, r, &p) {
		return
	}
	v, err := h.svc.UpdateRotation(r.Context(), userID(r), "", r.PathValue("id"), p)
	h.answer(w, r, http.StatusOK, v, err)
}

func (h *handler) deleteRotation(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteRotation(r.Context(), userID(r), "", r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// oncall answers who is on call for the team's rotations (one with ?rotation=), now
// or at ?at= (ms since the epoch): who will be on call then.
func (h *handler) oncall(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var at time.Time
	if v := q.Get("at"); v != "" {
		ms, err := parseMillis(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "at must be a time in milliseconds since the epoch")
			return
		}
		at = time.UnixMilli(ms)
	}
	items, err := h.svc.OnCall(r.Context(), userID(r), q.Get("team_id"), q.Get("rotation"), at)
	h.answer(w, r, http.StatusOK, map[string][]app.OnCall{"items": items}, err)
}

func (h *handler) getPage(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.GetPage(r.Context(), userID(r), r.PathValue("id"))
	h.answer(w, r, http.StatusOK, p, err)
}

func (h *handler) ackPage(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Acknowledge(r.Context(), userID(r), r.PathValue("id"))
	h.answer(w, r, http.StatusOK, p, err)
}

// ackAction is the Acknowledge button of a page's direct message: the pressed post
// comes back redrawn, a refusal is shown to the presser.
func (h *handler) ackAction(w http.ResponseWriter, r *http.Request, req *model.PostActionIntegrationRequest) {
	pageID, _ := req.Context[app.ContextPage].(string)
	updated, err := h.svc.PressAcknowledge(r.Context(), userID(r), pageID, req.PostId)
	resp := model.PostActionIntegrationResponse{Update: updated}
	if err != nil {
		e, ok := app.AsError(err)
		if !ok {
			h.log.LogError("DevOps Channels action failed", "path", r.URL.Path, "user_id", userID(r), "err", err.Error())
			resp.EphemeralText = internalActionError
		} else {
			resp.EphemeralText = e.Message
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

func parseMillis(v string) (int64, error) {
	return strconv.ParseInt(v, 10, 64)
}
