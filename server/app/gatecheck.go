package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Gate checks: a pipeline asks, signed like the CI/CD events, whether it may deploy a
// version of a service to an environment. The answer is the gate of the stage that
// releases to that environment (a stage's `environment`; a template that names none
// is read by stage names: staging, production).

// GateRequest is a gate check's body.
type GateRequest struct {
	WorkflowID  string `json:"workflow_id"`
	Service     string `json:"service"`
	Version     string `json:"version"`
	Environment string `json:"environment"`
}

// GateDelivery is a gate check whose signature the transport verified.
type GateDelivery struct {
	Request   *GateRequest
	Signature string
	SignedAt  time.Time
}

// GateSignoff is one sign-off a gate check names.
type GateSignoff struct {
	Discipline Discipline `json:"discipline"`
	Username   string     `json:"username"`
	At         int64      `json:"at"`
}

// GateResult is the answer: allowed, or what is missing and why.
type GateResult struct {
	Allowed     bool          `json:"allowed"`
	Matched     bool          `json:"matched"`
	WorkflowID  string        `json:"workflow_id,omitempty"`
	ChannelID   string        `json:"channel_id,omitempty"`
	Stage       string        `json:"stage,omitempty"`
	Environment string        `json:"environment"`
	Signoffs    []GateSignoff `json:"signoffs"`
	Missing     []Discipline  `json:"missing"`
	Reason      string        `json:"reason"`
}

// ParseGateRequest reads and checks a gate check's JSON body: unknown fields and
// trailing data are refused, as for the CI/CD events.
func ParseGateRequest(body []byte) (*GateRequest, error) {
	req := &GateRequest{}
	err := decodeOne(body, req, true, func(err error) error {
		switch {
		case errors.Is(err, io.EOF):
			return invalid("The body is empty: send a JSON object with service, version and environment.")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return invalid("Invalid JSON: unknown field %s. Fields: workflow_id, service, version, environment.",
				strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return jsonRefusal(err)
	})
	if err != nil {
		return nil, err
	}
	ev := &WebhookEvent{Event: EventDeploy, WorkflowID: req.WorkflowID, Service: req.Service, Version: req.Version,
		Environment: req.Environment, Status: RunStarted}
	// The same fields as a deploy, with the same rules.
	if err := ev.clean(); err != nil {
		return nil, err
	}
	req.WorkflowID, req.Service, req.Version, req.Environment = ev.WorkflowID, ev.Service, ev.Version, strings.ToLower(ev.Environment)
	return req, nil
}

// CheckGate answers a gate check and records it on the workflow's timeline when its
// answer differs from the previous check of that version and environment (a pipeline
// that polls would otherwise fill it). The signature is spent like a CI/CD event's.
func (s *Service) CheckGate(ctx context.Context, d GateDelivery) (*GateResult, error) {
	req := d.Request
	probe := &WebhookEvent{Event: EventDeploy, WorkflowID: req.WorkflowID, Service: req.Service, Version: req.Version}
	target, err := s.matchWebhook(ctx, probe)
	if err != nil {
		return nil, err
	}
	if err := s.spendSignature(ctx, d.Signature, d.SignedAt); err != nil {
		return nil, err
	}
	res := &GateResult{Environment: req.Environment, Signoffs: []GateSignoff{}, Missing: []Discipline{}}
	if target == nil {
		res.Reason = fmt.Sprintf("No active workflow matches service %s version %s: send workflow_id, put the version in the title of an active release or change, or add the service to the catalog and name it in the title.",
			req.Service, req.Version)
		return res, nil
	}
	res.Matched, res.WorkflowID, res.ChannelID = true, target.ID, target.ChannelID
	tmpl, err := s.templateOf(ctx, target)
	if err != nil {
		return nil, err
	}
	s.judgeGate(res, target, tmpl)
	s.recordGateCheck(ctx, target, req, res)
	return res, nil
}

// judgeGate fills in the answer for a matched workflow.
func (s *Service) judgeGate(res *GateResult, w *Workflow, tmpl *Template) {
	st, ok := environmentStage(tmpl, res.Environment)
	if !ok {
		res.Reason = fmt.Sprintf("No stage of a %s releases to %s (a template stage's environment names it).", strings.ToLower(tmpl.Name), res.Environment)
		return
	}
	res.Stage = st.Name
	if w.Status != StatusActive {
		res.Reason = "The workflow is closed."
		return
	}
	for _, d := range st.Gate {
		signed := false
		for _, so := range w.Signoffs {
			if so.Stage == st.Name && so.Discipline == d {
				res.Signoffs = append(res.Signoffs, GateSignoff{Discipline: d, Username: strings.TrimPrefix(s.mention(so.UserID), "@"), At: so.At})
				signed = true
			}
		}
		if !signed {
			res.Missing = append(res.Missing, d)
		}
	}
	if len(res.Missing) > 0 {
		res.Reason = fmt.Sprintf("The %s gate waits for a sign-off from %s.", st.Name, joinDisciplines(res.Missing, "and"))
		return
	}
	res.Allowed = true
	if len(st.Gate) == 0 {
		res.Reason = fmt.Sprintf("Stage %s has no gate.", st.Name)
	} else {
		res.Reason = fmt.Sprintf("Every discipline of the %s gate has signed.", st.Name)
	}
}

// environmentStage is the stage that releases to env: the one whose environment
// names it, or, in a template whose stages name none (one from before environments),
// the stage of that name.
func environmentStage(tmpl *Template, env string) (Stage, bool) {
	named := false
	for _, st := range tmpl.Stages {
		if st.Environment == env {
			return st, true
		}
		named = named || st.Environment != ""
	}
	if !named {
		return tmpl.Stage(env)
	}
	return Stage{}, false
}

// recordGateCheck adds a gate_check event unless the workflow's last one gave the same
// answer (allowed, or the same disciplines missing) for this version and environment.
func (s *Service) recordGateCheck(ctx context.Context, w *Workflow, req *GateRequest, res *GateResult) {
	answer := "refused"
	if res.Allowed {
		answer = "allowed"
	}
	missing := make([]string, len(res.Missing))
	for i, d := range res.Missing {
		missing[i] = string(d)
	}
	data := map[string]string{"service": req.Service, "version": req.Version, "environment": req.Environment, "stage": res.Stage,
		"answer": answer, "missing": strings.Join(missing, ",")}
	if last, err := s.store.LatestEvent(ctx, w.ID, EventGateCheck); err == nil && last.Data["version"] == data["version"] &&
		last.Data["environment"] == data["environment"] && last.Data["answer"] == answer && last.Data["missing"] == data["missing"] {
		return
	}
	summary := fmt.Sprintf("Gate check %s %s → %s: %s", req.Service, req.Version, req.Environment, answer)
	if len(res.Missing) > 0 {
		summary += " (missing " + joinDisciplines(res.Missing, "and") + ")"
	}
	if err := s.store.AddTimelineEvent(ctx, TimelineEvent{ID: model.NewId(), WorkflowID: w.ID, Type: EventGateCheck, At: time.Now().UnixMilli(),
		ActorID: s.mm.BotID(), Summary: summary, Data: data}); err != nil {
		s.mm.LogError("Gate check: could not record a timeline event", "workflow_id", w.ID, "err", err.Error())
		return
	}
	s.publish(w, ChangeTimeline)
}
