package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// profileSeconds is how long each server CPU profile runs.
const profileSeconds = 5

// serverProfiler captures CPU profiles of the Mattermost server through its
// metrics listener (MetricsSettings, which serves net/http/pprof), so that a figure
// that misses its target can be traced to where the server, not the plugin, spends
// its time. Each command figure gets two profiles, ours and the floor's, taken one
// after the other under the same load, for `go tool pprof -diff_base`.
type serverProfiler struct {
	dir  string
	addr string
}

// newServerProfiler picks a free port for the metrics listener; env returns the
// server settings that open it.
func newServerProfiler(dir string) (*serverProfiler, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, errors.Wrap(err, "make profile directory")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Wrap(err, "find a port for the metrics listener")
	}
	addr := l.Addr().String()
	_ = l.Close()
	return &serverProfiler{dir: dir, addr: addr}, nil
}

func (p *serverProfiler) env() map[string]string {
	return map[string]string{
		"MM_METRICSSETTINGS_ENABLE":        "true",
		"MM_METRICSSETTINGS_LISTENADDRESS": p.addr,
	}
}

// profile runs fn on one worker in a loop while the server records a CPU profile,
// and writes it to <dir>/server-<name>.pprof.
func (p *serverProfiler) profile(ctx context.Context, name string, fn op) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	loadErr := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if err := fn(ctx, 0); err != nil && ctx.Err() == nil {
				loadErr <- err
				cancel()
				return
			}
		}
		loadErr <- nil
	}()
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.addr, profileSeconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return errors.Wrap(err, "build profile request")
	}
	resp, err := (&http.Client{Timeout: (profileSeconds + 30) * time.Second}).Do(req)
	if err != nil {
		return errors.Wrap(err, "fetch server CPU profile")
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return errors.Errorf("server CPU profile: HTTP %d", resp.StatusCode)
	}
	path := filepath.Join(p.dir, "server-"+app.Slug(name, 64)+".pprof")
	f, err := os.Create(path)
	if err != nil {
		return errors.Wrap(err, "create profile file")
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return errors.Wrap(err, "write profile")
	}
	if err := f.Close(); err != nil {
		return errors.Wrap(err, "close profile")
	}
	cancel()
	if err := <-loadErr; err != nil {
		return err
	}
	logf("server CPU profile of %s: %s", name, path)
	return nil
}
