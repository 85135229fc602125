package api

import (
	"net/http"
	"strconv"

	"github.com/devopschannels/devops-channels/server/app"
)

type statusBody struct {
	Text string `json:"text"`
}

func (h *handler) postStatus(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *statusBody) (*app.Workflow, error) {
		return h.svc.PostStatus(r.Context(), userID(r), id, b.Text)
	})(w, r)
}

func (h *handler) listTasks(w http.ResponseWriter, r *http.Request) {
	_, tasks, err := h.svc.Tasks(r.Context(), userID(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page[*app.Task]{Items: tasks})
}

func (h *handler) addTask(w http.ResponseWriter, r *http.Request) {
	var req app.TaskRequest
	if !decode(w, r, &req) {
		return
	}
	t, err := h.svc.AddTask(r.Context(), userID(r), r.PathValue("id"), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (h *handler) patchTask(w http.ResponseWriter, r *http.Request) {
	n, err := app.ParseTaskNumber(r.PathValue("number"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body struct {
		Done      *bool    `json:"done"`
		Assignee  string   `json:"assignee"`
		Assignees []string `json:"assignees"`
	}
	if !decode(w, r, &body) {
		return
	}
	var t *app.Task
	assign := body.Assignee != "" || body.Assignees != nil
	switch {
	case body.Done != nil && !assign:
		t, err = h.svc.SetTaskDone(r.Context(), userID(r), r.PathValue("id"), n, *body.Done)
	case body.Done == nil && body.Assignee != "" && body.Assignees == nil:
		t, err = h.svc.AssignTask(r.Context(), userID(r), r.PathValue("id"), n, body.Assignee)
	case body.Done == nil && body.Assignee == "" && body.Assignees != nil:
		t, err = h.svc.AssignTask(r.Context(), userID(r), r.PathValue("id"), n, body.Assignees...)
	default:
		writeError(w, http.StatusBadRequest, `give one change: {"done": true|false}, {"assignee": "username"} or {"assignees": ["username", …]}`)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (h *handler) members(w http.ResponseWriter, r *http.Request) {
	_, people, err := h.svc.Who(r.Context(), userID(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if people == nil {
		people = []app.Person{}
	}
	writeJSON(w, http.StatusOK, page[app.Person]{Items: people})
}

type handoffBody struct {
	Username string `json:"username"`
	Note     string `json:"note"`
}

func (h *handler) handoff(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *handoffBody) (*app.Workflow, error) {
		return h.svc.Handoff(r.Context(), userID(r), id, b.Username, b.Note)
	})(w, r)
}

type snoozeBody struct {
	Duration string `json:"duration"`
}

func (h *handler) snooze(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *snoozeBody) (*app.Workflow, error) {
		return h.svc.Snooze(r.Context(), userID(r), id, b.Duration)
	})(w, r)
}

func (h *handler) stats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	days := 0
	if v := q.Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "days must be a whole number")
			return
		}
		days = n
	}
	stats, err := h.svc.StatsBy(r.Context(), userID(r), q.Get("team_id"), q.Get("type"), days, q.Get("group_by"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if days == 0 {
		days = 30 // the service's default window
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": stats, "days": days})
}

func (h *handler) mySummary(w http.ResponseWriter, r *http.Request) {
	counts, err := h.svc.MySummary(r.Context(), userID(r), r.URL.Query().Get("team_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": counts})
}

type severityBody struct {
	Severity string `json:"severity"`
}

func (h *handler) severity(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *severityBody) (*app.Workflow, error) {
		return h.svc.SetSeverity(r.Context(), userID(r), id, b.Severity)
	})(w, r)
}
