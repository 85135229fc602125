package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (h *handler) templates(w http.ResponseWriter, r *http.Request) {
	items, err := h.svc.Templates(r.Context(), userID(r), r.URL.Query().Get("team_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page[app.TemplateSummary]{Items: items})
}

func (h *handler) listWorkflows(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	perPage := 0
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "per_page must be a positive number")
			return
		}
		perPage = n
	}
	mine, err := parseBool(q.Get("mine"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "mine must be true or false")
		return
	}
	outdated, err := parseBool(q.Get("outdated"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "outdated must be true or false")
		return
	}
	items, next, err := h.svc.List(r.Context(), userID(r), app.ListFilter{
		TeamID: q.Get("team_id"), Type: strings.ToLower(q.Get("type")), Status: q.Get("status"),
		ChannelID: q.Get("channel_id"), Mine: mine, Outdated: outdated, Query: q.Get("q"), Cursor: q.Get("cursor"), PerPage: perPage,
		Fields: fieldParams(q),
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if items == nil {
		items = []*app.Workflow{}
	}
	writeJSON(w, http.StatusOK, page[*app.Workflow]{Items: items, NextCursor: next})
}

func parseBool(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	return strconv.ParseBool(s)
}

func (h *handler) startWorkflow(w http.ResponseWriter, r *http.Request) {
	var req app.StartRequest
	if !decode(w, r, &req) {
		return
	}
	wf, err := h.svc.Start(r.Context(), userID(r), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeView(w, r, http.StatusCreated, wf)
}

func (h *handler) getWorkflow(w http.ResponseWriter, r *http.Request) {
	wf, err := h.svc.Get(r.Context(), userID(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeView(w, r, http.StatusOK, wf)
}

// writeView answers with the workflow, its template and the caller's permissions.
func (h *handler) writeView(w http.ResponseWriter, r *http.Request, status int, wf *app.Workflow) {
	v, err := h.svc.View(r.Context(), userID(r), wf)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// mutation handles the POST /workflows/{id}/<action> routes: decode, call, answer
// with the workflow as it now is.
func mutation[T any](h *handler, call func(h *handler, r *http.Request, id string, body *T) (*app.Workflow, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body T
		// The server's plugin bridge does not always pass Content-Length, so an empty
		// body is recognised by reading it, not by the header.
		if !decodeOptional(w, r, &body) {
			return
		}
		wf, err := call(h, r, r.PathValue("id"), &body)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.writeView(w, r, http.StatusOK, wf)
	}
}

type stageBody struct {
	Stage string `json:"stage"`
}

type signoffBody struct {
	Stage string `json:"stage"`
	Note  string `json:"note"`
}

type roleBody struct {
	Role     string `json:"role"`
	Username string `json:"username"`
	UserID   string `json:"user_id"`
}

type closeBody struct {
	Summary string `json:"summary"`
}

type empty struct{}

func (h *handler) changeStage(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *stageBody) (*app.Workflow, error) {
		return h.svc.ChangeStage(r.Context(), userID(r), id, b.Stage)
	})(w, r)
}

func (h *handler) signoff(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *signoffBody) (*app.Workflow, error) {
		return h.svc.Signoff(r.Context(), userID(r), id, b.Stage, b.Note)
	})(w, r)
}

func (h *handler) assignRole(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *roleBody) (*app.Workflow, error) {
		username := b.Username
		if username == "" && b.UserID != "" {
			// UsernameOf says "someone" for an unknown id: never a username to look up.
			if username = h.svc.UsernameOf(b.UserID); !strings.HasPrefix(username, "@") {
				return nil, &app.Error{Kind: app.KindInvalid, Message: "No user with that user_id."}
			}
		}
		return h.svc.AssignRole(r.Context(), userID(r), id, b.Role, username)
	})(w, r)
}

func (h *handler) closeWorkflow(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, b *closeBody) (*app.Workflow, error) {
		return h.svc.Close(r.Context(), userID(r), id, b.Summary)
	})(w, r)
}

func (h *handler) reopenWorkflow(w http.ResponseWriter, r *http.Request) {
	mutation(h, func(h *handler, r *http.Request, id string, _ *empty) (*app.Workflow, error) {
		return h.svc.Reopen(r.Context(), userID(r), id)
	})(w, r)
}

func (h *handler) timeline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	items, next, err := h.svc.Timeline(r.Context(), userID(r), r.PathValue("id"), q.Get("cursor"), perPage, q.Get("order") == "desc")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if items == nil {
		items = []app.TimelineEvent{}
	}
	writeJSON(w, http.StatusOK, page[app.TimelineEvent]{Items: items, NextCursor: next})
}

// autocompleteStages lists the stages of the channel's workflow for the command's
// dynamic list — gatedOnly: the gated stages still ahead, which a sign-off is for; a
// workflow the user cannot see yields nothing.
func (h *handler) autocompleteStages(gatedOnly bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h.listStages(w, r, gatedOnly) }
}

func (h *handler) listStages(w http.ResponseWriter, r *http.Request, gatedOnly bool) {
	wf, err := h.svc.GetByChannel(r.Context(), userID(r), r.URL.Query().Get("channel_id"))
	if err != nil {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	v, err := h.svc.View(r.Context(), userID(r), wf)
	if err != nil {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	items := []model.AutocompleteListItem{}
	if !gatedOnly {
		items = append(items, model.AutocompleteListItem{Item: "next", HelpText: "the stage after " + wf.Stage})
	}
	cur := v.Template.StageIndex(wf.Stage)
	for i, st := range v.Template.Stages {
		if gatedOnly && (len(st.Gate) == 0 || i <= cur) || st.Name == wf.Stage {
			continue
		}
		help := ""
		if len(st.Gate) > 0 {
			names := make([]string, len(st.Gate))
			for i, d := range st.Gate {
				names[i] = string(d)
			}
			help = "gate: " + strings.Join(names, " + ")
		}
		items = append(items, model.AutocompleteListItem{Item: st.Name, HelpText: help})
	}
	writeJSON(w, http.StatusOK, items)
}

func (h *handler) autocompleteRoles(w http.ResponseWriter, r *http.Request) {
	items := []model.AutocompleteListItem{}
	if v := h.viewHere(r); v != nil {
		for _, role := range v.Template.Roles {
			help := "unassigned"
			if id := v.Roles[role]; id != "" {
				help = "now " + h.svc.UsernameOf(id)
			}
			items = append(items, model.AutocompleteListItem{Item: role, HelpText: help})
		}
	}
	writeJSON(w, http.StatusOK, items)
}

// startDialog receives the start form.
func (h *handler) startDialog(w http.ResponseWriter, r *http.Request) {
	var req model.SubmitDialogRequest
	dec := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := jsonDecode(dec, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid dialog submission")
		return
	}
	str := func(k string) string { s, _ := req.Submission[k].(string); return s }
	private, _ := req.Submission["private"].(bool)
	_, err := h.svc.Start(r.Context(), userID(r), app.StartRequest{
		TeamID: req.TeamId, Type: str("type"), Title: str("title"), Severity: str("severity"), Private: private,
	})
	if err != nil {
		h.dialogRefusal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, model.SubmitDialogResponse{})
}
