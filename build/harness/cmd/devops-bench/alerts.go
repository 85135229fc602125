package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
)

// The alert intake (issue 16): its p50 against a raw post creation, and a burst of
// notifications for many groups that must open exactly one incident each.

const (
	alertGroups           = 20
	alertDeliveriesPerGrp = 10
)

// alertNotification is an Alertmanager body (the shape of
// server/app/testdata/alertmanager-firing.json) for one group and alert.
func alertNotification(group, fingerprint, summary string) []byte {
	body := map[string]any{
		"version": "4", "receiver": "devops", "status": "firing", "groupKey": "{}:{alertname=\"BenchAlert\", group=\"" + group + "\"}",
		"groupLabels":       map[string]string{"alertname": "BenchAlert", "group": group},
		"commonLabels":      map[string]string{"alertname": "BenchAlert", "group": group, "severity": "warning"},
		"commonAnnotations": map[string]string{"summary": summary},
		"externalURL":       "http://alertmanager.local:9093", "truncatedAlerts": 0,
		"alerts": []map[string]any{{"status": "firing", "fingerprint": fingerprint,
			"labels":      map[string]string{"alertname": "BenchAlert", "group": group, "severity": "warning", "instance": fingerprint},
			"annotations": map[string]string{"summary": summary}, "startsAt": time.Now().UTC().Format(time.RFC3339Nano),
			"endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.local/graph"}},
	}
	raw, _ := json.Marshal(body)
	return raw
}

// useAlertToken turns the intake on and waits until the plugin has the token.
func (b *bench) useAlertToken(ctx context.Context, settings map[string]any) (string, error) {
	token := "bench-alert-" + model.NewId()
	all := map[string]any{"alerttoken": token}
	for k, v := range settings {
		all[k] = v
	}
	if err := b.srv.SetPluginSettings(all); err != nil {
		return "", err
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, _, err := b.sendAlert(ctx, token, []byte("{}"))
		if err == nil && status == http.StatusBadRequest {
			return token, nil
		}
		if time.Now().After(deadline) {
			return "", errors.Errorf("the plugin did not take the alert token: %d %v", status, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *bench) sendAlert(ctx context.Context, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		b.srv.URL+"/plugins/"+harness.PluginID+"/api/v1/hooks/alertmanager?team="+b.team.Name, bytes.NewReader(body))
	if err != nil {
		return 0, nil, errors.Wrap(err, "build request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := b.clients[0].HTTPClient.Do(req)
	if err != nil {
		return 0, nil, errors.Wrap(err, "send alert")
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, errors.Wrap(err, "read the alert answer")
}

type benchAlertAnswer struct {
	Incident *struct {
		WorkflowID string `json:"workflow_id"`
		Opened     bool   `json:"opened"`
	} `json:"incident"`
	NewAlerts int  `json:"new_alerts"`
	Storm     bool `json:"storm"`
}

// alertFigure: a notification that adds a new alert to its group's active incident
// (a claim, the new alert recorded, a post and a timeline event) against a raw
// CreatePost by a user, alternating, at c=1.
func (b *bench) alertFigure(ctx context.Context) result {
	fg := figure{name: "POST /hooks/alertmanager (new alert, active group)", floor: "REST CreatePost", conc: 1, target: target{ratioP50: 1.5}}
	token, err := b.useAlertToken(ctx, nil)
	if err != nil {
		return fg.outcome(side{}, side{}, err)
	}
	group := "figure-" + model.NewId()
	var n atomic.Int64
	ours := func(ctx context.Context, _ int) error {
		i := n.Add(1)
		status, raw, err := b.sendAlert(ctx, token, alertNotification(group, fmt.Sprintf("f%015d", i), "Bench alert figure "+group))
		if err != nil {
			return err
		}
		var res benchAlertAnswer
		if status != http.StatusOK || json.Unmarshal(raw, &res) != nil || res.Incident == nil || res.NewAlerts != 1 || res.Incident.Opened && i > 1 {
			return errors.Errorf("notification %d: %d %s", i, status, raw)
		}
		return nil
	}
	if err := ours(ctx, 0); err != nil { // opens the group's incident
		return fg.outcome(side{}, side{}, err)
	}
	raw := func(ctx context.Context, w int) error {
		_, _, err := b.clients[w].CreatePost(ctx, &model.Post{ChannelId: b.square, Message: "Raw baseline: a post"})
		return errors.Wrap(err, "create post")
	}
	samples := max(b.cfg.samples/4, 20)
	o, f, err := compare(ctx, ours, raw, 1, samples, rounds)
	return fg.outcome(o, f, err)
}

// alertBurstCheck sends 200 notifications for 20 groups at once (ten deliveries of
// each, as Alertmanager retries and a cluster of them sends) with the storm cap off:
// exactly 20 incidents must open, each answer 200, no group's incident posting its
// repeats. Reports the slowest answer.
func (b *bench) alertBurstCheck(ctx context.Context) check {
	name := fmt.Sprintf("%d alert notifications for %d groups at once, slowest answer", alertGroups*alertDeliveriesPerGrp, alertGroups)
	fail := func(err error) check {
		return check{Name: name, Unit: "s", Target: "≤ 15 s, exactly 20 incidents", Status: "error: " + err.Error()}
	}
	token, err := b.useAlertToken(ctx, map[string]any{"alertstormlimit": 0})
	if err != nil {
		return fail(err)
	}
	prefix := "Bench alert burst " + model.NewId()[:8]
	var wg sync.WaitGroup
	var mu sync.Mutex
	opened := map[string]int{}
	repeats := 0
	var slowest time.Duration
	var firstErr error
	for g := range alertGroups {
		body := alertNotification(fmt.Sprintf("%s-%d", prefix, g), fmt.Sprintf("b%015d", g), fmt.Sprintf("%s group %02d", prefix, g))
		for range alertDeliveriesPerGrp {
			wg.Go(func() {
				began := time.Now()
				status, raw, err := b.sendAlert(ctx, token, body)
				took := time.Since(began)
				var res benchAlertAnswer
				mu.Lock()
				defer mu.Unlock()
				slowest = max(slowest, took)
				switch {
				case err != nil:
					firstErr = err
				case status != http.StatusOK || json.Unmarshal(raw, &res) != nil || res.Incident == nil:
					firstErr = errors.Errorf("delivery refused: %d %s", status, raw)
				case res.Incident.Opened:
					opened[res.Incident.WorkflowID]++
				case res.NewAlerts > 0:
					repeats++
				}
			})
		}
	}
	wg.Wait()
	if firstErr != nil {
		return fail(firstErr)
	}
	stored, err := b.seeder.countTitled(ctx, prefix)
	if err != nil {
		return fail(err)
	}
	if len(opened) != alertGroups || stored != alertGroups || repeats != 0 {
		return fail(errors.Errorf("%d incidents answered as opened, %d stored, %d repeats posted; want %d, %d, 0",
			len(opened), stored, repeats, alertGroups, alertGroups))
	}
	c := newCheck(name, "s", slowest.Seconds(), maxBurstSeconds, "≤ 15 s, exactly 20 incidents")
	c.Status = fmt.Sprintf("ok: %d incidents, none lost, none doubled", stored)
	return c
}
