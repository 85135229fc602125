package api

import (
	"net/http"

	"github.com/devopschannels/devops-channels/server/app"
)

// The service catalog's REST door: GET/POST /services, GET/PATCH/DELETE /services/{id}.

func (h *handler) listServices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if name := q.Get("name"); name != "" {
		svc, err := h.svc.ServiceByName(r.Context(), userID(r), q.Get("team_id"), name)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": []*app.CatalogService{svc}})
		return
	}
	items, err := h.svc.ListServices(r.Context(), userID(r), q.Get("team_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (h *handler) addService(w http.ResponseWriter, r *http.Request) {
	var req app.ServiceRequest
	if !decode(w, r, &req) {
		return
	}
	svc, err := h.svc.AddService(r.Context(), userID(r), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, svc)
}

func (h *handler) getService(w http.ResponseWriter, r *http.Request) {
	svc, err := h.svc.GetService(r.Context(), userID(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, svc)
}

func (h *handler) patchService(w http.ResponseWriter, r *http.Request) {
	var req app.ServiceRequest
	if !decode(w, r, &req) {
		return
	}
	svc, err := h.svc.UpdateService(r.Context(), userID(r), r.PathValue("id"), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, svc)
}

func (h *handler) removeService(w http.ResponseWriter, r *http.Request) {
	svc, err := h.svc.RemoveService(r.Context(), userID(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, svc)
}
