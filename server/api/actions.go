package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// internalActionError is a pressed button's answer to a failure that is not the
// presser's.
const internalActionError = "Something went wrong on the server; it has been logged. Please try again."

// action receives a pressed button or a chosen menu option, posted by Mattermost. Its
// context names the workflow (and the task or stage a button is about); the presser
// is the Mattermost-User-ID, and every check is the service's, as for the commands.
// A refusal is shown to the presser alone and changes nothing; after a change the
// pressed post is drawn again from the workflow's new state.
func (h *handler) action(w http.ResponseWriter, r *http.Request) {
	var req model.PostActionIntegrationRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid action request")
		return
	}
	user := userID(r)
	if r.PathValue("action") == app.ActionAck {
		h.ackAction(w, r, &req)
		return
	}
	ctx := h.svc.Press(r.Context(), user, req.PostId)
	str := func(k string) string { v, _ := req.Context[k].(string); return v }
	id := str(app.ContextWorkflow)
	task := func() (int, error) {
		if sel := str(app.ContextSelected); sel != "" {
			return app.ParseTaskNumber(sel)
		}
		n, _ := req.Context[app.ContextTask].(float64)
		return app.ParseTaskNumber(fmt.Sprint(int64(n)))
	}
	var err error
	redraw := true
	switch r.PathValue("action") {
	case app.ActionStageNext:
		_, err = h.svc.NextStageFrom(ctx, user, id, str(app.ContextStage))
	case app.ActionSignoff:
		_, err = h.svc.Signoff(ctx, user, id, str(app.ContextStage), "")
	case app.ActionTaskDone, app.ActionTaskUndo:
		var n int
		if n, err = task(); err == nil {
			_, err = h.svc.SetTaskDone(ctx, user, id, n, r.PathValue("action") == app.ActionTaskDone)
		}
	case app.ActionTaskMine:
		var n int
		if n, err = task(); err == nil {
			_, err = h.svc.AssignTaskToMe(ctx, user, id, n)
		}
	case app.ActionSnooze:
		_, err = h.svc.Snooze(ctx, user, id, str(app.ContextSelected))
	case app.ActionSignoffNote:
		err, redraw = h.svc.OpenDialog(ctx, user, req.TriggerId, app.DialogSignoff, id, str(app.ContextStage)), false
	case app.ActionStatus:
		err, redraw = h.svc.OpenDialog(ctx, user, req.TriggerId, app.DialogStatus, id, ""), false
	case app.ActionTakeLead:
		_, err = h.svc.TakeLead(ctx, user, id)
	case app.ActionClose:
		err, redraw = h.svc.OpenDialog(ctx, user, req.TriggerId, app.DialogClose, id, ""), false
	case app.ActionJoin:
		// A broadcast post is not the workflow's: it stays as it is, for the next reader.
		redraw = false
		var joined *app.Workflow
		if joined, err = h.svc.Join(ctx, user, id); err == nil {
			writeJSON(w, http.StatusOK, model.PostActionIntegrationResponse{EphemeralText: fmt.Sprintf("You joined ~%s.", joined.ChannelName)})
			return
		}
	default:
		writeError(w, http.StatusNotFound, "no such action")
		return
	}
	var resp model.PostActionIntegrationResponse
	if err != nil {
		e, ok := app.AsError(err)
		if !ok {
			h.log.LogError("DevOps Channels action failed", "path", r.URL.Path, "user_id", user, "err", err.Error())
			writeJSON(w, http.StatusOK, model.PostActionIntegrationResponse{EphemeralText: internalActionError})
			return
		}
		resp.EphemeralText = e.Message
		// Only a stale post is drawn again after a refusal (a task someone else
		// finished, a stage passed meanwhile); a changed but unannounced one is too.
		redraw = redraw && (e.Kind == app.KindConflict || e.Kind == app.KindNotPosted)
	}
	if redraw {
		if p, err := h.svc.Redraw(ctx, user, id, req.PostId); err == nil {
			resp.Update = p
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// dialog receives a submitted form about a workflow (its state is the workflow's
// id), posted by Mattermost: fields that are wrong are refused under the field, a
// refused change above the form; either way nothing changes.
func (h *handler) dialog(w http.ResponseWriter, r *http.Request) {
	req, ok := readDialog(w, r)
	if !ok {
		return
	}
	fields, err := h.svc.SubmitDialog(r.Context(), userID(r), r.PathValue("dialog"), req.State, req.Submission)
	if err != nil {
		h.dialogRefusal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, model.SubmitDialogResponse{Errors: fields})
}

// readDialog reads a form's submission; false when it is answered already (a bad
// body, or the form was cancelled).
func readDialog(w http.ResponseWriter, r *http.Request) (*model.SubmitDialogRequest, bool) {
	var req model.SubmitDialogRequest
	if err := jsonDecode(http.MaxBytesReader(w, r.Body, maxBodyBytes), &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid dialog submission")
		return nil, false
	}
	if req.Cancelled {
		writeJSON(w, http.StatusOK, model.SubmitDialogResponse{})
		return nil, false
	}
	return &req, true
}

// dialogRefusal answers a refused form: Mattermost shows the error above it.
func (h *handler) dialogRefusal(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := app.AsError(err); ok {
		writeJSON(w, http.StatusOK, model.SubmitDialogResponse{Error: e.Message})
		return
	}
	h.fail(w, r, err)
}
