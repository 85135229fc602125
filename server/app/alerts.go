package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Alert intake: Prometheus Alertmanager's and Grafana's webhook notifications open
// incidents, one per alert group while it is active (README, "Alerts in").

// Senders the intake reads; each is also the path of its hook.
const (
	AlertSourceAlertmanager = "alertmanager"
	AlertSourceGrafana      = "grafana"
)

// Alert states, as both senders spell them.
const (
	AlertFiring   = "firing"
	AlertResolved = "resolved"
)

// Timeline events of the intake.
const (
	EventAlert         = "alert"
	EventAlertResolved = "alert_resolved"
)

// AlertStormWindow is the window of the storm cap: at most Settings.AlertStormLimit
// incidents opened by the intake per team within it.
const AlertStormWindow = 10 * time.Minute

// Limits of what a notification may carry; the body limit bounds the rest.
const (
	maxAlertsPerNotification = 1000
	maxAlertRows             = 25  // rows of an alert table; the rest is counted
	maxLabelRunes            = 120 // a label or annotation value as shown
)

// DefaultAlertSeverities maps the usual `severity` label values to incident severities.
const DefaultAlertSeverities = "critical=sev1, error=sev2, high=sev2, warning=sev3, info=sev4"

// ErrAlertGroupBusy is returned when another delivery of the same group is still opening its incident
// after the wait; the sender retries (Alertmanager and Grafana retry a 5xx).
var ErrAlertGroupBusy = errors.New("another notification of this group is still opening its incident; retry")

// Alert is one alert of a notification. Both senders' fields are here: Grafana's
// links (silenceURL, dashboardURL, panelURL) are shown when they are URLs.
type Alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	SilenceURL   string            `json:"silenceURL,omitempty"`
	DashboardURL string            `json:"dashboardURL,omitempty"`
	PanelURL     string            `json:"panelURL,omitempty"`
}

