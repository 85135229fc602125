package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// CI/CD webhook events; each is also the timeline event type it records.
const (
	EventDeploy = "deploy"
	EventBuild  = "build"
	EventTest   = "test"
)

// Statuses a CI/CD event reports.
const (
	RunStarted   = "started"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
)

// WebhookMaxSkew is how far a signed request's timestamp may be from the server's
// clock. A signature stays on record a minute longer than it could pass this check,
// so clocks that differ a little between nodes cannot reopen the replay window.
const WebhookMaxSkew = 5 * time.Minute

// Limits on the fields of a CI/CD event; they keep an auto-incident's title within
// MaxTitleRunes and a post readable.
const (
	maxServiceRunes     = 64
	maxVersionRunes     = 64
	maxEnvironmentRunes = 32
	maxCommitLen        = 64
	maxURLLen           = 2048
	maxMessageRunes     = 1000
)

// webhookTypes are the workflow types an event finds by the version in their title.
var webhookTypes = []string{"release", "change"}

// ErrWebhookReplay is returned for a signature that was already accepted.
var ErrWebhookReplay = errors.New("this signature was already used: sign every request anew (a fresh timestamp)")

// WebhookEvent is one CI/CD report: a deploy, build or test run of a service.
type WebhookEvent struct {
	Event       string `json:"-"`
	WorkflowID  string `json:"workflow_id"`
	Service     string `json:"service"`
	Version     string `json:"version"`
	Environment string `json:"environment"`
	Status      string `json:"status"`
	URL         string `json:"url"`
	Commit      string `json:"commit"`
	Message     string `json:"message"`
}

// WebhookDelivery is an event whose signature the transport has verified.
type WebhookDelivery struct {
	Event *WebhookEvent
	// Signature is the verified HMAC in lower-case hex; each one is accepted once.
	Signature string
	// SignedAt is the request's signed timestamp.
	SignedAt time.Time
}

// WebhookResult says where an event landed.
type WebhookResult struct {
	Event            string          `json:"event"`
	Matched          bool            `json:"matched"`
	WorkflowID       string          `json:"workflow_id,omitempty"`
	ChannelID        string          `json:"channel_id,omitempty"`
	PostedToFallback bool            `json:"posted_to_fallback"` // always there, false when not posted
	Incident         *IncidentResult `json:"incident,omitempty"`
}

// IncidentResult is the incident a failed production deploy opened or found, or why
// there is none.
type IncidentResult struct {
	WorkflowID  string `json:"workflow_id,omitempty"`
	ChannelID   string `json:"channel_id,omitempty"`
	ChannelName string `json:"channel_name,omitempty"`
	// Opened is false when an active incident for the service already existed.
	Opened bool   `json:"opened"`
	Error  string `json:"error,omitempty"`

	workflow *Workflow
}

// TitleMatch selects active workflows by a text in their title, across teams; it is
// for callers that act for an integration rather than a user.
type TitleMatch struct {
	TeamID     string // "" for every team
	Types      []string
	Text       string // a case-insensitive substring of the title
	PublicOnly bool
	Limit      int
}

// ParseWebhookEvent reads and checks the JSON body of a CI/CD event. Unknown fields,
// trailing data and missing or oversized fields are refused with a message that says
// what to send; what it returns is clean text, safe to store.
func ParseWebhookEvent(event string, body []byte) (*WebhookEvent, error) {
	if _, known := webhookChanges[event]; !known {
		return nil, notFound("Unknown event %q: use hooks/deploy, hooks/build or hooks/test.", truncateRunes(cleanText(event), 40))
	}
	ev := &WebhookEvent{}
	if err := decodeOne(body, ev, true, jsonRefusal); err != nil {
		return nil, err
	}
	ev.Event = event
	return ev, ev.clean()
}

// decodeOne decodes a body that must be one JSON value into v, refusing unknown
// fields when strict and anything after the value; refuse words a decoding error.
func decodeOne(body []byte, v any, strict bool, refuse func(error) error) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return refuse(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return invalid("Invalid JSON: send one object and nothing after it.")
	}
	return nil
}

