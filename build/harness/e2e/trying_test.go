package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/build/harness"
)

// deployTool builds cmd/devops-deploy, the program behind `make deploy` and `make logs`.
func deployTool(t *testing.T) func(env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "devops-deploy")
	build := exec.Command("go", "build", "-o", bin, "./cmd/devops-deploy")
	build.Dir = filepath.Join(harness.RepoRoot(), "build", "harness")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	return func(env map[string]string, args ...string) (string, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
}

func pluginState(t *testing.T) int {
	t.Helper()
	statuses, _, err := srv.Admin.GetPluginStatuses(context.Background())
	require.NoError(t, err)
	for _, st := range statuses {
		if st.PluginId == harness.PluginID {
			return st.State
		}
	}
	return -1
}

// `make deploy` uploads and enables the bundle on a running server named by the
// environment, with a token or a username and password; `make logs` prints the
// plugin's log lines. Wrong or missing credentials are refused, saying what to set.
func TestTryingItDeployAndLogs(t *testing.T) {
	run := deployTool(t)
	bundle, err := harness.DefaultBundle()
	require.NoError(t, err)
	site := map[string]string{"MM_SERVICESETTINGS_SITEURL": srv.URL}
	with := func(extra map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range site {
			env[k] = v
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}

	// Disabled first, so the deploy's enabling is what makes it run again.
	_, err = srv.Admin.DisablePlugin(context.Background(), harness.PluginID)
	require.NoError(t, err)
	require.NotEqual(t, model.PluginStateRunning, pluginState(t))
	out, errOut, err := run(with(map[string]string{"MM_ADMIN_TOKEN": srv.Admin.AuthToken}), "deploy", bundle)
	require.NoError(t, err, errOut)
	require.Contains(t, out, "Deployed "+harness.PluginID)
	require.Contains(t, out, "enabled and running")
	require.Equal(t, model.PluginStateRunning, pluginState(t))

	out, errOut, err = run(with(map[string]string{"MM_ADMIN_USERNAME": "admin", "MM_ADMIN_PASSWORD": harness.Password}), "deploy", bundle)
	require.NoError(t, err, errOut)
	require.Contains(t, out, "enabled and running")
	require.NoError(t, srv.WaitPluginRunning(harness.PluginID, time.Minute))

	e := newEnv(t)
	plain := e.user("plain")
	refusals := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "set MM_SERVICESETTINGS_SITEURL"},
		{site, "set MM_ADMIN_TOKEN, or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD"},
		{with(map[string]string{"MM_ADMIN_TOKEN": "not-a-token"}), "MM_ADMIN_TOKEN is not accepted"},
		{with(map[string]string{"MM_ADMIN_USERNAME": "admin", "MM_ADMIN_PASSWORD": "wrong"}), "log in to " + srv.URL + " as admin"},
		{with(map[string]string{"MM_ADMIN_TOKEN": plain.client.AuthToken}), "upload"},
	}
	for _, r := range refusals {
		_, errOut, err := run(r.env, "deploy", bundle)
		require.Error(t, err, "refused: %v", r.env)
		require.Contains(t, errOut, r.want)
	}
	require.Equal(t, model.PluginStateRunning, pluginState(t))

	out, errOut, err = run(with(map[string]string{"MM_ADMIN_TOKEN": srv.Admin.AuthToken}), "logs", "-n", "2000")
	require.NoError(t, err, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.NotEmpty(t, lines)
	for _, line := range lines {
		require.Contains(t, line, `"plugin_id":"`+harness.PluginID+`"`)
	}
}

// `make run` on a port another server answers refuses at once, naming the port,
// instead of reaching the other server and failing on its permissions.
func TestTryingItRefusesATakenPort(t *testing.T) {
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	other, err := harness.Start(harness.Options{Port: port, Dir: t.TempDir()})
	if other != nil {
		other.Stop()
	}
	require.Error(t, err)
	require.Contains(t, err.Error(), "port "+u.Port()+" is already taken by another Mattermost server")
}

// The server's address answers the preview shell's landing page, not a 500 for a
// missing root.html, and the page finds what devops-run says about the run.
func TestTryingItPageAtTheServersAddress(t *testing.T) {
	run := []byte(`{"team":"demo","channel":"inc-1","title":"Checkout errors in EU","password":"x","users":[]}`)
	require.NoError(t, srv.InstallHostPage(map[string][]byte{"run.json": run}))
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	for _, path := range []string{"/", "/demo/channels/inc-1"} {
		status, body := get(path)
		require.Equal(t, http.StatusOK, status, path)
		require.Contains(t, body, "preview shell")
		require.Contains(t, body, "/static/devops-host/host.js")
	}
	status, body := get("/static/devops-host/run.json")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, string(run), body)
	status, _ = get("/static/devops-host/react.production.min.js")
	require.Equal(t, http.StatusOK, status)
}
