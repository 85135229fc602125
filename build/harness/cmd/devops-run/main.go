// Command devops-run runs DevOps Channels for a person to try: PostgreSQL, a real
// Mattermost server with the plugin installed, a demo team with users of every
// discipline and an incident under way, and at the server's address a page that says
// what is running and opens the plugin's panel in the preview shell (the server module
// ships no web client). `make run` starts it in the background; `make stop` ends it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
)

// demoUsers are one person per discipline, mapped in the plugin settings.
var demoUsers = []struct{ username, discipline, timezone string }{
	{"dana.dev", "developer", "Europe/Berlin"},
	{"quinn.qa", "qa", "America/New_York"},
	{"omar.ops", "operations", "Asia/Kolkata"},
	{"sam.sec", "security", "Europe/London"},
	{"pat.pm", "project-manager", "America/Los_Angeles"},
	{"priya.product", "product-manager", "Asia/Singapore"},
	{"dee.design", "designer", "Australia/Sydney"},
}

func main() {
	dir := flag.String("dir", filepath.Join(harness.RepoRoot(), "build", ".run"), "server directory (config, logs, files)")
	port := flag.Int("port", 8065, "port to listen on")
	db := flag.String("db", "devops_run", "database name (kept between runs)")
	flag.Parse()

	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fail(err)
	}
	srv, err := harness.Start(harness.Options{Dir: *dir, Port: *port, Database: *db, Log: os.Stdout, Detached: true})
	if err != nil {
		fail(err)
	}
	token, err := seed(srv)
	if err != nil {
		srv.Stop()
		fail(err)
	}
	demo, err := demoIncident(srv)
	if err != nil {
		srv.Stop()
		fail(err)
	}
	page, err := json.Marshal(runPage(srv, demo))
	if err != nil {
		srv.Stop()
		fail(errors.Wrap(err, "encode run.json"))
	}
	if err := srv.InstallHostPage(map[string][]byte{"run.json": page}); err != nil {
		srv.Stop()
		fail(err)
	}
	info := fmt.Sprintf(`DevOps Channels is running.

  URL:    %s   (a page that says what runs here and opens the panel preview)
  Login:  admin / %s   (demo users: %s — same password)
  Token:  %s
  Team:   %s/demo

  Try:    curl -s -H "Authorization: Bearer %s" %s/plugins/devops-channels/api/v1/workflows?team_id=...
  Logs:   %s/logs/mattermost.log
  Stop:   make stop
`, srv.URL, harness.Password, usernames(), token, srv.URL, token, srv.URL, *dir)
	if err := os.WriteFile(filepath.Join(*dir, "info.txt"), []byte(info), 0o600); err != nil {
		srv.Stop()
		fail(err)
	}
	fmt.Print(info)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	srv.Stop()
	_ = os.Remove(filepath.Join(*dir, "info.txt"))
}

// seed makes the demo team and users (idempotent on a reused database), maps their
// disciplines and returns a personal access token for the admin.
func seed(srv *harness.Server) (string, error) {
	ctx := context.Background()
	team, _, err := srv.Admin.GetTeamByName(ctx, "demo", "")
	if err != nil {
		if team, err = srv.CreateTeam("demo"); err != nil {
			return "", err
		}
	}
	if _, _, err := srv.Admin.AddTeamMember(ctx, team.Id, srv.AdminUser.Id); err != nil {
		return "", fmt.Errorf("add admin to demo team: %w", err)
	}
	var mapping []string
	for _, d := range demoUsers {
		u, _, err := srv.Admin.GetUserByUsername(ctx, d.username, "")
		if err != nil {
			if u, _, err = srv.CreateUser(d.username, team.Id); err != nil {
				return "", err
			}
		}
		u.Timezone = model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": d.timezone}
		if _, _, err := srv.Admin.UpdateUser(ctx, u); err != nil {
			return "", fmt.Errorf("set time zone of %s: %w", d.username, err)
		}
		mapping = append(mapping, d.username+": "+d.discipline)
	}
	if err := srv.SetPluginSetting("disciplinemapping", strings.Join(mapping, "\n")); err != nil {
		return "", err
	}
	tok, _, err := srv.Admin.CreateUserAccessToken(ctx, srv.AdminUser.Id, "make run")
	if err != nil {
		return "", fmt.Errorf("create access token: %w", err)
	}
	return tok.Token, nil
}