// spendSignature accepts a verified signature once, cluster-wide (ErrWebhookReplay
// for one already accepted).
func (s *Service) spendSignature(ctx context.Context, signature string, signedAt time.Time) error {
	fresh, err := s.store.ClaimWebhookSignature(ctx, signature, signedAt.Add(WebhookMaxSkew+time.Minute).UnixMilli())
	if err != nil {
		return errors.Wrap(err, "record webhook signature")
	}
	if !fresh {
		return ErrWebhookReplay
	}
	return nil
}

func jsonRefusal(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return invalid("The body is empty: send a JSON object with service, version, environment and status.")
	case errors.As(err, &syntax):
		return invalid("Invalid JSON at byte %d: %s.", syntax.Offset, syntax.Error())
	case errors.As(err, &typ) && typ.Field != "":
		return invalid("Invalid JSON: %s must be a string.", typ.Field)
	case errors.As(err, &typ):
		return invalid("Invalid JSON: the body must be an object.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return invalid("Invalid JSON: unknown field %s. Fields: workflow_id, service, version, environment, status, url, commit, message.",
			strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return invalid("Invalid JSON: %s.", err.Error())
	}
}

// clean normalises the fields in place and checks them.
func (e *WebhookEvent) clean() error {
	e.WorkflowID = strings.TrimSpace(e.WorkflowID)
	if e.WorkflowID != "" && !model.IsValidId(e.WorkflowID) {
		return invalid("workflow_id is not a workflow id (26 letters and digits).")
	}
	e.Service, e.Version, e.Environment = cleanText(e.Service), cleanText(e.Version), cleanText(e.Environment)
	// A message is one line (README): a line break is refused, not flattened, so what
	// is shown is what was sent. Leading and trailing space (a CI's final newline) is not a break.
	if strings.ContainsAny(strings.TrimSpace(e.Message), "\r\n\u2028\u2029") {
		return invalid("message must be one line; it has a line break (send the first line, or one event per line).")
	}
	e.Commit, e.Message, e.URL = cleanText(e.Commit), cleanText(e.Message), strings.TrimSpace(e.URL)
	if err := requireField("service", e.Service, maxServiceRunes); err != nil {
		return err
	}
	if err := requireField("version", e.Version, maxVersionRunes); err != nil {
		return err
	}
	if strings.Contains(e.Version, " ") {
		return invalid("version must be one word, such as 2.4.0 or v2.4.0-rc1.")
	}
	if e.Event == EventDeploy && e.Environment == "" {
		return invalid("environment is required for a deploy, e.g. production or staging.")
	}
	if n := utf8.RuneCountInString(e.Environment); n > maxEnvironmentRunes {
		return invalid("environment is %d characters long; the limit is %d.", n, maxEnvironmentRunes)
	}
	switch strings.ToLower(strings.TrimSpace(e.Status)) {
	case RunStarted:
		e.Status = RunStarted
	case RunSucceeded, "success":
		e.Status = RunSucceeded
	case RunFailed, "failure":
		e.Status = RunFailed
	case "":
		return invalid("status is required: started, succeeded or failed.")
	default:
		return invalid("status %q is not started, succeeded or failed.", truncateRunes(cleanText(e.Status), 40))
	}
	if len(e.Commit) > maxCommitLen || strings.IndexFunc(e.Commit, notCommitRune) >= 0 {
		return invalid("commit must be a commit id or ref of at most %d letters, digits and . _ / + -.", maxCommitLen)
	}
	if n := utf8.RuneCountInString(e.Message); n > maxMessageRunes {
		return invalid("message is %d characters long; the limit is %d.", n, maxMessageRunes)
	}
	if e.URL != "" {
		link, err := safeLink(e.URL)
		if err != nil {
			return err
		}
		e.URL = link
	}
	return nil
}

func requireField(name, value string, limit int) error {
	if value == "" {
		return invalid("%s is required.", name)
	}
	if n := utf8.RuneCountInString(value); n > limit {
		return invalid("%s is %d characters long; the limit is %d.", name, n, limit)
	}
	return nil
}

func notCommitRune(r rune) bool {
	ok := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._/+-", r))
	return !ok
}

