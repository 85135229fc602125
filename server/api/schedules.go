package api

import (
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// routeCadence adds the routes of recurring workflows, follow-ups and export.
func (h *handler) routeCadence(m *http.ServeMux) {
	m.HandleFunc("POST /api/v1/schedules", h.createSchedule)
	m.HandleFunc("GET /api/v1/schedules", h.listSchedules)
	m.HandleFunc("PATCH /api/v1/schedules/{id}", h.patchSchedule)
	m.HandleFunc("DELETE /api/v1/schedules/{id}", h.deleteSchedule)
	m.HandleFunc("POST /api/v1/dialog/schedule", h.scheduleDialog)
	m.HandleFunc("GET /api/v1/followups", h.listFollowups)
	m.HandleFunc("GET /api/v1/workflows/{id}/export", h.exportWorkflow)
}

func (h *handler) createSchedule(w http.ResponseWriter, r *http.Request) {
	var req app.ScheduleRequest
	if !decode(w, r, &req) {
		return
	}
	sc, err := h.svc.CreateSchedule(r.Context(), userID(r), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sc)
}

func (h *handler) listSchedules(w http.ResponseWriter, r *http.Request) {
	items, err := h.svc.Schedules(r.Context(), userID(r), r.URL.Query().Get("team_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (h *handler) patchSchedule(w http.ResponseWriter, r *http.Request) {
	var req app.ScheduleRequest
	if !decode(w, r, &req) {
		return
	}
	sc, err := h.svc.UpdateSchedule(r.Context(), userID(r), r.PathValue("id"), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

func (h *handler) deleteSchedule(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteSchedule(r.Context(), userID(r), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// scheduleDialog receives the schedule form.
func (h *handler) scheduleDialog(w http.ResponseWriter, r *http.Request) {
	req, ok := readDialog(w, r)
	if !ok {
		return
	}
	sc, fields, err := h.svc.SubmitScheduleDialog(r.Context(), userID(r), req.TeamId, req.Submission)
	if err != nil {
		h.dialogRefusal(w, r, err)
		return
	}
	if sc != nil {
		h.svc.TellScheduled(userID(r), req.ChannelId, sc)
	}
	writeJSON(w, http.StatusOK, model.SubmitDialogResponse{Errors: fields})
}

func (h *handler) listFollowups(w http.ResponseWriter, r *http.Request) {
	items, err := h.svc.Followups(r.Context(), userID(r), r.URL.Query().Get("team_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// exportWorkflow answers the workflow's postmortem as a markdown file.
func (h *handler) exportWorkflow(w http.ResponseWriter, r *http.Request) {
	exp, err := h.svc.ExportWorkflow(r.Context(), userID(r), r.PathValue("id"), r.URL.Query().Get("format"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exp.Filename+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(exp.Content))
}
