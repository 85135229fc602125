package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
)

const (
	// Bounds from issue 13.
	burstDeploys    = 24
	maxBurstSeconds = 15
	burstTarget     = "≤ 15 s"
)

// burstCheck sends 24 signed failed production deploys of distinct services at once,
// each opening an incident, and reports the slowest answer (issue 13: once 60.7 s).
func (b *bench) burstCheck(ctx context.Context) check {
	name := fmt.Sprintf("%d failed production deploys at once, slowest answer", burstDeploys)
	fail := func(err error) check {
		return check{Name: name, Unit: "s", Target: burstTarget, Status: "error: " + err.Error()}
	}
	secret := "bench-" + model.NewId()
	if err := b.srv.SetPluginSettings(map[string]any{"webhooksecret": secret, "incidentonfaileddeploy": true,
		"productionenvironments": "production"}); err != nil {
		return fail(err)
	}
	const version = "913.7.1"
	if _, err := b.command(ctx, 0, b.square, "/devops discipline developer"); err != nil {
		return fail(err)
	}
	// The release the deploys report for: matched by its version, the failures open incidents.
	if resp, err := b.command(ctx, 0, b.square, "/devops start release Release "+version+" --force"); err != nil {
		return fail(err)
	} else if !strings.Contains(resp.Text, "Started") {
		return fail(errors.Errorf("the release to deploy was not started: %q", resp.Text))
	}
	// The plugin applies settings asynchronously: an unknown event signed with the new
	// secret is refused as unknown once it has.
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, raw, err := b.deliver(ctx, secret, "probe", []byte("{}"))
		if err == nil && status == http.StatusNotFound && strings.Contains(string(raw), "Unknown event") {
			break
		}
		if time.Now().After(deadline) {
			return fail(errors.Errorf("the plugin did not take the webhook secret: %d %s", status, raw))
		}
		time.Sleep(50 * time.Millisecond)
	}

	answers := make([]time.Duration, burstDeploys)
	errs := make([]error, burstDeploys)
	var wg sync.WaitGroup
	for i := range burstDeploys {
		wg.Go(func() {
			body := fmt.Sprintf(`{"service":"bench-burst-%02d","version":%q,"environment":"production","status":"failed"}`, i, version)
			began := time.Now()
			status, raw, err := b.deliver(ctx, secret, "deploy", []byte(body))
			answers[i] = time.Since(began)
			var res struct {
				Incident *struct {
					Opened bool   `json:"opened"`
					Error  string `json:"error"`
				} `json:"incident"`
			}
			switch {
			case err != nil:
				errs[i] = err
			case status != http.StatusOK || json.Unmarshal(raw, &res) != nil || res.Incident == nil || !res.Incident.Opened:
				errs[i] = errors.Errorf("delivery %d opened no incident: %d %s", i, status, raw)
			}
		})
	}
	wg.Wait()
	slowest := time.Duration(0)
	for i, d := range answers {
		if errs[i] != nil {
			return fail(errs[i])
		}
		slowest = max(slowest, d)
	}
	return newCheck(name, "s", slowest.Seconds(), maxBurstSeconds, burstTarget)
}

// deliver posts a signed CI/CD event to the webhook.
func (b *bench) deliver(ctx context.Context, secret, event string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.srv.URL+"/plugins/"+harness.PluginID+"/api/v1/hooks/"+event,
		bytes.NewReader(body))
	if err != nil {
		return 0, nil, errors.Wrap(err, "build request")
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range harness.WebhookHeaders(secret, time.Now(), body) {
		req.Header.Set(k, v)
	}
	resp, err := b.clients[0].HTTPClient.Do(req)
	if err != nil {
		return 0, nil, errors.Wrapf(err, "deliver %s", event)
	}
	defer func() { _ = resp.Body.Close() }()
	var raw bytes.Buffer
	_, err = raw.ReadFrom(resp.Body)
	return resp.StatusCode, raw.Bytes(), errors.Wrapf(err, "read the %s answer", event)
}