// safeLink accepts an absolute http(s) URL without credentials and returns it with
// every character that could end a markdown link target percent-encoded, so the URL
// can only ever be the target of the link the bot writes.
func safeLink(raw string) (string, error) {
	if len(raw) > maxURLLen {
		return "", invalid("url is %d bytes long; the limit is %d.", len(raw), maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalid("url must be an absolute http or https URL, such as the CI run's page.")
	}
	if u.User != nil {
		return "", invalid("url must not carry a user name or password.")
	}
	var b strings.Builder
	for _, c := range []byte(u.String()) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>\"`\\{}|^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// ReceiveWebhook lands an authenticated CI/CD event: it finds the workflow, accepts
// the signature once (cluster-wide), posts the event in the workflow's channel and
// timeline, and for a failed production deploy opens an incident or finds the one
// already active. The webhook is an integration an admin configured, so it acts for
// no user and sees private workflows; it tells the caller only ids.
//
// A refusal (unknown workflow, replay) changes nothing. Once the signature is
// accepted, each effect is tried and a failure is logged, never half-reported.
func (s *Service) ReceiveWebhook(ctx context.Context, d WebhookDelivery) (*WebhookResult, error) {
	ev := d.Event
	target, err := s.matchWebhook(ctx, ev)
	if err != nil {
		return nil, err
	}
	if err := s.spendSignature(ctx, d.Signature, d.SignedAt); err != nil {
		return nil, err
	}
	// The signature is spent: finish even if the caller hangs up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()

	res := &WebhookResult{Event: ev.Event, Matched: target != nil}
	if target == nil {
		res.PostedToFallback = s.postUnmatched(ev)
		if s.failedProductionDeploy(ev) {
			res.Incident = &IncidentResult{Error: noTeamForIncident}
		}
		return res, nil
	}
	res.WorkflowID, res.ChannelID = target.ID, target.ChannelID
	if s.opensIncident(ev, target) {
		res.Incident = s.incidentFor(ctx, target, ev)
	}

	headline := ev.headline()
	msg := headline
	if inc := res.Incident; inc != nil {
		msg += "\n" + incidentLine(inc, ev)
	}
	s.record(ctx, target, ev, msg, incidentSummary(ev, res.Incident))
	if inc := res.Incident; inc != nil && inc.workflow != nil {
		s.record(ctx, inc.workflow, ev, s.backLink(ctx, inc, target, headline), ev.summary())
	}
	return res, nil
}

// matchWebhook finds the event's workflow: the one it names, else the newest active
// release or change whose title has the version as a word (one that also names the
// service first), else none.
func (s *Service) matchWebhook(ctx context.Context, ev *WebhookEvent) (*Workflow, error) {
	if ev.WorkflowID != "" {
		w, err := s.store.GetWorkflow(ctx, ev.WorkflowID)
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("No workflow %s: check workflow_id, or leave it out to match by version.", ev.WorkflowID)
		}
		return w, errors.Wrap(err, "get webhook workflow")
	}
	version := trimVersionPrefix(ev.Version)
	items, err := s.store.ActiveWorkflowsByTitle(ctx, TitleMatch{Types: webhookTypes, Text: version, Limit: 50})
	if err != nil {
		return nil, errors.Wrap(err, "match webhook by version")
	}
	var best *Workflow
	for _, w := range items { // newest first
		if !containsWord(w.Title, version, true) {
			continue
		}
		if containsWord(w.Title, ev.Service, false) {
			return w, nil
		}
		if best == nil {
			best = w
		}
	}
	if best == nil {
		// No title has the version: the catalogued service's active release or change.
		return s.serviceWorkflow(ctx, ev.Service, webhookTypes)
	}
	return best, nil
}

// opensIncident: a failed production deploy (with the setting on) reported for a
// workflow that is not itself an incident.
func (s *Service) opensIncident(ev *WebhookEvent, target *Workflow) bool {
	return target.Type != "incident" && s.failedProductionDeploy(ev)
}

// failedProductionDeploy: a failed deploy to a production environment, with the
// setting that turns such failures into incidents on.
func (s *Service) failedProductionDeploy(ev *WebhookEvent) bool {
	settings := s.settings()
	if ev.Event != EventDeploy || ev.Status != RunFailed || !settings.IncidentOnFailedDeploy {
		return false
	}
	for _, env := range settings.ProductionEnvironments {
		if strings.EqualFold(env, ev.Environment) {
			return true
		}
	}
	return false
}

const noTeamForIncident = "no workflow matched, so there is no team and no lead to open it with"

// incidentFor opens a sev2 incident for a failed production deploy, through Start and
// its rules, with the lead of the workflow the deploy belongs to as its starter and
// commander: they shipped it, they are a person the team knows, and they can hand the
// command on. (The bot cannot lead: it is in no team and has no discipline.) The
// duplicate guard is per service: an active public incident whose title names the
// service is the incident instead (openIncidentOnce).
func (s *Service) incidentFor(ctx context.Context, from *Workflow, ev *WebhookEvent) *IncidentResult {
	tmpl, ok := s.settings().Templates.Get("incident")
	if !ok {
		return &IncidentResult{Error: "the incident workflow type is not enabled"}
	}
	lead, err := s.mm.GetUser(from.LeadID)
	if err != nil || lead.DeleteAt != 0 || lead.IsBot {
		return &IncidentResult{Error: "the workflow's lead is not an active user who could command it"}
	}
	severity := ""
	if tmpl.HasSeverity("sev2") {
		severity = "sev2"
	}
	out, err := s.openIncidentOnce(ctx, from.TeamID, ev.Service, func() (*Workflow, error) {
		// Force: openIncidentOnce is the duplicate guard, per service. Start's guard by
		// similar titles would take "Failed deploy: web 2.4.0 to production" and the
		// same for api as one incident, and they are two.
		return s.Start(ctx, lead.Id, StartRequest{TeamID: from.TeamID, Type: tmpl.Type, Title: ev.incidentTitle(),
			Severity: severity, Force: true})
	})
	if err == nil {
		if out != nil && out.Opened {
			s.inviteServiceOwners(ctx, from.TeamID, ev.Service, out, lead.Id)
		}
		return out
	}
	if e, ok := AsError(err); ok {
		return &IncidentResult{Error: fmt.Sprintf("@%s could not open it: %s", lead.Username, e.Message)}
	}
	s.mm.LogError("Webhook: could not open an incident", "workflow_id", from.ID, "err", err.Error())
	return &IncidentResult{Error: "opening it failed; the error is logged"}
}

// openIncidentOnce returns the team's active incident for the service, or the one
// start opens, under a cluster-wide lock per team and service so that failures
// arriving together on any node open one. The lock is Mattermost's cluster mutex, not
// a database lock: start needs several of the pool's connections and waits on
// Mattermost, and a transaction held around it took a connection from the pool for as
// long, so a burst of failures for distinct services exhausted it.
func (s *Service) openIncidentOnce(ctx context.Context, teamID, service string, start func() (*Workflow, error)) (*IncidentResult, error) {
	// A burst of failures starts a few incidents at a time: each start takes several
	// of the pool's connections and much of Mattermost's work, and people's commands
	// need both meanwhile.
	select {
	case s.incidentStarts <- struct{}{}:
		defer func() { <-s.incidentStarts }()
	case <-ctx.Done():
		return nil, errors.Wrap(ctx.Err(), "wait for a turn to open an incident")
	}
	unlock, err := s.mm.Lock(ctx, incidentLockKey(teamID, service))
	if err != nil {
		return nil, err
	}
	defer unlock()
	existing, err := s.activeIncidentFor(ctx, teamID, service)
	if err != nil || existing != nil {
		return incidentResult(existing, false), err
	}
	w, err := start()
	return incidentResult(w, true), err
}

// incidentLockKey names the lock of a team's service; hashed, because a service name
// is free text and the key store limits keys' length.
func incidentLockKey(teamID, service string) string {
	sum := sha256.Sum256([]byte(teamID + "\x00" + strings.ToLower(service)))
	return "devops_incident_" + hex.EncodeToString(sum[:16])
}

func incidentResult(w *Workflow, opened bool) *IncidentResult {
	if w == nil {
		return nil
	}
	return &IncidentResult{WorkflowID: w.ID, ChannelID: w.ChannelID, ChannelName: w.ChannelName, Opened: opened, workflow: w}
}

// activeIncidentFor returns the team's newest active public incident whose title names
// the service as a word. Private incidents are left alone: linking one from a release
// channel would reveal it.
func (s *Service) activeIncidentFor(ctx context.Context, teamID, service string) (*Workflow, error) {
	items, err := s.store.ActiveWorkflowsByTitle(ctx, TitleMatch{TeamID: teamID, Types: []string{"incident"},
		Text: service, PublicOnly: true, Limit: 50})
	if err != nil {
		return nil, errors.Wrap(err, "find active incidents")
	}
	for _, w := range items {
		if containsWord(w.Title, service, false) {
			return w, nil
		}
	}
	return nil, nil
}

// record posts an event in a workflow's channel and adds it to the timeline, linked to
// the post. The post is best effort: an archived channel still gets the timeline event.
func (s *Service) record(ctx context.Context, w *Workflow, ev *WebhookEvent, message, summary string) {
	post := &model.Post{ChannelId: w.ChannelID, Message: message}
	post.AddProp("devops_event", ev.Event)
	postID := ""
	if created, err := s.send(post, shortenLong); err == nil {
		postID = created.Id
	}
	err := s.store.AddTimelineEvent(ctx, TimelineEvent{ID: model.NewId(), WorkflowID: w.ID, Type: ev.Event,
		At: time.Now().UnixMilli(), ActorID: s.mm.BotID(), Summary: summary, PostID: postID})
	if err != nil {
		s.mm.LogError("Webhook: could not record a timeline event", "workflow_id", w.ID, "err", err.Error())
	}
	s.publish(w, webhookChanges[ev.Event])
}

// postUnmatched posts an event that matched no workflow in the fallback channel, if
// one is set, and says how to make the next one match.
func (s *Service) postUnmatched(ev *WebhookEvent) bool {
	settings := s.settings()
	if settings.WebhookFallbackChannel == "" {
		return false
	}
	msg := ev.headline() + "\n_No workflow matched: send `workflow_id`, or put the version in the title of an active release or change._"
	if s.failedProductionDeploy(ev) {
		msg += "\n⚠️ No incident was opened: " + noTeamForIncident + "."
	}
	post := &model.Post{ChannelId: settings.WebhookFallbackChannel, Message: msg}
	post.AddProp("devops_event", ev.Event)
	_, err := s.send(post, shortenLong)
	return err == nil
}

// incidentLine tells the release or change channel what became of the failure.
func incidentLine(inc *IncidentResult, ev *WebhookEvent) string {
	switch {
	case inc.Error != "":
		return "⚠️ No incident was opened: " + inc.Error + "."
	case inc.Opened:
		return fmt.Sprintf("🚨 Opened incident ~%s for this failure.", inc.ChannelName)
	default:
		return fmt.Sprintf("🚨 Incident ~%s is already active for **%s**; the failure is posted there too.", inc.ChannelName, Inline(ev.Service))
	}
}

// backLink is the incident channel's post: where the failure came from and who leads.
func (s *Service) backLink(ctx context.Context, inc *IncidentResult, from *Workflow, headline string) string {
	source := "a private workflow"
	if !from.Private {
		source = "~" + from.ChannelName
	}
	if !inc.Opened {
		return fmt.Sprintf("%s\nAnother failure, reported in %s.", headline, source)
	}
	return fmt.Sprintf("🚨 **Opened automatically** for a failed production deploy reported in %s:\n%s\n%s commands it; hand it on with `/%s role %s @someone`.",
		source, headline, s.mention(inc.workflow.LeadID), s.settings().CommandTrigger, s.leadRole(ctx, inc.workflow))
}

func (s *Service) leadRole(ctx context.Context, w *Workflow) string {
	if tmpl, err := s.templateOf(ctx, w); err == nil {
		return tmpl.LeadRole
	}
	return "commander"
}

func incidentSummary(ev *WebhookEvent, inc *IncidentResult) string {
	switch {
	case inc == nil:
		return ev.summary()
	case inc.Error != "":
		return ev.summary() + "; no incident: " + inc.Error
	case inc.Opened:
		return ev.summary() + "; opened incident ~" + inc.ChannelName
	default:
		return ev.summary() + "; incident ~" + inc.ChannelName + " already active"
	}
}

var eventIcons = map[string]string{EventDeploy: "🚀", EventBuild: "🔨", EventTest: "🧪"}

var statusIcons = map[string]string{RunStarted: "⏳", RunSucceeded: "✅", RunFailed: "❌"}

// headline is the compact post: every field a caller sent goes through Inline, and
// the URL only ever as a link target (safeLink made it one).
func (e *WebhookEvent) headline() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s **%s** **%s**", eventIcons[e.Event], titleCase(e.Event), Inline(e.Service), Inline(e.Version))
	if e.Environment != "" {
		fmt.Fprintf(&b, " → **%s**", Inline(e.Environment))
	}
	fmt.Fprintf(&b, ": %s **%s**", statusIcons[e.Status], e.Status)
	if e.URL != "" {
		fmt.Fprintf(&b, " · [details](%s)", e.URL)
	}
	if e.Commit != "" {
		fmt.Fprintf(&b, " · commit `%s`", shortCommit(e.Commit))
	}
	if e.Message != "" {
		b.WriteString("\n> " + Inline(e.Message))
	}
	return b.String()
}