func usernames() string {
	names := make([]string, len(demoUsers))
	for i, d := range demoUsers {
		names[i] = d.username
	}
	return strings.Join(names, ", ")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "devops-run:", err)
	os.Exit(1)
}

// demoTitle names the incident every run shows, started once per database.
const demoTitle = "Checkout errors in EU"

// demoIncident returns the demo incident, starting it (with a status update, a task
// and a stage change, so the panel has something to show) when it is not active yet.
func demoIncident(srv *harness.Server) (map[string]any, error) {
	dana, err := srv.NewClient(demoUsers[0].username)
	if err != nil {
		return nil, err
	}
	team, _, err := srv.Admin.GetTeamByName(context.Background(), "demo", "")
	if err != nil {
		return nil, errors.Wrap(err, "read the demo team")
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	q := url.Values{"team_id": {team.Id}, "type": {"incident"}, "status": {"active"}, "q": {demoTitle}}
	if err := call(dana, http.MethodGet, "/workflows?"+q.Encode(), nil, &page); err != nil {
		return nil, err
	}
	if len(page.Items) > 0 {
		return page.Items[0], nil
	}
	var w map[string]any
	if err := call(dana, http.MethodPost, "/workflows", map[string]any{"team_id": team.Id, "type": "incident", "title": demoTitle, "severity": "sev2"}, &w); err != nil {
		return nil, err
	}
	id, _ := w["id"].(string)
	steps := []struct {
		path string
		body map[string]any
	}{
		{"/status", map[string]any{"text": "EU checkout fails for 12% of orders since the 2.4.0 deploy; rolling back."}},
		{"/tasks", map[string]any{"text": "Page the payments on-call", "assignee": "omar.ops", "due": "2h"}},
		{"/stage", map[string]any{"stage": "next"}},
	}
	for _, st := range steps {
		if err := call(dana, http.MethodPost, "/workflows/"+id+st.path, st.body, nil); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// call makes a plugin API request and decodes a successful answer into out.
func call(c *model.Client4, method, path string, body, out any) error {
	status, raw, err := harness.PluginRequest(c, method, "/api/v1"+path, body)
	if err != nil {
		return err
	}
	if status >= 300 {
		return errors.Errorf("%s %s: %d %s", method, path, status, raw)
	}
	if out == nil {
		return nil
	}
	return errors.Wrapf(json.Unmarshal(raw, out), "decode %s %s", method, path)
}

// RunPage is what the page at the server's address shows (webapp/browser/host/host.js
// reads it as /static/devops-host/run.json): what runs and how to log in. The password
// is the demo's, printed by `make run` too; the server listens on loopback only.
type RunPage struct {
	ServerVersion string     `json:"server_version"`
	PluginVersion string     `json:"plugin_version"`
	Team          string     `json:"team"`
	Channel       string     `json:"channel"`
	Title         string     `json:"title"`
	Password      string     `json:"password"`
	Users         []RunLogin `json:"users"`
}

// RunLogin is one login the page offers.
type RunLogin struct {
	Username   string `json:"username"`
	Discipline string `json:"discipline"`
	Timezone   string `json:"timezone"`
}

func runPage(srv *harness.Server, demo map[string]any) RunPage {
	p := RunPage{Team: "demo", Password: harness.Password, Users: []RunLogin{{Username: "admin", Discipline: "system admin"}}}
	p.Channel, _ = demo["channel_name"].(string)
	p.Title, _ = demo["title"].(string)
	if cfg, _, err := srv.Admin.GetClientConfig(context.Background(), ""); err == nil {
		p.ServerVersion = cfg["Version"]
	}
	if statuses, _, err := srv.Admin.GetPluginStatuses(context.Background()); err == nil {
		for _, st := range statuses {
			if st.PluginId == harness.PluginID {
				p.PluginVersion = st.Version
			}
		}
	}
	for _, d := range demoUsers {
		p.Users = append(p.Users, RunLogin{Username: d.username, Discipline: d.discipline, Timezone: d.timezone})
	}
	return p
}