// AlertNotification is a webhook notification of Alertmanager (version 4) or Grafana
// alerting's webhook contact point (version 1), which sends the same fields and some
// of its own. Fields neither sender's documentation names are ignored, as new
// versions of either add some.
type AlertNotification struct {
	Source            string            `json:"-"`
	Version           string            `json:"version"`
	Receiver          string            `json:"receiver"`
	Status            string            `json:"status"`
	Alerts            []Alert           `json:"alerts"`
	GroupKey          string            `json:"groupKey"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	// Grafana only.
	OrgID int64  `json:"orgId,omitempty"`
	Title string `json:"title,omitempty"`
}

var fingerprintRE = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// ParseAlertNotification reads and checks a notification's JSON body. What it returns
// is checked: statuses known, at least one alert, a fingerprint per alert (computed
// from the labels when the sender gives none), text cleaned, links that are not
// http(s) URLs dropped. It is a pure function of its input (the fuzz test's target).
func ParseAlertNotification(source string, body []byte) (*AlertNotification, error) {
	if source != AlertSourceAlertmanager && source != AlertSourceGrafana {
		return nil, notFound("Unknown alert source %q: use hooks/alertmanager or hooks/grafana.", truncateRunes(cleanText(source), 40))
	}
	n := &AlertNotification{}
	if err := decodeOne(body, n, false, alertJSONRefusal); err != nil {
		return nil, err
	}
	n.Source = source
	return n, n.clean()
}

func alertJSONRefusal(err error) error {
	var typ *json.UnmarshalTypeError
	var tm *time.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return invalid("The body is empty: send the notification as the %s webhook posts it.", "Alertmanager or Grafana")
	case errors.As(err, &typ) && typ.Field != "":
		return invalid("Invalid JSON: %s must be a %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
	case errors.As(err, &tm):
		return invalid("Invalid JSON: a time is not RFC 3339 (%s).", tm.Value)
	default:
		return jsonRefusal(err)
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "map", "struct":
		return "JSON object"
	case "slice":
		return "JSON array"
	case "string":
		return "string"
	default:
		return "number"
	}
}

// clean checks the notification and normalises it in place.
func (n *AlertNotification) clean() error {
	n.Status = strings.ToLower(strings.TrimSpace(n.Status))
	if n.Status != AlertFiring && n.Status != AlertResolved {
		return invalid("status must be firing or resolved.")
	}
	if len(n.Alerts) == 0 {
		return invalid("alerts is empty: a notification carries at least one alert.")
	}
	if len(n.Alerts) > maxAlertsPerNotification {
		return invalid("alerts has %d alerts; the limit is %d (set max_alerts in the webhook's configuration).", len(n.Alerts), maxAlertsPerNotification)
	}
	if n.TruncatedAlerts < 0 {
		n.TruncatedAlerts = 0
	}
	n.Receiver = truncateRunes(cleanText(n.Receiver), 100)
	n.ExternalURL = linkOrEmpty(n.ExternalURL)
	n.GroupLabels, n.CommonLabels, n.CommonAnnotations = cleanLabels(n.GroupLabels), cleanLabels(n.CommonLabels), cleanLabels(n.CommonAnnotations)
	for i := range n.Alerts {
		a := &n.Alerts[i]
		a.Status = strings.ToLower(strings.TrimSpace(a.Status))
		if a.Status == "" {
			a.Status = n.Status
		}
		if a.Status != AlertFiring && a.Status != AlertResolved {
			return invalid("alerts[%d].status must be firing or resolved.", i)
		}
		a.Labels, a.Annotations = cleanLabels(a.Labels), cleanLabels(a.Annotations)
		if !fingerprintRE.MatchString(a.Fingerprint) {
			a.Fingerprint = labelsFingerprint(a.Labels)
		}
		a.GeneratorURL, a.SilenceURL = linkOrEmpty(a.GeneratorURL), linkOrEmpty(a.SilenceURL)
		a.DashboardURL, a.PanelURL = linkOrEmpty(a.DashboardURL), linkOrEmpty(a.PanelURL)
	}
	if strings.TrimSpace(n.GroupKey) == "" {
		// Grafana sends one; a hand-made notification may not: its group is its labels.
		n.GroupKey = "{}:" + labelString(n.GroupLabels)
	}
	return nil
}

// cleanLabels drops control and invisible characters from keys and values and
// empty keys; what remains is shown through Inline.
func cleanLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k = cleanText(k); k != "" {
			out[truncateRunes(k, 64)] = cleanText(v)
		}
	}
	return out
}

// linkOrEmpty keeps a field that is an http(s) URL, made safe as a link target; any
// other text is dropped, never shown as a link.
func linkOrEmpty(raw string) string {
	if raw = strings.TrimSpace(raw); raw == "" {
		return ""
	}
	link, err := safeLink(raw)
	if err != nil {
		return ""
	}
	return link
}

// labelsFingerprint identifies an alert by its labels, as Alertmanager does.
func labelsFingerprint(labels map[string]string) string {
	sum := sha256.Sum256([]byte(labelString(labels)))
	return hex.EncodeToString(sum[:8])
}

// labelString renders labels sorted by name: {a="1", b="2"}.
func labelString(labels map[string]string) string {
	keys := sortedLabelKeys(labels)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, labels[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sortedLabelKeys(labels map[string]string) []string {
	return slices.Sorted(maps.Keys(labels))
}

// groupHash is the stored key of a group: the sender's groupKey can be long.
func (n *AlertNotification) groupHash() string {
	sum := sha256.Sum256([]byte(n.Source + "\x00" + n.GroupKey))
	return hex.EncodeToString(sum[:])
}

// label is a label the whole group shares, or the first alert's.
func (n *AlertNotification) label(name string) string {
	if v := n.CommonLabels[name]; v != "" {
		return v
	}
	return n.Alerts[0].Labels[name]
}

// IncidentTitle is the summary the alerts share, else the alert's name and the
// labels that tell this group from others.
func (n *AlertNotification) IncidentTitle() string {
	if s := n.CommonAnnotations["summary"]; s != "" {
		return truncateRunes(s, MaxTitleRunes)
	}
	name := n.label("alertname")
	if name == "" {
		name = "Alert"
	}
	var parts []string
	for _, k := range sortedLabelKeys(n.GroupLabels) {
		if k != "alertname" && n.GroupLabels[k] != "" {
			parts = append(parts, k+"="+n.GroupLabels[k])
		}
	}
	if len(parts) == 0 {
		for _, k := range sortedLabelKeys(n.CommonLabels) {
			if k != "alertname" && k != "severity" && n.CommonLabels[k] != "" {
				parts = append(parts, k+"="+n.CommonLabels[k])
			}
		}
	}
	if len(parts) > 0 {
		name += " (" + strings.Join(parts, ", ") + ")"
	}
	return truncateRunes(name, MaxTitleRunes)
}

// ParseAlertSeverities reads the setting `label=severity, ...` (keys lower-cased).
func ParseAlertSeverities(text string) (map[string]string, error) {
	if strings.TrimSpace(text) == "" {
		text = DefaultAlertSeverities
	}
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
		if !ok || k == "" || v == "" {
			return nil, errors.Errorf("%q: expected label=severity, e.g. critical=sev1", part)
		}
		if _, dup := out[k]; dup {
			return nil, errors.Errorf("%s is given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// incidentSeverity maps the group's `severity` label through the setting; a group
// without a shared one takes its most severe alert's. Anything unmapped, or mapped
// to a severity the incident template lacks, is the template's default.
func (n *AlertNotification) incidentSeverity(mapping map[string]string, tmpl *Template) string {
	best := -1
	consider := func(label string) {
		sev := mapping[strings.ToLower(label)]
		for i, s := range tmpl.Severities {
			if s == sev && (best < 0 || i < best) {
				best = i
			}
		}
	}
	if v := n.CommonLabels["severity"]; v != "" {
		consider(v)
	} else {
		for _, a := range n.Alerts {
			consider(a.Labels["severity"])
		}
	}
	if best < 0 {
		return tmpl.DefaultSeverity
	}
	return tmpl.Severities[best]
}

// SeenAlert is one state of one alert an incident has shown.
type SeenAlert struct {
	Fingerprint string `json:"fingerprint"`
	StartsAt    int64  `json:"starts_at"`
	Status      string `json:"status"`
}

func (a *Alert) seen() SeenAlert {
	return SeenAlert{Fingerprint: a.Fingerprint, StartsAt: a.StartsAt.UnixMilli(), Status: a.Status}
}

// AlertClaimRequest asks the store for the right to open, or the incident of, a group.
type AlertClaimRequest struct {
	TeamID, GroupKey, Claim string
	Now                     int64
	// StaleBefore: a claim older than this belongs to a node that died.
	StaleBefore int64
	// WindowStart and Limit are the storm cap: at most Limit opens since WindowStart
	// (Limit 0: no cap).
	WindowStart int64
	Limit       int
}

// What a claim decided.
const (
	ClaimAttach    = "attach"     // the group's incident is active: add to it
	ClaimOpen      = "open"       // open the group's incident
	ClaimOpenStorm = "open_storm" // over the cap: open the team's storm incident, for this group too
	ClaimWait      = "wait"       // another delivery is opening it: ask again shortly
)

// AlertClaim is the store's answer.
type AlertClaim struct {
	Outcome    string
	WorkflowID string // for ClaimAttach
	Storm      bool   // the group is (to be) on the storm incident
}

// AlertResult is the intake's answer.
type AlertResult struct {
	Source string `json:"source"`
	Status string `json:"status"`
	// Incident is null for a resolved group that had no active incident.
	Incident  *IncidentResult `json:"incident"`
	Storm     bool            `json:"storm"`
	NewAlerts int             `json:"new_alerts"`
	// Duplicate: nothing in the notification was new (a retry or a repeat).
	Duplicate bool `json:"duplicate"`
}

// alertWait bounds how long a delivery waits for another one of its group to open
// the incident; alertClaimStale is when a claim's node counts as dead.
const (
	alertWait       = 20 * time.Second
	alertWaitStep   = 25 * time.Millisecond
	alertClaimStale = 2 * time.Minute
)

// ReceiveAlerts lands an authenticated notification in a team (by name): it opens
// the group's incident, or adds what is new to the active one, exactly once however
// many deliveries of it arrive at once on however many nodes (the claim is a row in
// PostgreSQL, see Store.ClaimAlertGroup).
func (s *Service) ReceiveAlerts(ctx context.Context, teamName string, n *AlertNotification) (*AlertResult, error) {
	team, err := s.mm.GetTeamByName(strings.ToLower(strings.TrimSpace(teamName)))
	if err != nil || team.DeleteAt != 0 {
		return nil, notFound("No team %q: name the team with ?team=<team name> (the name in its URL).", truncateRunes(cleanText(teamName), 64))
	}
	tmpl, ok := s.settings().Templates.Get("incident")
	if !ok {
		return nil, conflict("The incident workflow type is not enabled, so alerts cannot open incidents.")
	}
	// The work is the sender's until answered; a hang-up must not leave it half done.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	res := &AlertResult{Source: n.Source, Status: n.Status}
	// Most notifications are of a group whose incident is active: one read, no claim.
	if w, storm, err := s.store.AlertGroupIncident(ctx, team.Id, n.groupHash()); err == nil {
		res.Storm = storm
		return res, s.addAlertsTo(ctx, res, w, n)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	claim := model.NewId()
	deadline := time.Now().Add(alertWait)
	for {
		now := time.Now()
		c, err := s.store.ClaimAlertGroup(ctx, AlertClaimRequest{TeamID: team.Id, GroupKey: n.groupHash(), Claim: claim,
			Now: now.UnixMilli(), StaleBefore: now.Add(-alertClaimStale).UnixMilli(),
			WindowStart: now.Add(-AlertStormWindow).UnixMilli(), Limit: s.settings().AlertStormLimit})
		if err != nil {
			return nil, errors.Wrap(err, "claim alert group")
		}
		res.Storm = c.Storm
		if n.Status == AlertResolved && (c.Outcome == ClaimOpen || c.Outcome == ClaimOpenStorm) {
			// A group that resolved with no active incident (closed meanwhile, or
			// resolved before its firing got through) opens nothing.
			if err := s.store.ReleaseAlertGroup(ctx, team.Id, n.groupHash(), claim); err != nil {
				return nil, errors.Wrap(err, "release alert group")
			}
			return res, nil
		}
		switch c.Outcome {
		case ClaimAttach:
			return res, s.addAlerts(ctx, res, c.WorkflowID, n)
		case ClaimOpen:
			return res, s.openAlertIncident(ctx, res, team, tmpl, claim, n)
		case ClaimOpenStorm:
			return res, s.openStormIncident(ctx, res, team, tmpl, claim, n)
		}
		if time.Now().After(deadline) {
			return nil, ErrAlertGroupBusy
		}
		time.Sleep(alertWaitStep)
	}
}

// alertLead is who leads an incident the intake opens: the person on call now for
// the alert's service (its catalogue entry's rotation), else for the rotation the
// incident template pages at this severity (built-in: the operations rotation at sev1
// and sev2). With no such rotation, or nobody on call, nobody ("") leads until someone
// takes it with the Take the lead button (TakeLead): the intake acts for no person and
// the bot cannot lead.
func (s *Service) alertLead(ctx context.Context, teamID string, tmpl *Template, severity string, svc *CatalogService) string {
	var rotation string
	if svc != nil && svc.Rotation != "" {
		rotation = svc.Rotation
	} else if r, err := s.pagedRotation(ctx, teamID, tmpl, severity); err == nil && r != nil {
		rotation = r.Name
	}
	if rotation == "" {
		return ""
	}
	id, err := s.OnCallNow(ctx, teamID, rotation)
	if err != nil {
		if _, refused := AsError(err); !refused {
			s.mm.LogError("Could not find who is on call to lead an alert's incident", "rotation", rotation, "err", err.Error())
		}
		return ""
	}
	return id
}

// openAlertIncident opens the group's incident (or, for a catalogued service with an
// active incident, adds the group to that one) and settles the claim.
func (s *Service) openAlertIncident(ctx context.Context, res *AlertResult, team *model.Team, tmpl *Template, claim string, n *AlertNotification) error {
	svc := s.alertService(ctx, team.Id, n)
	if svc != nil {
		existing, err := s.activeIncidentFor(ctx, team.Id, svc.Name)
		if err == nil && existing != nil {
			if err := s.store.SettleAlertGroup(ctx, team.Id, n.groupHash(), claim, existing.ID, false, nil); err != nil {
				return errors.Wrap(err, "attach alert group to the service's incident")
			}
			return s.addAlerts(ctx, res, existing.ID, n)
		}
	}
	severity := n.incidentSeverity(s.settings().AlertSeverities, tmpl)
	title := n.IncidentTitle()
	if svc != nil && !containsWord(title, svc.Name, false) {
		title = truncateRunes(svc.Name+": "+title, MaxTitleRunes)
	}
	w, err := s.openForIntake(ctx, team.Id, tmpl, title, severity, s.alertIntro(n, svc), n.table(true), svc)
	if err != nil {
		if rerr := s.store.ReleaseAlertGroup(ctx, team.Id, n.groupHash(), claim); rerr != nil {
			s.mm.LogError("Could not release an alert group's claim", "err", rerr.Error())
		}
		return errors.Wrap(err, "open an incident for an alert group")
	}
	seen := make([]SeenAlert, len(n.Alerts))
	for i := range n.Alerts {
		seen[i] = n.Alerts[i].seen()
	}
	if err := s.store.SettleAlertGroup(ctx, team.Id, n.groupHash(), claim, w.ID, true, seen); err != nil {
		return errors.Wrap(err, "record the alert group's incident")
	}
	res.Incident, res.NewAlerts = incidentResult(w, true), len(n.Alerts)
	return nil
}

// openStormIncident opens the team's storm incident, then adds the group to it.
func (s *Service) openStormIncident(ctx context.Context, res *AlertResult, team *model.Team, tmpl *Template, claim string, n *AlertNotification) error {
	limit := s.settings().AlertStormLimit
	title := fmt.Sprintf("Alert storm: over %d alert groups in %s", limit, humanDuration(AlertStormWindow))
	intro := fmt.Sprintf("🌩️ **Alert storm.** The intake opened %d incidents in the last %s, its cap (*%s*). Further alert groups are "+
		"added here, each as a post, instead of opening incidents of their own, until this incident is closed.",
		limit, humanDuration(AlertStormWindow), "Alert storm cap")
	severity := ""
	if len(tmpl.Severities) > 0 {
		severity = tmpl.Severities[0]
	}
	w, err := s.openForIntake(ctx, team.Id, tmpl, title, severity, intro, "", nil)
	if err != nil {
		if rerr := s.store.ReleaseAlertGroup(ctx, team.Id, n.groupHash(), claim); rerr != nil {
			s.mm.LogError("Could not release an alert group's claim", "err", rerr.Error())
		}
		return errors.Wrap(err, "open the alert storm incident")
	}
	if err := s.store.SettleAlertGroup(ctx, team.Id, n.groupHash(), claim, w.ID, false, nil); err != nil {
		return errors.Wrap(err, "record the alert storm incident")
	}
	res.Storm = true
	if err := s.addAlerts(ctx, res, w.ID, n); err != nil {
		return err
	}
	res.Incident.Opened = true
	return nil
}

// openForIntake opens an incident on behalf of a team: the bot creates it, alertLead
// names its lead (the on-call person, or nobody), a service's owners are invited.
func (s *Service) openForIntake(ctx context.Context, teamID string, tmpl *Template, title, severity, intro, extra string, svc *CatalogService) (*Workflow, error) {
	o := opening{tmpl: tmpl, title: cleanText(title), severity: severity, private: tmpl.Private, teamID: teamID,
		starterName: s.botName(), guard: func([]*Workflow) error { return nil }, intro: intro, extra: extra}
	if o.title == "" {
		o.title = "Alert"
	}
	if lead := s.alertLead(ctx, teamID, tmpl, severity, svc); lead != "" {
		if u, err := s.mm.GetUser(lead); err == nil {
			o.starterID, o.starterName = u.Id, u.Username
		}
	}
	if o.starterID == "" {
		o.extra = strings.TrimSpace(s.nobodyLeads() + "\n" + o.extra)
	}
	if svc != nil {
		o.invite = s.serviceOwnersToInvite(ctx, svc)
	}
	return s.open(ctx, o)
}

func (s *Service) botName() string {
	if u, err := s.mm.GetUserCached(s.mm.BotID()); err == nil {
		return u.Username
	}
	return "devops"
}

func (s *Service) nobodyLeads() string {
	return fmt.Sprintf("**Nobody leads it yet:** press **Take the lead** below, or give it with `/%s role commander @someone`.", s.settings().CommandTrigger)
}

func (s *Service) alertIntro(n *AlertNotification, svc *CatalogService) string {
	var b strings.Builder
	fmt.Fprintf(&b, "🚨 Opened by an alert from **%s**", sourceName(n.Source))
	if n.Receiver != "" {
		fmt.Fprintf(&b, " (receiver %s)", Inline(n.Receiver))
	}
	b.WriteString(" on behalf of the team.")
	if svc != nil {
		fmt.Fprintf(&b, " Service **%s**", Inline(svc.Name))
		if svc.Tier != "" {
			fmt.Fprintf(&b, " (tier %s)", Inline(svc.Tier))
		}
		b.WriteString(": its owners are invited.")
	}
	return b.String()
}

func sourceName(source string) string {
	if source == AlertSourceGrafana {
		return "Grafana"
	}
	return "Alertmanager"
}

// addAlerts adds what is new in a notification to the group's incident: an `alert`
// event and a short post listing the new alerts, or, when the whole group resolved,
// an `alert_resolved` event and a post offering to close. Nothing new (a retry, a
// repeat) adds nothing.
func (s *Service) addAlerts(ctx context.Context, res *AlertResult, workflowID string, n *AlertNotification) error {
	w, err := s.store.GetWorkflow(ctx, workflowID)
	if err != nil {
		return errors.Wrap(err, "read the alert group's incident")
	}
	return s.addAlertsTo(ctx, res, w, n)
}

func (s *Service) addAlertsTo(ctx context.Context, res *AlertResult, w *Workflow, n *AlertNotification) error {
	res.Incident = incidentResult(w, false)
	seen := make([]SeenAlert, len(n.Alerts))
	for i := range n.Alerts {
		seen[i] = n.Alerts[i].seen()
	}
	fresh, err := s.store.SeeAlerts(ctx, w.ID, seen)
	if err != nil {
		return errors.Wrap(err, "record seen alerts")
	}
	res.NewAlerts, res.Duplicate = len(fresh), len(fresh) == 0
	if len(fresh) == 0 {
		return nil
	}
	isNew := map[SeenAlert]bool{}
	for _, a := range fresh {
		isNew[a] = true
	}
	news := *n
	news.Alerts = nil
	for _, a := range n.Alerts {
		if isNew[a.seen()] {
			news.Alerts = append(news.Alerts, a)
		}
	}
	resolved := n.Status == AlertResolved
	// The storm incident is not offered to close when one of its groups resolves.
	offerClose := resolved && !res.Storm && w.Status == StatusActive
	var b strings.Builder
	group := ""
	if res.Storm {
		group = " of group " + Inline(n.IncidentTitle())
	}
	typ := EventAlert
	if resolved {
		typ = EventAlertResolved
		fmt.Fprintf(&b, "✅ **Resolved**%s: %s reports every alert of the group resolved.", group, sourceName(n.Source))
	} else {
		fmt.Fprintf(&b, "🔔 **%s**%s from %s.", countAlerts(news.Alerts), group, sourceName(n.Source))
	}
	b.WriteString("\n" + news.table(false))
	summary := fmt.Sprintf("%s: %s%s", sourceName(n.Source), countAlerts(news.Alerts), strings.TrimPrefix(group, " "))
	if resolved {
		summary = fmt.Sprintf("%s: the group resolved", sourceName(n.Source))
		if offerClose {
			fmt.Fprintf(&b, "\n\nIf the cause is dealt with, close the incident (**Close** below, or `/%s close`).", s.settings().CommandTrigger)
		}
	}
	post := &model.Post{ChannelId: w.ChannelID, Message: b.String()}
	post.AddProp("devops_event", typ)
	kind := anchorAlert
	if offerClose {
		kind = anchorAlertResolved
	}
	s.withActions(post, w, nil, anchor{Kind: kind}, nil)
	postID := ""
	if created, err := s.send(post, shortenLong); err == nil {
		postID = created.Id
	}
	if err := s.store.AddTimelineEvent(ctx, TimelineEvent{ID: model.NewId(), WorkflowID: w.ID, Type: typ, At: time.Now().UnixMilli(),
		ActorID: s.mm.BotID(), Summary: summary, PostID: postID, Data: map[string]string{"source": n.Source, "status": n.Status}}); err != nil {
		s.mm.LogError("Alert intake: could not record a timeline event", "workflow_id", w.ID, "err", err.Error())
	}
	s.publish(w, ChangeTimeline)
	return nil
}

func countAlerts(alerts []Alert) string {
	firing, resolved := 0, 0
	for _, a := range alerts {
		if a.Status == AlertFiring {
			firing++
		} else {
			resolved++
		}
	}
	var parts []string
	if firing > 0 {
		parts = append(parts, plural(firing, "new alert firing", "new alerts firing"))
	}
	if resolved > 0 {
		parts = append(parts, plural(resolved, "alert resolved", "alerts resolved"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// table renders the alerts as a compact markdown table: every sent text through
// Inline (no mentions, no markdown, no links), links only where a field is an
// http(s) URL. first adds the labels the whole group shares and the sender's link.
func (n *AlertNotification) table(first bool) string {
	var b strings.Builder
	if first {
		var common []string
		for _, k := range sortedLabelKeys(n.CommonLabels) {
			common = append(common, Inline(k+"="+truncateRunes(n.CommonLabels[k], maxLabelRunes)))
		}
		if len(common) > 0 {
			fmt.Fprintf(&b, "**Labels:** %s\n", strings.Join(common, " · "))
		}
		if d := n.CommonAnnotations["description"]; d != "" {
			fmt.Fprintf(&b, "> %s\n", Inline(truncateRunes(d, 500)))
		}
	}
	b.WriteString("\n| | Alert | Labels | Since | Links |\n|:--|:--|:--|:--|:--|\n")
	for i, a := range n.Alerts {
		if i == maxAlertRows {
			fmt.Fprintf(&b, "\n…and %d more alerts.", len(n.Alerts)-maxAlertRows)
			break
		}
		icon := "🔥"
		if a.Status == AlertResolved {
			icon = "✅"
		}
		name := a.Labels["alertname"]
		if name == "" {
			name = "alert"
		}
		cell := "**" + Inline(truncateRunes(name, maxLabelRunes)) + "**"
		if sum := a.Annotations["summary"]; sum != "" && sum != n.CommonAnnotations["summary"] {
			cell += " " + Inline(truncateRunes(sum, 200))
		}
		var labels []string
		for _, k := range sortedLabelKeys(a.Labels) {
			if k == "alertname" || n.CommonLabels[k] == a.Labels[k] {
				continue
			}
			labels = append(labels, Inline(k+"="+truncateRunes(a.Labels[k], maxLabelRunes)))
		}
		since := ""
		if !a.StartsAt.IsZero() && a.StartsAt.Year() > 1 {
			since = a.StartsAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", icon, cell, strings.Join(labels, " · "), since, a.links())
	}
	if n.TruncatedAlerts > 0 {
		fmt.Fprintf(&b, "\n%d more alerts were left out by the sender (truncatedAlerts).", n.TruncatedAlerts)
	}
	if first && n.ExternalURL != "" {
		fmt.Fprintf(&b, "\n[Open in %s](%s)", sourceName(n.Source), n.ExternalURL)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (a *Alert) links() string {
	var out []string
	for _, l := range []struct{ name, url string }{
		{"source", a.GeneratorURL}, {"dashboard", a.DashboardURL}, {"panel", a.PanelURL}, {"silence", a.SilenceURL},
	} {
		if l.url != "" {
			out = append(out, fmt.Sprintf("[%s](%s)", l.name, l.url))
		}
	}
	return strings.Join(out, " · ")
}

// TakeLead makes the actor the lead of a workflow nobody leads (an incident the
// alert intake opened). Taking it needs what starting one needs: Mattermost's
// permission to create that kind of channel in the team (guests have neither).
func (s *Service) TakeLead(ctx context.Context, actorID, id string) (*Workflow, error) {
	w, tmpl, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if w.LeadID != "" {
			return nil, conflict("%s already leads it: they can hand it on with `/%s role %s @someone`.", s.mention(w.LeadID), s.settings().CommandTrigger, tmpl.LeadRole)
		}
		if err := s.mayCreateChannel(actorID, w.TeamID, tmpl, w.Private); err != nil {
			return nil, err
		}
		w.LeadID = actorID
		w.Roles[tmpl.LeadRole] = actorID
		return []TimelineEvent{{Type: EventRoleAssigned, ActorID: actorID,
			Summary: fmt.Sprintf("%s took the lead (%s)", s.mention(actorID), tmpl.LeadRole)}}, nil
	})
	if err != nil {
		return nil, err
	}
	if !s.mm.IsChannelMember(w.ChannelID, actorID) {
		if err := s.mm.AddChannelMember(w.ChannelID, actorID, ""); err != nil {
			s.mm.LogError("Could not add who took the lead to the channel", "user_id", actorID, "err", err.Error())
		}
	}
	posted := s.post(w, fmt.Sprintf("🙋 **Lead:** %s took the lead as **%s**.", s.mention(actorID), tmpl.LeadRole))
	s.publish(w, ChangeRole)
	return w, posted
}