// summary is the timeline's plain-text line (the timeline renders it with Inline).
func (e *WebhookEvent) summary() string {
	s := fmt.Sprintf("%s %s %s", titleCase(e.Event), e.Service, e.Version)
	if e.Environment != "" {
		s += " → " + e.Environment
	}
	s += ": " + e.Status
	if e.Commit != "" {
		s += " (" + shortCommit(e.Commit) + ")"
	}
	return s
}

// incidentTitle names the service and version, so the channel says what broke and a
// later failure of the same service finds the incident by the service's name.
func (e *WebhookEvent) incidentTitle() string {
	return fmt.Sprintf("Failed deploy: %s %s to %s", e.Service, e.Version, e.Environment)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// shortCommit abbreviates a full hex commit id the way git does.
func shortCommit(c string) string {
	if len(c) >= 40 && strings.Trim(strings.ToLower(c), "0123456789abcdef") == "" {
		return c[:12]
	}
	return c
}

func trimVersionPrefix(v string) string {
	if len(v) > 1 && (v[0] == 'v' || v[0] == 'V') && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}

// containsWord reports whether word appears in s (case-insensitively) as a whole word:
// not inside a longer name or number. "2.4" is not in "2.4.1", "api" is not in
// "api-gateway", but "2.4.0" is in "Release 2.4.0." and, with allowV, in "v2.4.0".
func containsWord(s, word string, allowV bool) bool {
	if word == "" {
		return false
	}
	ls, lw := strings.ToLower(s), strings.ToLower(word)
	for from := 0; from <= len(ls)-len(lw); {
		i := strings.Index(ls[from:], lw)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(lw)
		if wordBefore(ls, start, allowV) && wordAfter(ls, end) {
			return true
		}
		_, size := utf8.DecodeRuneInString(ls[start:])
		from = start + size
	}
	return false
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c >= utf8.RuneSelf
}

// wordBefore: the word starts s, or follows a separator (a "v" that itself follows
// one, for versions). Joiners (- . /) count as part of a name.
func wordBefore(s string, start int, allowV bool) bool {
	if start == 0 {
		return true
	}
	c := s[start-1]
	if allowV && c == 'v' {
		return start == 1 || !isNameByte(s[start-2]) && !isJoiner(s[start-2])
	}
	return !isNameByte(c) && !isJoiner(c)
}

// wordAfter: the word ends s, or a separator follows; a joiner counts as a separator
// only at the end of s or before a space or punctuation ("2.4.0." ends a sentence).
func wordAfter(s string, end int) bool {
	if end == len(s) {
		return true
	}
	c := s[end]
	if isJoiner(c) {
		return end+1 == len(s) || !isNameByte(s[end+1])
	}
	return !isNameByte(c)
}

func isJoiner(c byte) bool {
	return c == '-' || c == '.' || c == '/' || c == '+'
}
